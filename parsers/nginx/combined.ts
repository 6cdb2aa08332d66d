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
const COMBINED =
  /^(\S+) (\S+) (\S+) \[([^\]]{20,40})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)"(?: "((?:[^"\\]|\\.)*)")?)?(?: "((?:[^"\\]|\\.)*)")?((?:\s+(?:"(?:[^"\\]|\\.)*"|[^"\s]+))*)\s*$/;

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

export function parseCombined(text: string, times: TimeLocalCache = new TimeLocalCache()): Omit<LogEvent, 'file' | 'line' | 'lineEnd' | 'offset'> | string {
  const m = COMBINED.exec(text);
  if (m === null) {
    return hasUnterminatedQuote(text)
      ? 'unterminated quoted field (a quote is never closed: the line was cut?) / 引号未闭合（行被截断？）'
      : 'not an nginx combined line (fields or quotes missing) / 不符合 nginx combined 格式';
  }
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

export const nginxCombined: ParserDefinition = {
  id: 'nginx-combined',
  family: 'nginx',
  describe: 'nginx combined / main (with X-Forwarded-For) access log',
  detect(sample) {
    if (sample.length === 0) return 0;
    let ok = 0;
    for (const l of sample) if (COMBINED.test(l)) ok++;
    return ok / sample.length;
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    const times = new TimeLocalCache();
    return singleLineParser(ctx, sink, (text) => parseCombined(text, times));
  },
};
