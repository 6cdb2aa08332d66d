import { decodeQuery } from '../../parsers/params';
import { parseFlatXml } from '../../parsers/gateways/flat-xml';
import { flattenContext, parseJson } from '../../parsers/app/json-context';
import { readDump } from '../../parsers/app/php-dump';

// Where a payload can hide in one log entry, found without trusting the words around it: the
// entry's own parameters and every nested object in them; any parameter value that is itself
// an encoding (a JSON string inside JSON, a query string, XML); and the message and the
// continuation lines, where a JSON object, an XML document, a query string or a PHP dump
// (print_r, var_export, var_dump) may sit among ordinary text. Pure: text in, maps out.

/** One set of key/value pairs that might be a payload, and how it was found. */
export interface Candidate {
  /** Keys as written, nested keys dotted relative to this map (`resource.ciphertext`). */
  map: Record<string, string>;
  /** The XML text when the map was read from XML (WeChat Pay v2 verifies over the XML fields). */
  xml?: string;
  /** How it was found: `context`, `context.data`, `json-string`, `query`, `xml`, `dump`, `json`. */
  via: string;
}

/** Bounds, so that a hostile line cannot make the search expensive. */
const MAX_CANDIDATES = 24;
const MAX_JSON_STARTS = 6;
const MAX_TEXT = 256 * 1024;

/** Maps for each nested object of flattened params: `a.b.c` belongs to the maps of '' (as
 *  `a.b.c`), 'a' (as `b.c`) and 'a.b' (as `c`). */
export function nestedMaps(params: Record<string, string>): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>([['', params]]);
  for (const k of Object.keys(params)) {
    for (let i = k.indexOf('.'); i > 0; i = k.indexOf('.', i + 1)) {
      const parent = k.slice(0, i);
      let m = out.get(parent);
      if (m === undefined) {
        if (out.size >= MAX_CANDIDATES) break;
        out.set(parent, (m = {}));
      }
      m[k.slice(i + 1)] = params[k]!;
    }
  }
  return out;
}

/** A value that is itself an encoded set of pairs, decoded; undefined when it is plain text. */
export function decodeEncoded(value: string): Candidate | undefined {
  const v = value.trim();
  if (v.length < 5 || v.length > MAX_TEXT) return undefined;
  const c0 = v.charCodeAt(0);
  if (c0 === 123 /* { */ || c0 === 91 /* [ */) {
    const j = parseJson(v);
    if (j !== null && typeof j === 'object') return { map: flattenContext(j), via: 'json-string' };
    return undefined;
  }
  if (c0 === 60 /* < */) return xmlCandidate(v);
  if (v.indexOf('=') > 0 && v.indexOf('&') > 0 && !/\s/.test(v)) {
    const q = decodeQuery(v.charCodeAt(0) === 63 /* ? */ ? v.slice(1) : v);
    if (Object.keys(q).length >= 3) return { map: q, via: 'query' };
  }
  return undefined;
}

function xmlCandidate(text: string): Candidate | undefined {
  const start = text.search(/<xml[\s>]/);
  if (start < 0) return undefined;
  const end = text.indexOf('</xml>', start);
  if (end < 0) return undefined;
  const xml = text.slice(start, end + 6);
  const flat = parseFlatXml(xml);
  if (!flat.ok || Object.keys(flat.fields).length === 0) return undefined;
  return { map: flat.fields, xml, via: 'xml' };
}

