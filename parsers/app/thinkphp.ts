import type { LogEvent } from '../../src/model/types';
import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { readDump } from './php-dump';
import { resolveStamp, scanStamp, stripBom, type Resolved } from './timestamp';

// ThinkPHP's File log driver (runtime/log/YYYYMM/DD.log), in the shapes its versions write:
//
// TP6 / TP8, one header per entry (format '[%s][%s] %s', time_format 'c'):
//     [2026-11-21T14:03:11+08:00][info] message
//     [2026-11-21T14:03:11+08:00][error] array (          ← var_export over the next lines
//       'out_trade_no' => '…',
//     )
//
// TP5 (5.0/5.1) and TP3.2, one block per request: a request header carrying the time, then one
// line per message without a time of its own, and a separator (5.1 writes it before the header,
// 5.0 after the last message):
//     ---------------------------------------------------------------
//     [ 2026-11-21T14:03:11+08:00 ] 127.0.0.1 GET shop.example/index/pay   (5.1: ip method host+uri)
//     [ 2026-11-21T14:03:11+08:00 ] 10.0.0.5 127.0.0.1 GET /index/pay      (5.0: server remote method uri)
//     [ 2026-11-21T14:03:11+08:00 ] 127.0.0.1 /index/pay                    (3.2: remote uri)
//     [ info ] [ PARAM ] array (                                              (5.x)
//       'out_trade_no' => '…',
//     )
//     [ sql ] [ SQL ] SELECT … [ RunTime:0.000542s ]
//     INFO: [ app_init ] --START--                                            (3.2)
//
// How a block is folded (the choice, documented for provenance):
//   * The separator line is structure, not content: it is counted as a blank (noise).
//   * The request header is an event of its own (fields client_ip, method, path, query, url,
//     server_ip), so rules can match ThinkPHP requests like nginx lines, and so a block whose
//     messages are lost still proves the request.
//   * Each message line is an event of its own with the block's time, its level upper-cased and
//     a leading `[ TAG ]` moved into fields.tag. Lines without a header (var_export dumps,
//     stack traces) fold into the event above them; a readable dump becomes its params.
//   * A message line outside any block (the file starts mid-block after rotation) is still an
//     event, with no time (tsMs NaN), rather than a reject: its content may be evidence.
//   * Blank lines between entries are blanks; blank lines inside a dump belong to it.

const TP6_HEADER = /^\[(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}[^\]]{0,16})\]\[([A-Za-z_]{1,16})\] ?(.*)$/;
const BLOCK_HEADER = /^\[ ?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}[^\] ]{0,16}) ?\] (\S+)(?: (.*))?$/;
const TP5_LEVEL = /^\[ ([A-Za-z_]{1,16}) \] ?(.*)$/;
const TP3_LEVEL = /^(EMERG|ALERT|CRIT|ERR|WARN|NOTIC|NOTICE|INFO|DEBUG|SQL): ?(.*)$/;
const TAG = /^\[ ([^\]]{1,40}?) \] ?(.*)$/;
const SEPARATOR = /^-{20,}\s*$/;
const IPISH = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]+|unknown)$/;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CLI']);

const MAX_ENTRY_CHARS = 64 * 1024;

interface Open {
  line: number;
  lineEnd: number;
  /** Physical lines this entry consumed: fewer than the span when a line inside it was rejected
   *  before reaching the parser (undecodable, overlong). */
  lines: number;
  offset: number;
  tsMs: number;
  tzOffsetMin: number;
  fields: Record<string, string>;
  /** Message lines: the message text, first line of a possible dump. Request headers: undefined. */
  message: string | undefined;
  more: string[];
  moreChars: number;
}

/** Fields of a request header's text after the time: `ip [ip] METHOD url` or `ip url`. */
export function requestFields(first: string, rest: string | undefined): Record<string, string> {
  const tokens = rest === undefined || rest === '' ? [first] : [first, ...rest.split(' ').filter((t) => t !== '')];
  let k = -1;
  for (let i = 1; i < tokens.length; i++) {
    if (METHODS.has(tokens[i]!)) {
      k = i;
      break;
    }
  }
  const fields: Record<string, string> = { message: rest === undefined ? first : first + ' ' + rest };
  let url: string;
  if (k > 0) {
    fields.client_ip = tokens[k - 1]!;
    if (k > 1) fields.server_ip = tokens[0]!;
    fields.method = tokens[k]!;
    url = tokens.slice(k + 1).join(' ');
  } else {
    fields.client_ip = tokens[0]!;
    url = tokens.slice(1).join(' ');
  }
  fields.url = url;
  let target = url;
  const scheme = target.indexOf('://');
  if (scheme > 0 && scheme < 8) target = target.slice(scheme + 3);
  if (target !== '' && target.charCodeAt(0) !== 47 /* / */) {
    // 5.1 writes host and uri together: `shop.example/index/pay?x=1`.
    const slash = target.indexOf('/');
    const q = target.indexOf('?');
    target = slash >= 0 && (q < 0 || slash < q) ? target.slice(slash) : q >= 0 ? '/' + target.slice(q) : '/';
  }
  const q = target.indexOf('?');
  fields.path = q < 0 ? target : target.slice(0, q);
  fields.query = q < 0 ? '' : target.slice(q + 1);
  return fields;
}

function messageFields(level: string, text: string): { fields: Record<string, string>; message: string } {
  const fields: Record<string, string> = { level: level.toUpperCase() };
  let message = text;
  const t = message.charCodeAt(0) === 91 /* [ */ ? TAG.exec(message) : null;
  if (t !== null) {
    fields.tag = t[1]!;
    message = t[2]!;
  }
  fields.message = message.trimEnd();
  return { fields, message: message.trimEnd() };
}

