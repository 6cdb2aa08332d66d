import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

// Turns the bytes of one line into text. Most log lines are ASCII (nginx escapes high bytes as
// \xHH), so the common case is a single scan and a latin1 slice. Non-ASCII lines are UTF-8, or
// GBK on older Chinese Windows-built shops; anything else is rejected rather than guessed.

export type Encoding = 'utf8' | 'gbk';

export type Decoded =
  | { ok: true; text: string; encoding: Encoding | 'ascii' }
  | { ok: false; reason: string };

// iconv-lite rather than TextDecoder('gbk'): Node's ICU decoder silently drops some invalid
// bytes (0xFF) even in fatal mode, which would hide damage instead of reporting it.
export function decodeGbkStrict(bytes: Buffer): string | undefined {
  const text = iconv.decode(bytes, 'gbk');
  return text.indexOf('\ufffd') >= 0 ? undefined : text;
}

/** Bytes that never appear in a text log line: NUL and most C0 controls (tab, CR, ESC allowed). */
function isBinaryByte(b: number): boolean {
  return b < 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x1b && b !== 0x0c;
}

/** The same bytes as isBinaryByte, as one compiled scan over a line already decoded as ASCII or UTF-8. */
const BINARY_CHAR = /[\x00-\x08\x0a\x0b\x0e-\x1a\x1c-\x1f]/;

/**
 * Decode `buf[start..end)`. `knownAscii` says the caller has already scanned these bytes (a whole
 * read chunk at once, which costs one native call instead of one per line) and found only ASCII.
 */
export function decodeLine(buf: Buffer, start: number, end: number, knownAscii = false): Decoded {
  // Native scans first: almost every line is plain ASCII without control bytes. The control
  // check must match the slow path's, or `\x01` would pass in an ASCII line and fail in a UTF-8 one.
  const slice = knownAscii ? undefined : buf.subarray(start, end);
  if (slice === undefined || isAscii(slice)) {
    const text = buf.toString('latin1', start, end);
    if (!BINARY_CHAR.test(text)) return { ok: true, text, encoding: 'ascii' };
  } else if (isUtf8(slice)) {
    // Bytes below 0x20 never occur inside a multi-byte UTF-8 sequence, so the decoded text has
    // exactly the control characters the bytes had, and the same scan decides.
    const text = buf.toString('utf8', start, end);
    if (!BINARY_CHAR.test(text)) return { ok: true, text, encoding: 'utf8' };
  }
  return decodeSlow(buf, start, end);
}

/** Lines with control bytes or without valid UTF-8: counted byte by byte, then GBK is tried. */
function decodeSlow(buf: Buffer, start: number, end: number): Decoded {
  let binary = 0;
  for (let i = start; i < end; i++) if (isBinaryByte(buf[i]!)) binary++;
  if (binary > 0) {
    return { ok: false, reason: `binary data: ${binary} control byte(s) such as NUL in the line (damaged or not a text log) / 二进制数据` };
  }
  const slice = buf.subarray(start, end);
  // Valid UTF-8 wins: multi-byte UTF-8 is distinctive, and GBK text is rarely valid UTF-8.
  if (isUtf8(slice)) return { ok: true, text: buf.toString('utf8', start, end), encoding: 'utf8' };
  const gbk = decodeGbkStrict(slice);
  if (gbk !== undefined) return { ok: true, text: gbk, encoding: 'gbk' };
  return { ok: false, reason: 'invalid text encoding: neither UTF-8 nor GBK (damaged bytes?) / 编码无效：既不是 UTF-8 也不是 GBK' };
}

/** First bytes of a line for a reject record, printable, with other bytes as \xHH. */
export function printableHead(buf: Buffer, start: number, end: number, max = 200): string {
  const stop = Math.min(end, start + max);
  let out = '';
  for (let i = start; i < stop; i++) {
    const b = buf[i]!;
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) out += String.fromCharCode(b);
    else out += '\\x' + (b < 16 ? '0' : '') + b.toString(16);
  }
  return out;
}
