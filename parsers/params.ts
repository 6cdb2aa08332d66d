// Decoding of query strings, form bodies and nginx's \xHH escapes. Percent-encoded bytes are
// read as UTF-8, and as GBK when they are not valid UTF-8 (older Chinese gateways send GBK).

import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';


function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** UTF-8 if the bytes are valid UTF-8, else GBK if they are valid GBK, else undefined. */
function bytesToText(bytes: number[]): string | undefined {
  const b = Buffer.from(bytes);
  if (isUtf8(b)) return b.toString('utf8');
  const gbk = iconv.decode(b, 'gbk');
  return gbk.indexOf('\ufffd') >= 0 ? undefined : gbk;
}

/** Append the UTF-8 bytes of the code point at `s[i]`; returns how many UTF-16 units it used. */
function pushUtf8(bytes: number[], s: string, i: number): number {
  const cp = s.codePointAt(i)!;
  if (cp < 0x80) {
    bytes.push(cp);
    return 1;
  }
  if (cp < 0x800) {
    bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    return 1;
  }
  if (cp < 0x10000) {
    // A lone surrogate has no UTF-8 form: write U+FFFD as TextEncoder would.
    const c = cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp;
    bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    return 1;
  }
  bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  return 2;
}

/** Percent-decode one component; `+` means space in form encoding. Malformed escapes stay literal,
 *  and so does the whole component when its bytes are neither UTF-8 nor GBK. */
export function percentDecode(s: string, plusIsSpace = true): string {
  if (s.indexOf('%') < 0) return plusIsSpace && s.indexOf('+') >= 0 ? s.replace(/\+/g, ' ') : s;
  const bytes: number[] = [];
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */ && i + 2 < s.length) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        const v = h * 16 + l;
        if (v >= 0x80) ascii = false;
        bytes.push(v);
        i += 2;
        continue;
      }
    }
    if (c === 43 /* + */ && plusIsSpace) {
      bytes.push(32);
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      ascii = false;
      i += pushUtf8(bytes, s, i) - 1;
    }
  }
  return ascii ? Buffer.from(bytes).toString('latin1') : bytesToText(bytes) ?? s;
}

/** `a=1&b=x%20y` → {a: '1', b: 'x y'}. The first occurrence of a repeated key wins. */
export function decodeQuery(q: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!q) return out;
  let start = 0;
  while (start <= q.length) {
    let amp = q.indexOf('&', start);
    if (amp < 0) amp = q.length;
    if (amp > start) {
      const eq = q.indexOf('=', start);
      let k: string;
      let v: string;
      if (eq < 0 || eq > amp) {
        k = q.slice(start, amp);
        v = '';
      } else {
        k = q.slice(start, eq);
        v = q.slice(eq + 1, amp);
      }
      const key = percentDecode(k);
      if (!(key in out)) out[key] = percentDecode(v);
    }
    start = amp + 1;
  }
  return out;
}

/** nginx (escape=default) writes `"`, `\` and bytes outside 0x20–0x7E as `\xHH`. When the
 *  unescaped bytes are neither UTF-8 nor GBK (a TLS handshake sent to port 80, say), the text is
 *  returned still escaped rather than with U+FFFD in it. */
export function unescapeNginx(s: string): string {
  if (s.indexOf('\\x') < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 && s.charCodeAt(i + 1) === 120 && i + 3 < s.length) {
      const h = hexVal(s.charCodeAt(i + 2));
      const l = hexVal(s.charCodeAt(i + 3));
      if (h >= 0 && l >= 0) {
        bytes.push(h * 16 + l);
        i += 3;
        continue;
      }
    }
    if (c < 0x80) bytes.push(c);
    else i += pushUtf8(bytes, s, i) - 1;
  }
  return bytesToText(bytes) ?? s;
}
