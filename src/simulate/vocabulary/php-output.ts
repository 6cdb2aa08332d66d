// What PHP writes when an operator dumps an array into a log message: print_r, var_export, var_dump,
// json_encode with its default flags, and http_build_query. Byte-exact, because a drill that tests a
// reader on a near-miss of PHP's real output proves nothing.
//
// Sources (facts, not code): php-src Zend/zend.c `print_hash` / `zend_print_zval_r_to_buf` (print_r:
// 4-space steps, nested `Array` then `(` eight spaces further in, a blank line after a nested `)`),
// ext/standard/var.c `php_var_export_ex` / `php_array_element_export` (var_export: two spaces per level,
// `'key' => ` with a trailing space before a nested `array (`, no newline after the final `)`) and
// `php_var_dump` (`array(N) {`, `["key"]=>`, `string(N) "…"` with N in bytes, a final newline),
// ext/json (json_encode without flags escapes `/` and every non-ASCII character as \uXXXX).
import { phpUrlencode } from '../gateways/encode';

/** A PHP value as the shop holds it: strings, ints (integral numbers), floats, bools, null, arrays. */
export type PhpValue = string | number | boolean | null | PhpArray | readonly PhpValue[];
export interface PhpArray {
  readonly [key: string]: PhpValue;
}

type Entries = [string, PhpValue][];

function isList(v: PhpValue): v is readonly PhpValue[] {
  return Array.isArray(v);
}

function isArray(v: PhpValue): v is PhpArray | readonly PhpValue[] {
  return v !== null && typeof v === 'object';
}

function entries(v: PhpArray | readonly PhpValue[]): Entries {
  return isList(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
}

/** A PHP array key is an int when it is a canonical decimal integer string. */
function isIntKey(k: string): boolean {
  return /^(?:0|-?[1-9]\d{0,17})$/.test(k);
}

/** `precision` = 14, `%.14G`: what print_r and string casts show for floats. */
function floatG14(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(14)));
}

/** `serialize_precision` = -1: the shortest round-trip form; var_export/var_dump add `.0` to integral floats. */
function floatShortest(x: number): string {
  return String(x);
}

/** PHP's string cast of a scalar, as print_r and http_build_query show it. */
function scalarString(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? '1' : '';
  if (typeof v === 'number') return floatG14(v);
  return v;
}

/** print_r($v, true). */
export function printR(v: PhpValue): string {
  return printRAt(v, 0);
}

function printRAt(v: PhpValue, indent: number): string {
  if (!isArray(v)) return scalarString(v);
  const pad = ' '.repeat(indent);
  const inner = ' '.repeat(indent + 4);
  let s = `Array\n${pad}(\n`;
  for (const [k, x] of entries(v)) s += `${inner}[${k}] => ${printRAt(x, indent + 8)}\n`;
  return `${s}${pad})\n`;
}

function exportString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function exportScalar(v: string | number | boolean | null): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return floatShortest(v);
  return exportString(v);
}

/** var_export($v, true): no newline after the closing parenthesis. */
export function varExport(v: PhpValue): string {
  return varExportAt(v, 1);
}

function varExportAt(v: PhpValue, level: number): string {
  if (!isArray(v)) return exportScalar(v);
  let s = level > 1 ? `\n${' '.repeat(level - 1)}` : '';
  s += 'array (\n';
  for (const [k, x] of entries(v)) {
    s += ' '.repeat(level + 1);
    s += isIntKey(k) ? `${k} => ` : `${exportString(k)} => `;
    s += `${varExportAt(x, level + 2)},\n`;
  }
  if (level > 1) s += ' '.repeat(level - 1);
  return `${s})`;
}

/** var_dump($v) as captured with ob_start()/ob_get_clean(): ends with a newline. */
export function varDump(v: PhpValue): string {
  return varDumpAt(v, 1);
}

function varDumpAt(v: PhpValue, level: number): string {
  const pad = level > 1 ? ' '.repeat(level - 1) : '';
  if (v === null) return `${pad}NULL\n`;
  if (typeof v === 'boolean') return `${pad}bool(${v})\n`;
  if (typeof v === 'number') return Number.isInteger(v) ? `${pad}int(${v})\n` : `${pad}float(${floatShortest(v)})\n`;
  if (typeof v === 'string') return `${pad}string(${Buffer.byteLength(v, 'utf8')}) "${v}"\n`;
  const es = entries(v);
  let s = `${pad}array(${es.length}) {\n`;
  for (const [k, x] of es) {
    s += ' '.repeat(level + 1);
    s += isIntKey(k) ? `[${k}]=>\n` : `["${k}"]=>\n`;
    s += varDumpAt(x, level + 2);
  }
  return `${s}${pad}}\n`;
}

/** json_encode($v) with no flags: `\/`, `\uXXXX` for every non-ASCII UTF-16 unit. */
export function phpJsonEncode(v: PhpValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return floatShortest(v);
  if (typeof v === 'string') return jsonString(v);
  if (isList(v)) return `[${v.map(phpJsonEncode).join(',')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${jsonString(k)}:${phpJsonEncode(x)}`)
    .join(',')}}`;
}

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x2f) out += '\\/';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c > 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** http_build_query($v) for a flat array: urlencode (RFC 1738), nulls left out, bools as 1/0. */
export function httpBuildQueryFlat(v: PhpArray): string {
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (x === null) continue;
    if (isArray(x)) throw new Error(`http_build_query of a nested array is not modelled (${k})`);
    const s = typeof x === 'boolean' ? (x ? '1' : '0') : scalarString(x);
    parts.push(`${phpUrlencode(k)}=${phpUrlencode(s)}`);
  }
  return parts.join('&');
}
