import type { LogEvent } from '../../src/model/types';
import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { parseTimeLocal, type ZoneClock } from '../time';
import { decodeQuery } from '../params';
import { clientIp, splitRequest } from '../nginx/combined';
import { flattenContext, MAX_JSON_CHARS } from './json-context';
import { fromEpoch, resolveStamp, scanStamp, stripBom, type Resolved } from './timestamp';

// One JSON object per line: Monolog's JsonFormatter, ThinkPHP with 'json' => true, nginx
// log_format … escape=json, and most structured loggers. Each line is one entry; nothing folds.
//
//   time     the first of @timestamp, timestamp, time, ts, datetime, date, time_iso8601,
//            time_local that is present: ISO 8601 with an offset, a local wall time (read with
//            the clock), nginx $time_local, or epoch seconds / ms / µs / ns (told apart by size).
//            A time that cannot be read leaves the entry without one (tsMs NaN).
//   level    level, severity or level_name (upper-cased; numeric levels kept as written)
//   message  message or msg; channel from channel or logger
//   request  when the object describes an HTTP request (request, or uri/request_uri with
//            method/request_method), fields method, path, query, status, client_ip, ua are
//            filled as for nginx lines, so path rules work on JSON access logs.
//   params   every key, flattened (nested objects as a.b), plus the query string's parameters
//            where the object does not already have a key of that name.
//
// A line that is not a JSON object is a reject with a reason, never an exception.

const TIME_KEYS = ['@timestamp', 'timestamp', 'time', 'ts', 'datetime', 'date', 'time_iso8601', 'time_local'];
const LEVEL_KEYS = ['level', 'severity', 'level_name'];
const MESSAGE_KEYS = ['message', 'msg'];
const CHANNEL_KEYS = ['channel', 'logger'];

type Obj = Record<string, unknown>;

function firstScalar(o: Obj, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return undefined;
}

function isNumeric(s: string): boolean {
  if (s === '') return false;
  let dot = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (++dot > 1) return false;
    } else if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The time of an object, from the first time key present; null when absent or unreadable. */
export function timeOf(o: Obj, clock: ZoneClock): Resolved | null {
  for (const k of TIME_KEYS) {
    const v = o[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'number') return fromEpoch(v, clock);
    if (typeof v !== 'string') return null;
    if (isNumeric(v)) return fromEpoch(Number(v), clock);
    const st = scanStamp(v);
    if (st !== null && st.end === v.length) return resolveStamp(st, clock);
    const tl = parseTimeLocal(v);
    if (!Number.isNaN(tl.ms)) return { tsMs: tl.ms, tzOffsetMin: tl.offsetMin };
    return null;
  }
  return null;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function requestFields(o: Obj, fields: Record<string, string>): void {
  let method = str(o.request_method) ?? str(o.method);
  let target = str(o.request_uri) ?? str(o.uri) ?? str(o.url);
  const request = str(o.request);
  if (request !== undefined && request.indexOf(' ') > 0) {
    const r = splitRequest(request);
    method ??= r.method;
    if (target === undefined) target = r.query ? r.path + '?' + r.query : r.path;
    if (r.protocol) fields.protocol = r.protocol;
  }
  if (target === undefined || method === undefined) return;
  const q = target.indexOf('?');
  fields.method = method.toUpperCase();
  fields.path = q < 0 ? target : target.slice(0, q);
  fields.query = q < 0 ? (str(o.args) ?? str(o.query_string) ?? '') : target.slice(q + 1);
  const status = str(o.status);
  if (status !== undefined) fields.status = status;
  const bytes = str(o.body_bytes_sent) ?? str(o.bytes);
  if (bytes !== undefined) fields.bytes = bytes;
  const ua = str(o.http_user_agent) ?? str(o.user_agent) ?? str(o.ua);
  if (ua !== undefined) fields.ua = ua;
  const ref = str(o.http_referer) ?? str(o.referrer) ?? str(o.referer);
  if (ref !== undefined) fields.referrer = ref;
  const remote = str(o.remote_addr) ?? str(o.client_ip) ?? str(o.ip);
  if (remote !== undefined) fields.client_ip = clientIp(remote, str(o.http_x_forwarded_for));
}

const MAX_REASON_CHARS = 160;

export const jsonl: ParserDefinition = {
  id: 'jsonl',
  family: 'jsonl',
  describe: 'JSON lines: one JSON object per line (Monolog JSON, ThinkPHP json, nginx escape=json, …)',
  detect(sample) {
    let objects = 0;
    for (const raw of sample) {
      const l = stripBom(raw).trim();
      if (l.charCodeAt(0) !== 123 /* { */ || l.charCodeAt(l.length - 1) !== 125 /* } */) continue;
      try {
        const v = JSON.parse(l) as unknown;
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) objects++;
      } catch {
        // counted as not JSON
      }
    }
    return sample.length === 0 ? 0 : objects / sample.length;
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    return {
      line(raw, lineNo, offset) {
        const text = (lineNo === 1 ? stripBom(raw) : raw).trim();
        if (text === '') {
          sink.blank(lineNo);
          return;
        }
        if (text.charCodeAt(0) !== 123 /* { */) {
          sink.reject(lineNo, offset, 'malformed JSON: the line does not start with { (not a JSON object) / 不是 JSON 对象', raw);
          return;
        }
        if (text.length > MAX_JSON_CHARS) {
          // Read, it would become an object graph several times its size (issue 10).
          sink.reject(lineNo, offset, `JSON line too large to read: ${text.length} characters (at most ${MAX_JSON_CHARS}) / JSON 行过大，未读取`, raw);
          return;
        }
        let v: unknown;
        try {
          v = JSON.parse(text);
        } catch (e) {
          let why = (e as Error).message;
          if (why.length > MAX_REASON_CHARS) why = why.slice(0, MAX_REASON_CHARS) + '…';
          sink.reject(lineNo, offset, `malformed JSON: ${why} / JSON 格式错误`, raw);
          return;
        }
        // A text that starts with `{` and parses is an object.
        const o = v as Obj;
        const fields: Record<string, string> = {};
        const level = firstScalar(o, LEVEL_KEYS);
        if (level !== undefined) fields.level = level.toUpperCase();
        const message = firstScalar(o, MESSAGE_KEYS);
        if (message !== undefined) fields.message = message;
        const channel = firstScalar(o, CHANNEL_KEYS);
        if (channel !== undefined) fields.channel = channel;
        requestFields(o, fields);
        const t = timeOf(o, ctx.clock);
        const params = flattenContext(o);
        if (fields.query) {
          const q = decodeQuery(fields.query);
          for (const k of Object.keys(q)) if (!(k in params)) params[k] = q[k]!;
        }
        const ev: LogEvent = {
          format: 'jsonl',
          file: ctx.file,
          line: lineNo,
          lineEnd: lineNo,
          offset,
          tsMs: t?.tsMs ?? NaN,
          tzOffsetMin: t?.tzOffsetMin ?? 0,
          fields,
          params,
        };
        sink.event(ev);
      },
      end() {
        // nothing folds: nothing to flush
      },
    };
  },
};
