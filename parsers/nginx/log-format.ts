import { singleLineParser } from '../single-line';
import type { LogEvent } from '../../src/model/types';
import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { TimeLocalCache, wallMsFromYmdHis, type ZoneClock } from '../time';
import { unescapeNginx } from '../params';
import { clientIp, splitRequest } from './combined';

// An nginx `log_format` directive, as pasted from nginx.conf, compiled into a parser: one
// anchored regex per format, built once, with one capture group per variable.
//
// How a variable's value is matched depends first on the variable, then on what surrounds it:
//   * fixed shapes: $time_local, $time_iso8601, $msec, $status, byte counts;
//   * between `"` and `"`: anything but an unescaped `"` (escape=default and json write `"` as
//     \x22 or \"); between `[` and `]`: anything but `]`;
//   * address lists ($http_x_forwarded_for, $proxy_add_x_forwarded_for: `a, b, c`) and upstream
//     lists ($upstream_*: `a, b : c`) keep their separators inside the value;
//   * free text ($request, $uri, most $http_*/$sent_http_*, $request_body) runs up to the next
//     literal character, or lazily up to a following space;
//   * everything else, including variables we do not know, is one token without whitespace.
// So a field written unquoted may not contain spaces unless its variable is known to hold text:
// that is what nginx's own formats assume too.
//
// Fields keep the names nginx-combined gives (rule packs rely on them): remote_addr,
// remote_user, request, method, path, query, protocol, status, bytes ($body_bytes_sent),
// referrer ($http_referer), ua ($http_user_agent), xff ($http_x_forwarded_for) and client_ip;
// every other variable is a field under its own name (host, request_time, upstream_addr,
// request_body, …). The time variables become the event time and are not kept as fields.

export type Escape = 'default' | 'json' | 'none';

export interface LogFormatDirective {
  name: string;
  escape: Escape;
  /** The format string: the quoted parts concatenated, as nginx does. */
  format: string;
}

/** A malformed directive. The CLI turns it into a usage error (exit 2). */
export class LogFormatError extends Error {
  override name = 'LogFormatError';
}

// ---- Reading nginx.conf text ---------------------------------------------------------------

interface Word {
  text: string;
  quoted: boolean;
  line: number;
  col: number;
}

type Tok = Word | { punct: ';' | '{' | '}'; line: number; col: number };

/** nginx.conf tokens: words (bare or quoted, with nginx's backslash escapes), `;`, `{`, `}`; `#` comments. */
function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = src.length;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      i++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    const col = i - lineStart + 1;
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === ';' || c === '{' || c === '}') {
      out.push({ punct: c, line, col });
      i++;
      continue;
    }
    let text = '';
    if (c === '"' || c === "'") {
      const startLine = line;
      i++;
      let closed = false;
      while (i < n) {
        const d = src[i]!;
        if (d === '\\' && i + 1 < n) {
          text += escapeChar(src[i + 1]!);
          if (src[i + 1] === '\n') { line++; lineStart = i + 2; }
          i += 2;
          continue;
        }
        if (d === c) {
          closed = true;
          i++;
          break;
        }
        if (d === '\n') { line++; lineStart = i + 1; }
        text += d;
        i++;
      }
      if (!closed) throw new LogFormatError(`unbalanced quotes: the ${c} opened at line ${startLine}, column ${col} is never closed`);
      out.push({ text, quoted: true, line: startLine, col });
      continue;
    }
    while (i < n) {
      const d = src[i]!;
      if (isSpace(d) || d === ';' || d === '{' || d === '}') break;
      if (d === '\\' && i + 1 < n) {
        text += escapeChar(src[i + 1]!);
        i += 2;
        continue;
      }
      text += d;
      i++;
    }
    out.push({ text, quoted: false, line, col });
  }
  return out;
}

/** nginx's escapes inside a config token: \" \' \\ \t \r \n; any other backslash stays. */
function escapeChar(c: string): string {
  switch (c) {
    case '"':
    case "'":
    case '\\':
      return c;
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'n':
      return '\n';
    default:
      return '\\' + c;
  }
}

/** Every `log_format` directive in a piece of nginx.conf (other directives are skipped). A last
 *  directive without its `;` is accepted: pasted text often loses it. */
