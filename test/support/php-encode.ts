// How PHP prints an array, written from PHP's documented output formats, for tests that feed
// payloads to salvage in each shape an application log may hold them. Independent of salvage's
// own readers on purpose: a reader tested against its own writer proves little.

export type PhpValue = string | number | boolean | null | { [k: string]: PhpValue };

function indent(n: number): string {
  return ' '.repeat(n);
}

/** print_r($a, true): `Array\n(\n    [k] => v\n)\n`, nested arrays indented by 8. */
export function printR(v: { [k: string]: PhpValue }, depth = 0): string {
  const pad = indent(depth * 8);
  let out = `Array\n${pad}(\n`;
  for (const [k, x] of Object.entries(v)) {
    const shown = x !== null && typeof x === 'object' ? printR(x, depth + 1) + '\n' : x === true ? '1' : x === false || x === null ? '' : String(x);
    out += `${pad}    [${k}] => ${shown}\n`;
  }
  return out + `${pad})\n`;
}

function phpQuote(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** var_export($a, true): `array (\n  'k' => 'v',\n)`, nested arrays on the next line. */
export function varExport(v: { [k: string]: PhpValue }, depth = 0): string {
  const pad = indent(depth * 2);
  let out = 'array (\n';
  for (const [k, x] of Object.entries(v)) {
    const key = /^-?\d+$/.test(k) ? k : phpQuote(k);
    if (x !== null && typeof x === 'object') out += `${pad}  ${key} => \n${pad}  ${varExport(x, depth + 1)},\n`;
    else out += `${pad}  ${key} => ${x === null ? 'NULL' : typeof x === 'string' ? phpQuote(x) : typeof x === 'boolean' ? String(x) : String(x)},\n`;
  }
  return out + `${pad})`;
}

/** var_dump($a): typed values, `string(N)` counting bytes. */
export function varDump(v: { [k: string]: PhpValue }, depth = 0): string {
  const pad = indent(depth * 2);
  const entries = Object.entries(v);
  let out = `array(${entries.length}) {\n`;
  for (const [k, x] of entries) {
    out += /^-?\d+$/.test(k) ? `${pad}  [${k}]=>\n` : `${pad}  ["${k}"]=>\n`;
    if (x !== null && typeof x === 'object') out += `${pad}  ${varDump(x, depth + 1)}\n`;
    else if (typeof x === 'string') out += `${pad}  string(${Buffer.byteLength(x)}) "${x}"\n`;
    else if (typeof x === 'number') out += Number.isInteger(x) ? `${pad}  int(${x})\n` : `${pad}  float(${x})\n`;
    else if (typeof x === 'boolean') out += `${pad}  bool(${x})\n`;
    else out += `${pad}  NULL\n`;
  }
  return out + `${pad}}`;
}