/** The end (exclusive) of the JSON value opening at `from`, by bracket depth outside strings. */
function jsonEnd(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

const LOGFMT_PAIR = /(?<![^\s,;(\[{])([A-Za-z_][\w.-]{0,40})=("[^"\\\n]*(?:\\.[^"\\\n]*)*"|[^\s&"]+)(?=[\s,;)\]}]|$)/g;
const QUERY_RUN = /[A-Za-z_][\w.\[\]-]*=[^&\s"'<>]*(?:&[A-Za-z_][\w.\[\]-]*=[^&\s"'<>]*){2,}/g;

/** Payload candidates inside free text: JSON objects, XML, query strings and PHP dumps. */
export function candidatesInText(text: string): Candidate[] {
  const out: Candidate[] = [];
  if (text.length === 0) return out;
  const t = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  let starts = 0;
  for (let i = t.indexOf('{'); i >= 0 && starts < MAX_JSON_STARTS; ) {
    starts++;
    const end = jsonEnd(t, i);
    if (end < 0) break;
    const j = parseJson(t.slice(i, end));
    if (j !== null && typeof j === 'object') {
      out.push({ map: flattenContext(j), via: 'json' });
      i = t.indexOf('{', end);
    } else i = t.indexOf('{', i + 1);
  }
  if (t.indexOf('<xml') >= 0) {
    const x = xmlCandidate(t);
    if (x !== undefined) out.push(x);
  }
  if (t.indexOf('=') > 0 && t.indexOf('&') > 0) {
    QUERY_RUN.lastIndex = 0;
    for (let m = QUERY_RUN.exec(t); m !== null && out.length < MAX_CANDIDATES; m = QUERY_RUN.exec(t)) {
      out.push({ map: decodeQuery(m[0]), via: 'query' });
    }
  }
  // `key=value key2="two words"` (logfmt), the way many operators write a line by hand.
  if (t.indexOf('=') > 0) {
    const map: Record<string, string> = {};
    let n = 0;
    LOGFMT_PAIR.lastIndex = 0;
    for (let m = LOGFMT_PAIR.exec(t); m !== null && n < 64; m = LOGFMT_PAIR.exec(t)) {
      const v = m[2]!;
      map[m[1]!] = v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v.replace(/[,;]$/, '');
      n++;
    }
    if (n >= 2) out.push({ map, via: 'key=value' });
  }
  // A PHP dump starts on a line of its own or at the end of the message line.
  if (/Array|array ?\(/.test(t)) {
    const lines = t.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!.trimEnd();
      if (!/(?:^|[\s:：])(?:Array|array \(|array\(\d+\) \{|object\([^)]*\)#\d+ \(\d+\) \{)$/.test(l) && !/ Object$/.test(l)) continue;
      const d = readDump(lines.slice(i));
      if (d !== undefined) {
        out.push({ map: d.params, via: 'dump' });
        break;
      }
    }
  }
  return out;
}

/**
 * Every candidate of one entry: its parameters (and their nested objects), encoded values
 * inside them, and what its texts hold. The order is the order of trust: the entry's own
 * structure first.
 */
export function findCandidates(params: Record<string, string> | undefined, texts: readonly string[]): Candidate[] {
  const out: Candidate[] = [];
  if (params !== undefined) {
    for (const [prefix, map] of nestedMaps(params)) out.push({ map, via: prefix === '' ? 'context' : `context.${prefix}` });
    for (const k of Object.keys(params)) {
      if (out.length >= MAX_CANDIDATES) break;
      const v = params[k]!;
      // A nested object is already a map above; only text that is itself an encoding counts here.
      if (v.length < 5) continue;
      const c0 = v.charCodeAt(0);
      if ((c0 === 123 || c0 === 91) && hasChildKeys(params, k)) continue;
      const d = decodeEncoded(v);
      if (d === undefined) continue;
      out.push(d);
      if (d.via !== 'xml') for (const [prefix, map] of nestedMaps(d.map)) if (prefix !== '') out.push({ map, via: `${d.via}.${prefix}` });
    }
  }
  for (const text of texts) {
    if (out.length >= MAX_CANDIDATES) break;
    for (const c of candidatesInText(text)) {
      out.push(c);
      if (c.via === 'json' || c.via === 'dump') for (const [prefix, map] of nestedMaps(c.map)) if (prefix !== '') out.push({ map, via: `${c.via}.${prefix}` });
    }
  }
  return out.length > MAX_CANDIDATES ? out.slice(0, MAX_CANDIDATES) : out;
}

function hasChildKeys(params: Record<string, string>, k: string): boolean {
  const p = k + '.';
  for (const key in params) if (key.startsWith(p)) return true;
  return false;
}