function isBlockHeader(m: RegExpExecArray | null): boolean {
  return m !== null && IPISH.test(m[2]!);
}

export const thinkphp: ParserDefinition = {
  id: 'thinkphp',
  family: 'thinkphp',
  describe: 'ThinkPHP 3.2/5.x/6.x File log (runtime/log): [time][level] message, or request blocks with [ level ] lines',
  detect(sample) {
    let headers = 0;
    let others = 0;
    for (const l of sample) {
      const c = l.charCodeAt(0);
      if (c === 91 /* [ */) {
        if (TP6_HEADER.test(l) || isBlockHeader(BLOCK_HEADER.exec(l))) headers++;
        else if (TP5_LEVEL.test(l)) others++;
      } else if (c === 45 /* - */ && SEPARATOR.test(l)) others++;
    }
    const hits = headers + others;
    if (hits === 0) return 0;
    const score = Math.min(1, (hits / sample.length) * 2);
    // Level lines alone (a file cut mid-block) are ThinkPHP too, but say less.
    return headers > 0 ? score : Math.min(0.5, score);
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    let open: Open | null = null;
    const blanks: number[] = [];
    /** The current request block's time (TP5/TP3), or null outside a block. */
    let block: Resolved | null = null;

    const finish = (o: Open) => {
      const ev: LogEvent = {
        format: 'thinkphp',
        file: ctx.file,
        line: o.line,
        lineEnd: o.lineEnd,
        lines: o.lines,
        offset: o.offset,
        tsMs: o.tsMs,
        tzOffsetMin: o.tzOffsetMin,
        fields: o.fields,
      };
      if (o.more.length > 0) o.fields.body = o.more.join('\n');
      if (o.message !== undefined) {
        const dump = readDump(o.more.length > 0 ? [o.message, ...o.more] : [o.message]);
        if (dump !== undefined) {
          ev.params = dump.params;
          if (dump.head !== undefined) o.fields.message = dump.head;
        }
      }
      sink.event(ev);
    };

    const close = () => {
      if (open !== null) finish(open);
      open = null;
      for (const n of blanks) sink.blank(n);
      blanks.length = 0;
    };

    const startMessage = (lineNo: number, offset: number, level: string, text: string) => {
      const { fields, message } = messageFields(level, text);
      open = {
        line: lineNo, lineEnd: lineNo, lines: 1, offset,
        tsMs: block?.tsMs ?? NaN, tzOffsetMin: block?.tzOffsetMin ?? 0,
        fields, message, more: [], moreChars: 0,
      };
    };

    return {
      line(raw, lineNo, offset) {
        const text = lineNo === 1 ? stripBom(raw) : raw;
        const c = text.charCodeAt(0);
        if (c === 91 /* [ */) {
          const h6 = TP6_HEADER.exec(text);
          if (h6 !== null) {
            const st = scanStamp(h6[1]!);
            close();
            block = null;
            if (st === null || st.end !== h6[1]!.length) {
              sink.reject(lineNo, offset, `bad timestamp [${h6[1]}] / 时间戳无效`, text);
              return;
            }
            const r = resolveStamp(st, ctx.clock);
            const { fields, message } = messageFields(h6[2]!, h6[3]!);
            open = { line: lineNo, lineEnd: lineNo, lines: 1, offset, tsMs: r.tsMs, tzOffsetMin: r.tzOffsetMin, fields, message, more: [], moreChars: 0 };
            return;
          } else {
            const hb = BLOCK_HEADER.exec(text);
            if (isBlockHeader(hb)) {
              const st = scanStamp(hb![1]!);
              close();
              if (st === null || st.end !== hb![1]!.length) {
                block = null;
                sink.reject(lineNo, offset, `bad timestamp [${hb![1]}] in a request header / 时间戳无效`, text);
                return;
              }
              block = resolveStamp(st, ctx.clock);
              open = {
                line: lineNo, lineEnd: lineNo, lines: 1, offset, tsMs: block.tsMs, tzOffsetMin: block.tzOffsetMin,
                fields: requestFields(hb![2]!, hb![3]), message: undefined, more: [], moreChars: 0,
              };
              return;
            }
            const lv = TP5_LEVEL.exec(text);
            if (lv !== null) {
              close();
              startMessage(lineNo, offset, lv[1]!, lv[2]!);
              return;
            }
          }
        } else if (c === 45 /* - */ && SEPARATOR.test(text)) {
          close();
          block = null;
          sink.blank(lineNo);
          return;
        } else if (block !== null && c >= 65 && c <= 90) {
          const lv = TP3_LEVEL.exec(text);
          if (lv !== null) {
            close();
            startMessage(lineNo, offset, lv[1]!, lv[2]!);
            return;
          }
        }
        if (text.trim() === '') {
          if (open === null) sink.blank(lineNo);
          else blanks.push(lineNo);
          return;
        }
        if (open === null) {
          sink.reject(lineNo, offset, 'line outside any ThinkPHP log entry (no [time][level] or [ level ] header above it) / 缺少日志头的续行', text);
          return;
        }
        const o: Open = open;
        if (o.moreChars < MAX_ENTRY_CHARS) {
          for (let i = 0; i < blanks.length; i++) o.more.push('');
          o.more.push(text);
          o.moreChars += text.length + 1;
        }
        o.lines += blanks.length + 1;
        blanks.length = 0;
        o.lineEnd = lineNo;
      },
      end() {
        close();
      },
    };
  },
};
