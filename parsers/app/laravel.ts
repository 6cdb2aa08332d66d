import type { LogEvent } from '../../src/model/types';
import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { wallMsFromYmdHis } from '../time';
import { flattenContext, splitMessageContext } from './json-context';

// Laravel / Monolog: `[2026-11-21 14:03:11] local.INFO: message {"context":1}`.
// Lines that do not start with a header (stack traces, pretty-printed arrays) belong to the
// entry above them; the entry keeps its first and last line numbers for provenance.
const HEADER = /^\[(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})(?:\.\d+)?([+-]\d{2}:?\d{2})?\] ([\w-]+)\.([A-Za-z]+): ?(.*)$/;

/** Continuation text kept per entry: enough for a stack trace's head, bounded for memory. */
const MAX_ENTRY_CHARS = 64 * 1024;

interface Open {
  line: number;
  lineEnd: number;
  offset: number;
  tsMs: number;
  tzOffsetMin: number;
  channel: string;
  level: string;
  first: string;
  more: string[];
  moreChars: number;
}

function explicitOffset(s: string): number {
  const sign = s[0] === '-' ? -1 : 1;
  const digits = s.replace(/[^0-9]/g, '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

export const laravel: ParserDefinition = {
  id: 'laravel',
  family: 'laravel',
  describe: 'Laravel / Monolog application log (dujiaoka storage/logs/laravel.log)',
  detect(sample) {
    let headers = 0;
    for (const l of sample) if (HEADER.test(l)) headers++;
    if (headers === 0) return 0;
    // Stack-trace lines are legitimate here, so count headers against a generous share of lines.
    return Math.min(1, (headers / sample.length) * 2);
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    let open: Open | null = null;

    const finish = (o: Open) => {
      const { message, context } = splitMessageContext(o.first);
      const fields: Record<string, string> = { channel: o.channel, level: o.level.toUpperCase(), message };
      if (o.more.length > 0) fields.body = o.more.join('\n');
      let params: Record<string, string> | undefined;
      if (context !== undefined) params = flattenContext(context);
      else if (o.more.length > 0 && o.first.indexOf('{') >= 0) {
        // A pretty-printed context spread over several lines.
        const whole = splitMessageContext(o.first + '\n' + o.more.join('\n'));
        if (whole.context !== undefined) {
          fields.message = whole.message;
          params = flattenContext(whole.context);
        }
      }
      const ev: LogEvent = {
        format: 'laravel',
        file: ctx.file,
        line: o.line,
        lineEnd: o.lineEnd,
        offset: o.offset,
        tsMs: o.tsMs,
        tzOffsetMin: o.tzOffsetMin,
        fields,
      };
      if (params) ev.params = params;
      sink.event(ev);
    };

    return {
      line(text, lineNo, offset) {
        const m = text.charCodeAt(0) === 91 /* [ */ ? HEADER.exec(text) : null;
        if (m === null) {
          if (open === null && text.trim() === '') {
            sink.blank(lineNo);
            return;
          }
          if (open === null) {
            sink.reject(lineNo, offset, 'continuation line with no log entry header above it / 缺少日志头的续行', text);
            return;
          }
          open.lineEnd = lineNo;
          if (open.moreChars < MAX_ENTRY_CHARS) {
            open.more.push(text);
            open.moreChars += text.length;
          }
          return;
        }
        if (open !== null) finish(open);
        const wall = wallMsFromYmdHis(m[1]!);
        if (Number.isNaN(wall)) {
          open = null;
          sink.reject(lineNo, offset, `bad timestamp [${m[1]}] / 时间戳无效`, text);
          return;
        }
        let tsMs: number;
        let tzOffsetMin: number;
        if (m[2] !== undefined) {
          tzOffsetMin = explicitOffset(m[2]);
          tsMs = wall - tzOffsetMin * 60000;
        } else {
          const r = ctx.clock.resolveWall(wall);
          tsMs = r.ms;
          tzOffsetMin = r.offsetMin;
        }
        open = { line: lineNo, lineEnd: lineNo, offset, tsMs, tzOffsetMin, channel: m[3]!, level: m[4]!, first: m[5]!, more: [], moreChars: 0 };
      },
      end() {
        if (open !== null) finish(open);
        open = null;
      },
    };
  },
};