export function parseLogFormats(src: string): LogFormatDirective[] {
  const toks = tokenize(src);
  const out: LogFormatDirective[] = [];
  let stmt: Word[] = [];
  const flush = () => {
    const s = stmt;
    stmt = [];
    if (s.length === 0 || s[0]!.quoted || s[0]!.text !== 'log_format') return;
    out.push(directiveOf(s));
  };
  for (const t of toks) {
    if ('punct' in t) flush();
    else stmt.push(t);
  }
  flush();
  return out;
}

function directiveOf(s: Word[]): LogFormatDirective {
  const at = `log_format at line ${s[0]!.line}`;
  const args = s.slice(1);
  const nameTok = args[0];
  if (nameTok === undefined) throw new LogFormatError(`${at}: missing name and format (expected: log_format name [escape=default|json|none] '…';)`);
  if (nameTok.text.includes('$') || nameTok.text === '' || /\s/.test(nameTok.text) || nameTok.text.startsWith('escape=')) {
    throw new LogFormatError(`${at}: missing name: the first argument must name the format, as in log_format main '…';`);
  }
  let escape: Escape = 'default';
  let rest = args.slice(1);
  const esc = rest[0];
  if (esc !== undefined && !esc.quoted && esc.text.startsWith('escape=')) {
    const v = esc.text.slice('escape='.length);
    if (v !== 'default' && v !== 'json' && v !== 'none') throw new LogFormatError(`${at}: ${esc.text}: escape must be default, json or none`);
    escape = v;
    rest = rest.slice(1);
  }
  if (rest.length === 0) throw new LogFormatError(`${at}: log_format ${nameTok.text} has no format string`);
  const format = rest.map((w) => w.text).join('');
  const parts = splitFormat(format);
  if (!parts.some((p) => typeof p !== 'string')) {
    throw new LogFormatError(`${at}: log_format ${nameTok.text} has no variables ($remote_addr, $request, …): nothing to read from a line`);
  }
  return { name: nameTok.text, escape, format };
}

/** One directive from text that holds one or more: by name, else the first. */
export function pickLogFormat(src: string, name?: string): { directive: LogFormatDirective; names: string[] } {
  const all = parseLogFormats(src);
  if (all.length === 0) throw new LogFormatError("no log_format directive found (expected: log_format name [escape=default|json|none] '…';)");
  const names = all.map((d) => d.name);
  if (name === undefined) return { directive: all[0]!, names };
  const d = all.find((x) => x.name === name);
  if (!d) throw new LogFormatError(`no log_format named ${name} (found: ${names.join(', ')})`);
  return { directive: d, names };
}

/** The directive text for a single format (what the CLI sends to worker threads). */
export function directiveText(d: LogFormatDirective): string {
  const q = d.format.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return `log_format ${d.name}${d.escape === 'default' ? '' : ` escape=${d.escape}`} '${q}';`;
}

// ---- The format string ---------------------------------------------------------------------

interface Var {
  name: string;
}
type Part = string | Var;

/** `'$a - ${b}x'` → ['', {a}, ' - ', {b}, 'x'] without empty literals. Names are lower-cased, as nginx matches them. */
function splitFormat(format: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '$') {
      lit += c;
      continue;
    }
    let name: string;
    if (format[i + 1] === '{') {
      const close = format.indexOf('}', i + 2);
      if (close < 0) throw new LogFormatError(`unclosed \${ at position ${i + 1} of the format`);
      name = format.slice(i + 2, close);
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw new LogFormatError(`invalid variable name \${${name}} at position ${i + 1} of the format`);
      i = close;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(format.slice(i + 1));
      if (!m) throw new LogFormatError(`a $ without a variable name at position ${i + 1} of the format (near "${format.slice(Math.max(0, i - 10), i + 10)}")`);
      name = m[0];
      i += name.length;
    }
    if (lit) parts.push(lit);
    lit = '';
    parts.push({ name: name.toLowerCase() });
  }
  if (lit) parts.push(lit);
  return parts;
}

// ---- Variables: shapes and field names -----------------------------------------------------

type Kind = 'time_local' | 'time_iso8601' | 'msec' | 'status' | 'count' | 'list' | 'upstream' | 'text' | 'address' | 'token';

