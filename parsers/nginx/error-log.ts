import type { LogEvent } from '../../src/model/types';
import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { wallMsFromYmdHis } from '../time';
import { EntryFolder, entryEvent, openEntry, type OpenEntry } from '../app/entry-folder';
import { stripBom } from '../app/timestamp';
import { splitRequest } from './combined';

// nginx's error log (BT panel: /www/wwwlogs/<site>.error.log, `error_log … ;` in the vhost):
//
//   2026/11/21 14:03:11 [error] 1234#0: *5678 FastCGI sent in stderr: "PHP message: …" while
//   reading response header from upstream, client: 1.2.3.4, server: shop.example, request:
//   "POST /pay/alipay/notify_url HTTP/1.1", upstream: "fastcgi://unix:/tmp/php-cgi-74.sock:",
//   host: "shop.example", referrer: "https://…"
//
// The header is ngx_log_error_core's (src/core/ngx_log.c): local time `Y/m/d H:i:s`, [level],
// pid#tid, then `*connection ` when a connection is known. The trailing context is
// ngx_http_log_error's (src/http/ngx_http_request.c), always in this order: `, client: `,
// `, server: `, `, request: "…"`, `, subrequest: "…"`, `, upstream: "…"`, `, host: "…"`,
// `, referrer: "…"`. Text that PHP-FPM wrote to stderr is copied as it came, newlines
// included, so a PHP stack trace spreads one entry over several lines and the context ends the
// last one: lines that do not start with a header fold into the entry above (entry-folder.ts).
//
// Fields are nginx-shaped, so the nginx rule packs read the request (family nginx): client_ip,
// server, method, path, query, protocol, upstream, host, referrer; plus level, pid, tid,
// connection and message (the text before the context). There is no status and no bytes: an
// error entry does not say how the request was answered. php_fatal is `yes` when PHP reported a
// fatal error or an uncaught exception, i.e. the script died and the answer was an error page.

const HEADER = /^(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}) \[(debug|info|notice|warn|error|crit|alert|emerg)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)$/;
/** A line that starts like a header but is not one (cut short, mangled). */
const HEADER_START = /^\d{4}\/\d{2}\/\d{2}(?: |$)/;
/** ngx_http_log_error's context, anchored at the end of the entry's text. */
const CONTEXT = /, client: ([^,\s]*)(?:, server: ([^,]*?))?(?:, request: "(.*?)")?(?:, subrequest: "(.*?)")?(?:, upstream: "(.*?)")?(?:, host: "(.*?)")?(?:, referrer: "(.*?)")?$/s;
const PHP_FATAL = /PHP (?:Fatal error|Parse error)|Uncaught /;

interface Open extends OpenEntry {
  level: string;
  pid: string;
  tid: string;
  conn: string | undefined;
}

/** The request context nginx appended to an error entry's text, when there is one. */
export interface ErrorContext {
  /** The text before the context. */
  message: string;
  fields: Record<string, string>;
}

export function readErrorContext(text: string): ErrorContext {
  // The context is the last `, client: ` that parses to the end: a PHP message may itself say
  // ", client: " earlier on.
  let at = text.lastIndexOf(', client: ');
  while (at >= 0) {
    const m = CONTEXT.exec(text.slice(at));
    if (m !== null && m.index === 0) {
      const fields: Record<string, string> = { client_ip: m[1]! };
      if (m[2] !== undefined) fields.server = m[2];
      if (m[3] !== undefined) {
        const r = splitRequest(m[3]);
        fields.request = m[3];
        if (r.method !== '') {
          fields.method = r.method;
          fields.path = r.path;
          fields.query = r.query;
          if (r.protocol) fields.protocol = r.protocol;
        }
      }
      if (m[4] !== undefined) fields.subrequest = m[4];
      if (m[5] !== undefined) fields.upstream = m[5];
      if (m[6] !== undefined) fields.host = m[6];
      if (m[7] !== undefined) fields.referrer = m[7];
      return { message: text.slice(0, at), fields };
    }
    at = at === 0 ? -1 : text.lastIndexOf(', client: ', at - 1);
  }
  return { message: text, fields: {} };
}

function finish(file: string, o: Open): LogEvent {
  const text = o.more.length > 0 ? [o.message, ...o.more].join('\n') : o.message;
  const { message, fields } = readErrorContext(text);
  fields.level = o.level;
  fields.pid = o.pid;
  fields.tid = o.tid;
  if (o.conn !== undefined) fields.connection = o.conn;
  fields.message = message;
  if (PHP_FATAL.test(message)) fields.php_fatal = 'yes';
  return entryEvent('nginx-error', file, o, fields);
}

const DAMAGED = { looks: HEADER_START, reason: 'damaged nginx error header (cut short?) / nginx 错误日志头不完整' };

export const nginxError: ParserDefinition = {
  id: 'nginx-error',
  family: 'nginx',
  describe: 'nginx error log (BT panel <site>.error.log): Y/m/d H:i:s [level] pid#tid: *conn message, client: …, request: "…"',
  detect(sample) {
    let headers = 0;
    for (const l of sample) {
      if (l.charCodeAt(0) < 48 || l.charCodeAt(0) > 57) continue;
      if (HEADER.test(l)) headers++;
    }
    if (headers === 0) return 0;
    // PHP stack traces make continuation lines common. The header is specific (level in
    // brackets, pid#tid:), so any share of headers votes above generic, which reads the same
    // lines as timestamped text with a vote capped at 0.6 for the same share.
    return 0.35 + 0.65 * Math.min(1, (headers / sample.length) * 4);
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    const folder = new EntryFolder<Open>(sink, (o) => finish(ctx.file, o));
    return {
      line(raw, lineNo, offset) {
        const text = lineNo === 1 ? stripBom(raw) : raw;
        const m = text.charCodeAt(0) >= 48 && text.charCodeAt(0) <= 57 ? HEADER.exec(text) : null;
        if (m === null) {
          folder.nonHeader(text, lineNo, offset, DAMAGED, 'continuation line with no nginx error header above it / 缺少 nginx 错误日志头的续行');
          return;
        }
        const wall = wallMsFromYmdHis(m[1]!);
        if (Number.isNaN(wall)) {
          folder.close();
          sink.reject(lineNo, offset, `bad timestamp ${m[1]} / 时间戳无效`, text);
          return;
        }
        const r = ctx.clock.resolveWall(wall);
        folder.begin(openEntry(lineNo, offset, r.ms, r.offsetMin, m[6]!, { level: m[2]!, pid: m[3]!, tid: m[4]!, conn: m[5] }));
      },
      end() {
        folder.close();
      },
    };
  },
};
