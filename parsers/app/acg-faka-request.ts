import type { LogEvent } from '../../src/model/types';
import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { wallMsFromYmdHis } from '../time';
import { decodeQuery } from '../params';
import { flattenContext } from './json-context';
import { stripBom } from './timestamp';

// acg-faka's own request log, kernel/Util/RequestLogger.php (lizhipay/acg-faka, since 3.3.2):
// runtime/request/<md5(db password)>/<Y-m-d>.log, one json_encode'd object per request, written
// before the controller runs, for every request, unless the admin ticked 关闭请求日志
// (config request_log = 1; Install.sql ships 0, so it is ON by default):
//
//   {"time":"2026-11-21 14:03:11","ip":"1.2.3.4","method":"GET","uri":"/user/api/order/callback.…?…",
//    "user_agent":"…","referer":"","get":{"s":"/user/api/order/callback.…",…},"post":[],
//    "json":[],"raw_body":"","cookies":[],"headers":{…}}
//
// `time` is Asia/Shanghai wall time (kernel/Kernel.php sets the zone). `json` since 3.3.8.
// From 3.5.0 keys that look secret are written as "***" (maskSensitive in kernel/Helper.php:
// sign, key, token, password, …), cookies are all "***" and raw_body is always "". Before,
// raw_body held the request body as sent (an XML or JSON callback in full) and sign was clear.
//
// The request is what matters, so the parser is of family nginx: the nginx rule packs read its
// method, path, query, client_ip, ua and referrer, and its params are the request's own — get
// (minus the router's `s`), post, then json — so a callback's gateway payload is read by the
// packs' `payload:` rules. Masked values are dropped (a "***" sign would read as a forged one)
// and their keys listed in `masked`, unless the unmasked `uri` (REQUEST_URI as sent) gives the
// value back, as it does for a GET callback's sign. No status or size: the log is written
// before the answer.

type Obj = Record<string, unknown>;

const ROUTER_KEYS = new Set(['s', '_route', '_PARAMETER']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** True when the object has the request log's own keys. */
function isRequestRecord(o: Obj): boolean {
  return typeof o.time === 'string' && typeof o.uri === 'string' && typeof o.method === 'string' && 'get' in o && 'ip' in o;
}

function addAll(into: Record<string, string>, from: unknown, masked: string[]): void {
  if (from === null || typeof from !== 'object' || Array.isArray(from)) return;
  for (const [k, v] of Object.entries(flattenContext(from))) {
    if (ROUTER_KEYS.has(k) || k.startsWith('_PARAMETER.')) continue;
    if (v === '***') {
      masked.push(k);
      continue;
    }
    if (!(k in into)) into[k] = v;
  }
}

export function readRequestRecord(o: Obj): { fields: Record<string, string>; params: Record<string, string> } {
  const fields: Record<string, string> = {};
  const uri = str(o.uri) ?? '';
  const q = uri.indexOf('?');
  fields.method = (str(o.method) ?? '').toUpperCase();
  fields.path = q < 0 ? uri : uri.slice(0, q);
  fields.query = q < 0 ? '' : uri.slice(q + 1);
  const ip = str(o.ip);
  if (ip !== undefined) fields.client_ip = ip;
  const ua = str(o.user_agent);
  if (ua !== undefined && ua !== '') fields.ua = ua;
  const ref = str(o.referer);
  if (ref !== undefined && ref !== '') fields.referrer = ref;
  const params: Record<string, string> = {};
  const masked: string[] = [];
  addAll(params, o.get, masked);
  addAll(params, o.post, masked);
  addAll(params, o.json, masked);
  // The query as sent, for what $_GET lost (it is the same set, decoded, in practice).
  if (fields.query !== '') {
    const qp = decodeQuery(fields.query);
    for (const k of Object.keys(qp)) if (!(k in params) && !ROUTER_KEYS.has(k) && qp[k] !== '***') params[k] = qp[k]!;
  }
  const raw = str(o.raw_body);
  if (raw !== undefined && raw !== '') {
    fields.raw_body = raw;
    // A body PHP did not decode into post/json (XML, or JSON without its content type): the
    // gateway readers take it as the logged body.
    if (Object.keys(params).length === 0 || raw.trimStart().startsWith('<')) fields.request_body = raw;
  }
  // REQUEST_URI is written unmasked: a masked $_GET value recovered from it is not lost.
  const lost = [...new Set(masked)].filter((k) => !(k in params));
  if (lost.length > 0) fields.masked = lost.join(',');
  return { fields, params };
}

export const acgFakaRequest: ParserDefinition = {
  id: 'acg-faka-request',
  family: 'nginx',
  describe: 'acg-faka (异次元发卡) request log runtime/request/<md5>/<Y-m-d>.log: one JSON object per request',
  detect(sample) {
    let hits = 0;
    for (const raw of sample) {
      const l = stripBom(raw).trim();
      if (!l.startsWith('{"time":"')) continue;
      try {
        const v = JSON.parse(l) as unknown;
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && isRequestRecord(v as Obj)) hits++;
      } catch {
        // not one
      }
    }
    return sample.length === 0 ? 0 : hits / sample.length;
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    return {
      line(raw, lineNo, offset) {
        const text = (lineNo === 1 ? stripBom(raw) : raw).trim();
        if (text === '') {
          sink.blank(lineNo);
          return;
        }
        let v: unknown;
        try {
          v = JSON.parse(text);
        } catch {
          sink.reject(lineNo, offset, 'malformed JSON (cut short?) / JSON 格式错误（行被截断？）', raw);
          return;
        }
        if (v === null || typeof v !== 'object' || Array.isArray(v)) {
          sink.reject(lineNo, offset, 'not a JSON object / 不是 JSON 对象', raw);
          return;
        }
        const o = v as Obj;
        // RequestLogger's fallback when json_encode failed (bad UTF-8 in the request): only the
        // time survives, so the request is lost; said so rather than dropped.
        if (typeof o.error === 'string' && o.uri === undefined) {
          sink.reject(lineNo, offset, `request not recorded by acg-faka: ${o.error} ${str(o.json_last_error_msg) ?? ''} / acg-faka 未能记录该请求`.trim(), raw);
          return;
        }
        if (!isRequestRecord(o)) {
          sink.reject(lineNo, offset, 'not an acg-faka request record (time, ip, method, uri, get) / 不是 acg-faka 请求日志记录', raw);
          return;
        }
        const wall = wallMsFromYmdHis(o.time as string);
        let tsMs = NaN;
        let tzOffsetMin = 0;
        if (!Number.isNaN(wall)) {
          const r = ctx.clock.resolveWall(wall);
          tsMs = r.ms;
          tzOffsetMin = r.offsetMin;
        }
        const { fields, params } = readRequestRecord(o);
        const ev: LogEvent = { format: 'acg-faka-request', file: ctx.file, line: lineNo, lineEnd: lineNo, offset, tsMs, tzOffsetMin, fields, params };
        sink.event(ev);
      },
      end() {
        // one line per record: nothing to flush
      },
    };
  },
};
