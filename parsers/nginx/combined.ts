import type { LogEvent } from '../../src/model/types';
import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { singleLineParser } from '../single-line';
import { TimeLocalCache } from '../time';
import { unescapeNginx } from '../params';

// nginx `combined`, optionally followed by more quoted fields (the `main` format's
// "$http_x_forwarded_for", or anything an operator appended). Compiled once, used per line.
// Whatever follows the known fields must be whole space-separated tokens or whole quoted
// strings: an unterminated quote (a cut-off user agent, say) fails the match instead of the
// broken field being swallowed and silently dropped.
// Quoted fields are written unrolled, `[^"\\]*(?:\\.[^"\\]*)*`: the alternation form
// `(?:[^"\\]|\\.)*` keeps one backtrack entry per character, and a field of tens of megabytes
// ran the regex out of stack (issue 10).
const COMBINED =
  /^(\S+) (\S+) (\S+) \[([^\]]{20,40})\] "([^"\\]*(?:\\.[^"\\]*)*)" (\d{3}) (\d+|-)(?: "([^"\\]*(?:\\.[^"\\]*)*)"(?: "([^"\\]*(?:\\.[^"\\]*)*)")?)?(?: "([^"\\]*(?:\\.[^"\\]*)*)")?((?:\s+(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^"\s]+))*)\s*$/;

/** True when the line has an odd number of unescaped `"`: some quoted field never ends. */
function hasUnterminatedQuote(text: string): boolean {
  let quotes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34 /* " */) quotes++;
  }
  return quotes % 2 === 1;
}

export interface RequestParts {
  method: string;
  path: string;
  query: string;
  protocol: string;
}

/** `GET /a/b?x=1 HTTP/1.1` → parts. A request line that is not HTTP (`-`, garbage) gives empty parts. */
export function splitRequest(request: string): RequestParts {
  const sp1 = request.indexOf(' ');
  if (sp1 <= 0) return { method: '', path: '', query: '', protocol: '' };
  const sp2 = request.lastIndexOf(' ');
  const method = request.slice(0, sp1);
  const target = sp2 > sp1 ? request.slice(sp1 + 1, sp2) : request.slice(sp1 + 1);
  const protocol = sp2 > sp1 ? request.slice(sp2 + 1) : '';
  const q = target.indexOf('?');
  return q < 0
    ? { method, path: target, query: '', protocol }
    : { method, path: target.slice(0, q), query: target.slice(q + 1), protocol };
}

/** The client behind proxies: the first address of X-Forwarded-For, else $remote_addr. */
export function clientIp(remoteAddr: string, xff: string | undefined): string {
  if (!xff || xff === '-') return remoteAddr;
  const comma = xff.indexOf(',');
  return (comma < 0 ? xff : xff.slice(0, comma)).trim() || remoteAddr;
}

// ---- The slow path: what sits before `$remote_addr - $remote_user [` -------------------------
//
// Formats filebeat's nginx module reads (elastic/beats filebeat/module/nginx/access/test/test.log,
// see shared/realdata/SOURCES.md) put more before the usual fields:
//   * an address list, `10.0.0.2, 10.0.0.1, 127.0.0.1 - - [`: $proxy_add_x_forwarded_for, i.e.
//     the X-Forwarded-For header then $remote_addr (the last address);
//   * an X-Forwarded-For list before the client, quoted `"a, b, c" 10.2.1.185 - - [` or not
//     `a, b 10.2.2.121 - - [`;
//   * a virtual host, `lessons.example.com 192.168.0.1 - - [` ($host or $host:$server_port).
// These are rare, so they are tried only after the combined regex has failed: the common line
// pays nothing. The ident field must be nginx's literal `-` here (nginx never writes anything
// else there), which keeps Apache's `%v:%p %h %l %u` lines and lines missing fields rejected.

/** Optional quoted list, then tokens with their separators, then $remote_addr ` - ` $remote_user ` [`. */
const PREFIXED_HEAD = /^(?:"([^"\\]*)" )?((?:[^\s"\[,]+(?:,\s*|\s+))*?)([^\s"\[,]+) - (\S+) \[/;

interface Prefix {
  /** The X-Forwarded-For list written before $remote_addr, if any. */
  xff?: string;
  /** A $host or $host:$server_port before $remote_addr, if any. */
  host?: string;
  serverPort?: string;
  /** The line rewritten to plain combined: `$remote_addr - $remote_user [` and the rest. */
  combined: string;
}

/** Reads the prefix of a line the combined regex rejected; undefined when it is no shape we know. */
function readPrefix(text: string): Prefix | undefined {
  const h = PREFIXED_HEAD.exec(text);
  if (h === null) return undefined;
  const quoted = h[1];
  const before = h[2]!.replace(/[,\s]+$/, '');
  if (quoted === undefined && before === '') return undefined; // plain combined: it failed for another reason
  const combined = `${h[3]} - ${h[4]} ${text.slice(h[0].length - 1)}`;
  if (quoted !== undefined) return before === '' ? { xff: quoted, combined } : undefined;
  // A comma anywhere (also just before $remote_addr, as $proxy_add_x_forwarded_for writes it) makes
  // the words an address list.
  if (h[2]!.indexOf(',') >= 0) return { xff: before, combined };
  if (/\s/.test(before)) return undefined; // several bare words: nothing nginx writes
  // One word and then the address: a virtual host, with its port when it has one.
  const port = /^([^:]+):(\d{1,5})$/.exec(before);
  return port === null ? { host: before, combined } : { host: port[1]!, serverPort: port[2]!, combined };
}

type Parsed = Omit<LogEvent, 'file' | 'line' | 'lineEnd' | 'offset'>;

export function parseCombined(text: string, times: TimeLocalCache = new TimeLocalCache()): Parsed | string {
  const m = COMBINED.exec(text);
  if (m === null) {
    const prefix = readPrefix(text);
    if (prefix !== undefined) {
      const inner = COMBINED.exec(prefix.combined);
      if (inner !== null) return withPrefix(fromMatch(inner, times), prefix);
    }
    return hasUnterminatedQuote(text)
      ? 'unterminated quoted field (a quote is never closed: the line was cut?) / 引号未闭合（行被截断？）'
      : 'not an nginx combined line (fields or quotes missing) / 不符合 nginx combined 格式';
  }
  return fromMatch(m, times);
}

/** A prefix's fields over the combined ones. A list before the client is the X-Forwarded-For
 *  nginx saw; a trailing "$http_x_forwarded_for" that says otherwise is kept as xff_trailing. */
function withPrefix(p: Parsed | string, prefix: Prefix): Parsed | string {
  if (typeof p === 'string') return p;
  const f = p.fields;
  if (prefix.xff !== undefined) {
    if (f.xff !== undefined && f.xff !== '-' && f.xff !== prefix.xff) f.xff_trailing = f.xff;
    f.xff = prefix.xff;
    f.client_ip = clientIp(f.remote_addr!, prefix.xff);
  }
  if (prefix.host !== undefined) f.host = prefix.host;
  if (prefix.serverPort !== undefined) f.server_port = prefix.serverPort;
  return p;
}

function fromMatch(m: RegExpExecArray, times: TimeLocalCache): Parsed | string {
  const t = times.parse(m[4]!);
  if (Number.isNaN(t.ms)) return `bad time field [${m[4]}] / 时间字段无效`;
  const request = unescapeNginx(m[5]!);
  const req = splitRequest(request);
  const xff = m[10] ?? undefined;
  const fields: Record<string, string> = {
    remote_addr: m[1]!,
    remote_user: m[3]!,
    request,
    method: req.method,
    path: req.path,
    query: req.query,
    protocol: req.protocol,
    status: m[6]!,
    bytes: m[7]!,
    referrer: m[8] !== undefined ? unescapeNginx(m[8]) : '',
    ua: m[9] !== undefined ? unescapeNginx(m[9]) : '',
    client_ip: clientIp(m[1]!, xff),
  };
  if (xff !== undefined) fields.xff = xff;
  return { format: 'nginx-combined', tsMs: t.ms, tzOffsetMin: t.offsetMin, fields };
}

function readsWithPrefix(line: string): boolean {
  const p = readPrefix(line);
  return p !== undefined && COMBINED.test(p.combined);
}

export const nginxCombined: ParserDefinition = {
  id: 'nginx-combined',
  family: 'nginx',
  describe: 'nginx combined / main (with X-Forwarded-For) access log',
  detect(sample) {
    if (sample.length === 0) return 0;
    let ok = 0;
    // A line counts if it is combined, or combined behind a prefix we read (the slow path).
    for (const l of sample) if (COMBINED.test(l) || readsWithPrefix(l)) ok++;
    return ok / sample.length;
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    const times = new TimeLocalCache();
    return singleLineParser(ctx, sink, (text) => parseCombined(text, times));
  },
};