const COUNTS = new Set(['body_bytes_sent', 'bytes_sent', 'request_length', 'connection', 'connection_requests', 'pid']);
const TEXT = new Set(['request', 'request_body', 'uri', 'document_uri']);
const TOKEN_HEADERS = new Set(['http_host', 'http_x_real_ip', 'http_x_request_id']);
/** Tokens that may hold colons (IPv6 addresses, host:port) when a `:` follows them. */
const ADDRESSES = new Set(['remote_addr', 'realip_remote_addr', 'server_addr', 'http_x_real_ip', 'host', 'http_host', 'server_name', 'hostname']);

function kindOf(name: string): Kind {
  if (name === 'time_local' || name === 'time_iso8601' || name === 'msec' || name === 'status') return name;
  if (COUNTS.has(name)) return 'count';
  if (name === 'http_x_forwarded_for' || name === 'proxy_add_x_forwarded_for') return 'list';
  if (name.startsWith('upstream_http_') || name.startsWith('upstream_cookie_')) return 'text';
  if (name.startsWith('upstream_')) return 'upstream';
  if (TEXT.has(name)) return 'text';
  if (ADDRESSES.has(name)) return 'address';
  if (name.startsWith('http_')) return TOKEN_HEADERS.has(name) ? 'token' : 'text';
  if (name.startsWith('sent_http_') || name.startsWith('sent_trailer_')) return 'text';
  return 'token';
}

/** Variables that fill nginx-combined's field names. */
const RENAMED: Record<string, string> = {
  body_bytes_sent: 'bytes',
  http_referer: 'referrer',
  http_user_agent: 'ua',
  http_x_forwarded_for: 'xff',
  request_method: 'method',
};

/** The field a variable's value is stored under. */
export function fieldNameOf(variable: string): string {
  const v = variable.toLowerCase();
  return RENAMED[v] ?? v;
}

const reEscape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

const QUOTED = '[^"\\\\]*(?:\\\\.[^"\\\\]*)*';
const QUOTED_NONE = '[^"]*';

/** The regex source for a variable's value. `next` is the next literal's first character, '' at
 *  the end of the format, or null when another variable follows directly. */
function valuePattern(kind: Kind, prev: string, next: string | null, escape: Escape): string {
  switch (kind) {
    case 'time_local':
      return '\\d{2}/[A-Za-z]{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}';
    case 'time_iso8601':
      return '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:[+-]\\d{2}:\\d{2}|Z)';
    case 'msec':
      return '\\d+(?:\\.\\d+)?';
    case 'status':
      return '\\d{3}';
    case 'count':
      return '\\d+|-';
    default:
  }
  if (prev === '"' && next === '"') return escape === 'none' ? QUOTED_NONE : QUOTED;
  if (prev === '[' && next === ']') return '[^\\]]*';
  const spaceNext = next !== null && next !== '' && /\s/.test(next);
  switch (kind) {
    case 'list':
      return '[^\\s,]*(?:,\\s*[^\\s,]+)*';
    case 'upstream':
      return '[^\\s,]*(?:(?:, | : )[^\\s,]+)*';
    case 'text':
      if (next === '') return '.*';
      if (next === null || spaceNext) return '.*?';
      return `[^${reEscape(next)}]*`;
    default:
      // A token. An address before `:` may hold colons itself (IPv6 before :$remote_port): take
      // the last colon that lets the rest match. Other tokens stop at the first (no backtracking).
      if (next === null) return '\\S*?';
      if (next === '' || spaceNext || (next === ':' && kind === 'address')) return '\\S*';
      return `[^\\s${reEscape(next)}]*`;
  }
}

// ---- The compiled format -------------------------------------------------------------------

const enum Role {
  Plain,
  TimeLocal,
  TimeIso,
  Msec,
}

interface Slot {
  variable: string;
  field: string;
  role: Role;
  /** Unescape the value (everything but fixed-shape numbers and times). */
  decode: boolean;
}

export type ParsedEntry = Omit<LogEvent, 'file' | 'line' | 'lineEnd' | 'offset'>;

