import { flattenContext, splitMessageContext } from './json-context';

// PHP applications dump arrays into their logs in three shapes, usually over several lines:
//   json_encode          {"out_trade_no":"…","money":"9.90"}
//   print_r($a, true)    Array\n(\n    [out_trade_no] => …\n    [money] => 9.90\n)\n
//   var_export($a, true) array (\n  'out_trade_no' => '…',\n  'money' => '9.90',\n)
// The acg-faka runtime log and ThinkPHP logs fold such dumps into the entry above them; this
// reads them back into flat parameters so rules can use them (param.out_trade_no, …).
// The line patterns are compiled once here.

const PRINT_R_ITEM = /^\s*\[([^\]]*)\] => ?(.*)$/;
const VAR_EXPORT_ITEM = /^\s*(?:'([^'\\]*(?:\\.[^'\\]*)*)'|(-?\d+)) =>\s?(.*)$/;
const OBJECT_HEAD = /^(?:Array|[A-Za-z_\\][\w\\]* Object)$/;

export interface Dump {
  params: Record<string, string>;
  /** The message text before the dump, when the dump began inside the first line. */
  head?: string;
}

/** Parameters from a dump whose first line is `lines[0]` (the message text), or undefined. */
export function readDump(lines: string[]): Dump | undefined {
  if (lines.length === 0) return undefined;
  const first = lines[0]!.trim();
  const c0 = first.charCodeAt(0);
  // A whole JSON value, possibly pretty-printed over the lines.
  if (c0 === 123 /* { */ || c0 === 91 /* [ */) {
    const v = tryJson(lines.join('\n'));
    if (v !== undefined) return { params: flattenContext(v) };
  }
  if (OBJECT_HEAD.test(first) || first.endsWith(' Array') || first.endsWith(':Array') || first.endsWith('：Array')) {
    const v = readPrintR(lines);
    if (v !== undefined) return { params: flattenContext(v), head: headBefore(first, 'Array') };
  }
  if (first === 'array (' || first.endsWith(' array (') || first.endsWith(':array (') || first.endsWith('：array (')) {
    const v = readVarExport(lines);
    if (v !== undefined) return { params: flattenContext(v), head: headBefore(first, 'array (') };
  }
  const vd = VAR_DUMP_TAIL.exec(first);
  if (vd !== null) {
    const v = readVarDump([vd[1]!, ...lines.slice(1)]);
    if (v !== undefined) return { params: flattenContext(v), head: first.slice(0, vd.index).trim() || undefined };
  }
  // `message {json}` on one line, or spread over the lines.
  const whole = lines.join('\n');
  const { message, context } = splitMessageContext(whole);
  if (context !== null && typeof context === 'object') return { params: flattenContext(context), head: message };
  // `message:{json}` (no space before the brace): one more try, from the first brace.
  const brace = first.indexOf('{');
  if (brace > 0) {
    const at = whole.indexOf('{');
    const v = tryJson(whole.slice(at));
    if (v !== undefined) return { params: flattenContext(v), head: whole.slice(0, at).trimEnd() };
  }
  return undefined;
}

function tryJson(text: string): object | undefined {
  const t = text.trimEnd();
  const last = t.charCodeAt(t.length - 1);
  if (last !== 125 /* } */ && last !== 93 /* ] */) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return v !== null && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

function headBefore(first: string, word: string): string | undefined {
  const h = first.slice(0, first.length - word.length).trimEnd();
  return h === '' ? undefined : h;
}

type Obj = Record<string, unknown>;

function readPrintR(lines: string[]): Obj | undefined {
  const root: Obj = {};
  const stack: Obj[] = [];
  let cur: Obj | null = null;
  let pendingOpen: Obj | null = root;
  let items = 0;
  for (let i = 1; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '') continue;
    if (t === '(') {
      if (pendingOpen === null) return undefined;
      if (cur !== null) stack.push(cur);
      cur = pendingOpen;
      pendingOpen = null;
      continue;
    }
    if (t === ')') {
      if (cur === null) return undefined;
      cur = stack.pop() ?? null;
      if (cur === null) break; // the root closed
      continue;
    }
    const m = PRINT_R_ITEM.exec(lines[i]!);
    if (m === null || cur === null) continue; // a line of a multi-line string value: skipped
    const value = m[2]!.trimEnd();
    if (OBJECT_HEAD.test(value)) {
      const child: Obj = {};
      cur[m[1]!] = child;
      pendingOpen = child;
    } else {
      cur[m[1]!] = value;
    }
    items++;
  }
  return items > 0 ? root : undefined;
}

function unquote(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (s[i + 1] === "'" || s[i + 1] === '\\')) {
      out += s[i + 1];
      i++;
    } else out += c;
  }
  return out;
}

