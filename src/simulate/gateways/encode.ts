// URL encodings as the PHP gateways and shops produce them.

const UNRESERVED_PHP = /[A-Za-z0-9_.-]/;

/** PHP `urlencode` / `http_build_query` (RFC 1738): space → `+`, everything but `A-Za-z0-9_.-` → `%XX`. */
export function phpUrlencode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED_PHP.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** PHP `rawurlencode` (RFC 3986): like urlencode but space → `%20` and `~` kept. */
export function phpRawurlencode(s: string): string {
  return phpUrlencode(s).replace(/\+/g, '%20').replace(/%7E/g, '~');
}

/** `k=v&k=v` with PHP urlencode on keys and values, in the given order. */
export function httpBuildQuery(params: readonly (readonly [string, string])[]): string {
  return params.map(([k, v]) => `${phpUrlencode(k)}=${phpUrlencode(v)}`).join('&');
}

/** Decodes `application/x-www-form-urlencoded` (`+` is a space). */
export function formDecode(q: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (q === '') return out;
  for (const part of q.split('&')) {
    const i = part.indexOf('=');
    const k = i < 0 ? part : part.slice(0, i);
    const v = i < 0 ? '' : part.slice(i + 1);
    out[decodeURIComponent(k.replace(/\+/g, ' '))] = decodeURIComponent(v.replace(/\+/g, ' '));
  }
  return out;
}

/** Byte-wise ASCII key order, as PHP ksort and Go sort.Strings give for ASCII keys. */
export function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