export interface CompiledLogFormat {
  readonly directive: LogFormatDirective;
  /** The one regex lines are matched with (anchored both ends). */
  readonly regex: RegExp;
  /** Variables in order of their capture groups (group i + 1). */
  readonly variables: readonly string[];
  /** The capture group of a variable's first occurrence, or -1. */
  group(variable: string): number;
  /** A line reader with its own time caches; `format` is the id written into events. */
  reader(format: string, clock: ZoneClock): (text: string) => ParsedEntry | string;
  /** Why a line does not match, naming the variable where it stops. */
  explain(text: string): string;
}

/** Compile a directive (or the text of one) into a parser. Throws LogFormatError when malformed. */
export function compileLogFormat(input: LogFormatDirective | string): CompiledLogFormat {
  const directive = typeof input === 'string' ? pickLogFormat(input).directive : input;
  const parts = splitFormat(directive.format);
  const pieces: string[] = [];
  const slots: Slot[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (typeof p === 'string') {
      pieces.push(reEscape(p));
      continue;
    }
    const before = parts[i - 1];
    const after = parts[i + 1];
    const prev = typeof before === 'string' ? before[before.length - 1]! : '';
    const next = after === undefined ? '' : typeof after === 'string' ? after[0]! : null;
    const kind = kindOf(p.name);
    pieces.push(`(${valuePattern(kind, prev, next, directive.escape)})`);
    const role =
      kind === 'time_local' ? Role.TimeLocal : kind === 'time_iso8601' ? Role.TimeIso : kind === 'msec' ? Role.Msec : Role.Plain;
    slots.push({ variable: p.name, field: fieldNameOf(p.name), role, decode: kind !== 'status' && kind !== 'count' && role === Role.Plain });
  }
  const regex = new RegExp('^' + pieces.join('') + '\\s*$');
  const variables = slots.map((s) => s.variable);
  const has = new Set(variables);
  const unescape = directive.escape === 'default' ? unescapeNginx : directive.escape === 'json' ? unescapeJson : null;

  // Where method/path/query come from, decided once.
  const fromRequest = has.has('request');
  const uriVar = has.has('request_uri') ? 'request_uri' : has.has('uri') ? 'uri' : has.has('document_uri') ? 'document_uri' : null;
  const argsVar = has.has('args') ? 'args' : has.has('query_string') ? 'query_string' : null;
  const clientFrom = has.has('proxy_add_x_forwarded_for') ? 'proxy' : has.has('remote_addr') || has.has('http_x_forwarded_for') ? 'addr' : null;

  let prefixes: RegExp[] | null = null;

  const explain = (text: string): string => {
    // The longest prefix of the format that matches the start of the line (prefix matches are
    // monotone, so a binary search finds it), then what comes next.
    if (prefixes === null) {
      prefixes = [];
      for (let k = 0; k <= pieces.length; k++) prefixes.push(new RegExp('^' + pieces.slice(0, k).join('')));
    }
    let lo = 0;
    let hi = pieces.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (prefixes[mid]!.test(text)) lo = mid;
      else hi = mid - 1;
    }
    const matched = prefixes[lo]!.exec(text)![0].length;
    const rest = text.slice(matched);
    const nextPart = parts[lo];
    const lastVar = (() => {
      for (let k = lo - 1; k >= 0; k--) {
        const p = parts[k]!;
        if (typeof p !== 'string') return '$' + p.name;
      }
      return undefined;
    })();
    if (nextPart === undefined) {
      return `does not match log_format ${directive.name}: more fields after the last one (${lastVar}): ${JSON.stringify(rest.slice(0, 24))} / 不符合 log_format`;
    }
    // Cut short: nothing left, or the start of the expected literal, or an open quote, or (at a
    // variable) none of the literal that should follow it.
    const after = parts[lo + 1];
    const cut =
      rest.length === 0 ||
      hasUnterminatedQuote(rest) ||
      (typeof nextPart === 'string' ? nextPart.startsWith(rest) : typeof after === 'string' && rest.indexOf(after) < 0);
    if (typeof nextPart === 'string') {
      const where = lastVar ? `after ${lastVar}` : 'at the start';
      return cut
        ? `cut short ${where}: the line ends where ${JSON.stringify(nextPart)} was expected (unterminated quoted field?) / 行被截断`
        : `does not match log_format ${directive.name} ${where}: expected ${JSON.stringify(nextPart)}, found ${JSON.stringify(rest.slice(0, 24))} / 不符合 log_format`;
    }
    return cut
      ? `cut short at $${nextPart.name}: the line ends inside it or before it / 行被截断`
      : `does not match log_format ${directive.name} at $${nextPart.name}: found ${JSON.stringify(rest.slice(0, 24))} / 不符合 log_format`;
  };

  const reader = (format: string, clock: ZoneClock) => {
    const times = new TimeLocalCache();
    let lastIso = '';
    let lastIsoParsed = { ms: NaN, offsetMin: 0 };
    const n = slots.length;
    return (text: string): ParsedEntry | string => {
      const m = regex.exec(text);
      if (m === null) return explain(text);
      const esc = unescape !== null && text.indexOf('\\') >= 0;
      const fields: Record<string, string> = {};
      let tsMs = NaN;
      let offsetMin = NaN;
      let msec = NaN;
      for (let i = 0; i < n; i++) {
        const s = slots[i]!;
        const v = m[i + 1]!;
        switch (s.role) {
          case Role.Plain:
            fields[s.field] = esc && s.decode ? unescape!(v) : v;
            break;
          case Role.TimeLocal: {
            const t = times.parse(v);
            if (Number.isNaN(t.ms)) return `bad time field [$time_local: ${v}] / 时间字段无效`;
            tsMs = t.ms;
            offsetMin = t.offsetMin;
            break;
          }
          case Role.TimeIso: {
            if (v !== lastIso) {
              lastIsoParsed = parseIso8601(v);
              lastIso = v;
            }
            if (Number.isNaN(lastIsoParsed.ms)) return `bad time field [$time_iso8601: ${v}] / 时间字段无效`;
            tsMs = lastIsoParsed.ms;
            offsetMin = lastIsoParsed.offsetMin;
            break;
          }
          case Role.Msec:
            msec = parseMsec(v);
            if (Number.isNaN(msec)) return `bad time field [$msec: ${v}] / 时间字段无效`;
            break;
        }
      }
      // $msec has milliseconds; the offset comes from a time field beside it, else the --tz zone.
      if (!Number.isNaN(msec)) {
        tsMs = msec;
        if (Number.isNaN(offsetMin)) offsetMin = clock.offsetAt(msec);
      }
      if (fromRequest) {
        const req = splitRequest(fields.request!);
        fields.method = req.method;
        fields.path = req.path;
        fields.query = req.query;
        fields.protocol = req.protocol;
      } else {
        if (uriVar !== null) {
          const u = fields[uriVar]!;
          const q = uriVar === 'request_uri' ? u.indexOf('?') : -1;
          fields.path = q < 0 ? u : u.slice(0, q);
          fields.query = q >= 0 ? u.slice(q + 1) : argsVar !== null && fields[argsVar] !== '-' ? fields[argsVar]! : '';
        } else if (argsVar !== null) {
          fields.query = fields[argsVar] === '-' ? '' : fields[argsVar]!;
        }
        if (fields.server_protocol !== undefined) fields.protocol = fields.server_protocol;
      }
      if (clientFrom === 'proxy') {
        // $proxy_add_x_forwarded_for is "$http_x_forwarded_for, $remote_addr" (or $remote_addr alone).
        const list = fields.proxy_add_x_forwarded_for!;
        const comma = list.lastIndexOf(',');
        if (fields.remote_addr === undefined) fields.remote_addr = comma < 0 ? list : list.slice(comma + 1).trim();
        if (fields.xff === undefined && comma >= 0) fields.xff = list.slice(0, comma).trim();
        fields.client_ip = clientIp(fields.remote_addr, list);
      } else if (clientFrom === 'addr') {
        fields.client_ip = clientIp(fields.remote_addr ?? '', fields.xff);
      }
      return { format, tsMs, tzOffsetMin: Number.isNaN(offsetMin) ? 0 : offsetMin, fields };
    };
  };

  return {
    directive,
    regex,
    variables,
    group: (v) => {
      const i = variables.indexOf(v);
      return i < 0 ? -1 : i + 1;
    },
    reader,
    explain,
  };
}