function scalar(v: string): unknown {
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return unquote(v.slice(1, -1));
  if (v === 'NULL') return null;
  return v;
}

function readVarExport(lines: string[]): Obj | undefined {
  const root: Obj = {};
  const stack: Obj[] = [];
  let cur: Obj | null = root;
  let awaiting: Obj | null = null; // a key whose value (`array (`) is on the next line
  let items = 0;
  for (let i = 1; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '') continue;
    if (awaiting !== null && (t === 'array (' || t.endsWith('array (') || t.endsWith('array('))) {
      if (cur !== null) stack.push(cur);
      cur = awaiting;
      awaiting = null;
      continue;
    }
    if (t === ')' || t === '),' || t === '))' || t === ')),') {
      cur = stack.pop() ?? null;
      if (cur === null) break;
      continue;
    }
    const m = VAR_EXPORT_ITEM.exec(lines[i]!);
    if (m === null || cur === null) continue;
    const key = m[1] !== undefined ? unquote(m[1]) : m[2]!;
    let v = m[3]!.trim();
    items++;
    if (v === '' || v === 'array (' || v.endsWith('array (') || v.endsWith('array(')) {
      const child: Obj = {};
      cur[key] = child;
      if (v === '') awaiting = child;
      else {
        stack.push(cur);
        cur = child;
      }
      continue;
    }
    if (v.endsWith(',')) v = v.slice(0, -1);
    cur[key] = scalar(v);
  }
  return items > 0 ? root : undefined;
}

// var_dump($a) writes typed values, two lines per key:
//   array(2) {
//     ["out_trade_no"]=>
//     string(16) "K3J9QX2M7PLA0B1C"
//     ["nested"]=>
//     array(1) { … }
//   }
// Objects open with `object(Class)#1 (2) {` and may mark keys `["k":protected]`. A string's
// byte length is given but the text is also quoted, so the quoted text is what is read (a value
// holding a newline continues on the next lines until the closing quote).
const VAR_DUMP_TAIL = /(?:^|[\s:：])((?:array\(\d+\)|object\([^)]*\)#\d+ \(\d+\)) \{)$/;
const VAR_DUMP_OPEN = /^(?:array\(\d+\)|object\([^)]*\)#\d+ \(\d+\)) \{$/;
const VAR_DUMP_KEY = /^\s*\[(?:"([^"\\]*(?:\\.[^"\\]*)*)"(?::[^\]]*)?|(-?\d+))\]=>$/;
const VAR_DUMP_SCALAR = /^\s*(?:string\(\d+\) "(.*)"|int\((-?\d+)\)|float\(([^)]*)\)|bool\((true|false)\)|(NULL))$/;

/** True when a line opens a var_dump array or object. */
export function opensVarDump(line: string): boolean {
  return VAR_DUMP_OPEN.test(line.trim());
}

/** Reads a var_dump whose opening line is `lines[0]`; undefined when it has no items. */
export function readVarDump(lines: string[]): Obj | undefined {
  const root: Obj = {};
  const stack: Obj[] = [];
  let cur: Obj | null = root;
  let key: string | null = null;
  let items = 0;
  for (let i = 1; i < lines.length && cur !== null; i++) {
    const t = lines[i]!.trim();
    if (t === '}') {
      cur = stack.pop() ?? null;
      continue;
    }
    const k = VAR_DUMP_KEY.exec(lines[i]!);
    if (k !== null) {
      key = k[1] !== undefined ? k[1] : k[2]!;
      continue;
    }
    if (key === null) continue;
    if (VAR_DUMP_OPEN.test(t)) {
      const child: Obj = {};
      cur[key] = child;
      stack.push(cur);
      cur = child;
      key = null;
      items++;
      continue;
    }
    let m = VAR_DUMP_SCALAR.exec(lines[i]!);
    if (m === null && /^\s*string\(\d+\) "/.test(lines[i]!)) {
      // A string holding newlines: gather lines until one ends with the closing quote.
      let text = lines[i]!;
      while (i + 1 < lines.length && !text.endsWith('"')) text += '\n' + lines[++i]!;
      m = /^\s*string\(\d+\) "([\s\S]*)"$/.exec(text);
    }
    if (m === null) continue;
    cur[key] = m[1] ?? m[2] ?? m[3] ?? m[4] ?? null;
    key = null;
    items++;
  }
  return items > 0 ? root : undefined;
}