/** True when the text has an odd number of unescaped `"`. */
function hasUnterminatedQuote(text: string): boolean {
  let quotes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) quotes++;
  }
  return quotes % 2 === 1;
}

/** `2026-11-21T14:03:11+08:00` (nginx $time_iso8601; `Z` accepted) → instant and offset. */
export function parseIso8601(s: string): { ms: number; offsetMin: number } {
  const wall = wallMsFromYmdHis(s);
  if (Number.isNaN(wall) || s.length < 20) return { ms: NaN, offsetMin: 0 };
  if (s.length === 20 && s[19] === 'Z') return { ms: wall, offsetMin: 0 };
  const sign = s[19];
  if (s.length !== 25 || (sign !== '+' && sign !== '-') || s[22] !== ':') return { ms: NaN, offsetMin: 0 };
  const oh = Number(s.slice(20, 22));
  const om = Number(s.slice(23, 25));
  if (!(oh <= 14 && om <= 59)) return { ms: NaN, offsetMin: 0 };
  const offsetMin = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  return { ms: wall - offsetMin * 60000, offsetMin };
}

/** `1700000000.123` (nginx $msec: seconds with milliseconds) → epoch ms, without float rounding. */
export function parseMsec(s: string): number {
  const dot = s.indexOf('.');
  const secs = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  if (secs === '' || secs.length > 12) return NaN;
  return Number(secs) * 1000 + (frac === '' ? 0 : Number((frac + '00').slice(0, 3)));
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** escape=json: `\"`, `\\`, `\/`, `\b` `\f` `\n` `\r` `\t` and `\uXXXX` (surrogate pairs join by
 *  themselves). An escape that is not JSON is kept as written. */
export function unescapeJson(s: string): string {
  let bs = s.indexOf('\\');
  if (bs < 0) return s;
  let out = '';
  let from = 0;
  while (bs >= 0) {
    out += s.slice(from, bs);
    const c = s[bs + 1];
    let used = 2;
    switch (c) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        let v = 0;
        for (let k = 2; k < 6 && v >= 0; k++) {
          const h = hexVal(s.charCodeAt(bs + k));
          v = h < 0 ? -1 : v * 16 + h;
        }
        if (v >= 0 && bs + 6 <= s.length) {
          out += String.fromCharCode(v);
          used = 6;
        } else {
          out += '\\u';
        }
        break;
      }
      default:
        out += '\\' + (c ?? '');
    }
    from = bs + used;
    bs = s.indexOf('\\', from);
  }
  return out + s.slice(from);
}

// ---- As a parser ---------------------------------------------------------------------------

export interface LogFormatParserOptions {
  /** Detection counts a matching line only if this also holds (the match is passed). */
  plausible?: (m: RegExpExecArray) => boolean;
}

/** A ParserDefinition (family nginx) for a compiled format. Detection is the fraction of sample
 *  lines its regex matches. */
export function logFormatParser(id: string, describe: string, compiled: CompiledLogFormat, opts: LogFormatParserOptions = {}): ParserDefinition {
  const { regex } = compiled;
  const plausible = opts.plausible;
  return {
    id,
    family: 'nginx',
    describe,
    detect(sample) {
      if (sample.length === 0) return 0;
      let ok = 0;
      for (const l of sample) {
        if (plausible === undefined) {
          if (regex.test(l)) ok++;
        } else {
          const m = regex.exec(l);
          if (m !== null && plausible(m)) ok++;
        }
      }
      return ok / sample.length;
    },
    create(ctx: ParserContext, sink: ParseSink): LineParser {
      return singleLineParser(ctx, sink, compiled.reader(id, ctx.clock));
    },
  };
}

/** The id of a format given with --nginx-format. */
export const CUSTOM_NGINX_ID = 'nginx-custom';

/** The user's --nginx-format as parsers to put before the built-ins (none without one). */
export function customNginxParsers(directive: string | undefined): ParserDefinition[] {
  if (directive === undefined) return [];
  const c = compileLogFormat(directive);
  return [logFormatParser(CUSTOM_NGINX_ID, `nginx log_format ${c.directive.name} (--nginx-format)`, c)];
}
