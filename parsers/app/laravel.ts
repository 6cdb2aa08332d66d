import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { wallMsFromYmdHis } from '../time';
import { flattenContext, splitMessageContext } from './json-context';
import { EntryFolder, entryEvent, openEntry, type OpenEntry } from './entry-folder';
import { exceptionParams, readExceptionHead } from './php-trace';

// Laravel / Monolog: `[2026-11-21 14:03:11] local.INFO: message {"context":1}`.
// Lines that do not start with a header (stack traces, pretty-printed arrays) belong to the
// entry above them; the entry keeps its first and last line numbers for provenance.
const HEADER = /^\[(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})(?:\.(\d+))?([+-]\d{2}:?\d{2})?\] ([\w-]+)\.([A-Za-z]+): ?(.*)$/;

/** Lines that Monolog writes inside an exception entry. */
const STACK_LINE = /^(?:#\d+ |\[stacktrace\]|\[previous exception\]|"\}|\s+at |Stack trace:)/;


interface Open extends OpenEntry {
  channel: string;
  level: string;
}

function digit(s: string, i: number): number {
  return s.charCodeAt(i) - 48;
}

/** `+08:00` or `+0800` (the header regex has checked the shape) → minutes east of UTC. */
function explicitOffset(s: string): number {
  const sign = s.charCodeAt(0) === 45 /* - */ ? -1 : 1;
  const m = s.length === 6 ? 4 : 3;
  return sign * ((digit(s, 1) * 10 + digit(s, 2)) * 60 + digit(s, m) * 10 + digit(s, m + 1));
}

/** Milliseconds from a fraction of a second's digits (`123456` → 123); 0 when absent. */
function fractionMs(digits: string | undefined): number {
  if (digits === undefined) return 0;
  let ms = 0;
  for (let i = 0; i < 3; i++) ms = ms * 10 + (i < digits.length ? digit(digits, i) : 0);
  return ms;
}

export const laravel: ParserDefinition = {
  id: 'laravel',
  family: 'laravel',
  describe: 'Laravel / Monolog application log (dujiaoka storage/logs/laravel.log)',
  detect(sample) {
    // A log that only holds exceptions is mostly stack trace: such lines count for Laravel
    // too, as long as entries (headers) are there to own them.
    let headers = 0;
    let trace = 0;
    for (const l of sample) {
      if (HEADER.test(l)) headers++;
      else if (STACK_LINE.test(l)) trace++;
    }
    if (headers === 0) return 0;
    const share = Math.min(1, ((headers + trace) / sample.length) * 0.5 + (headers / sample.length) * 1.5);
    // The header is specific enough to stand alone: a log whose entries carry long dumps
    // (print_r, var_dump, pretty JSON) has few header lines per sample, but a file that opens
    // with one and has more is Laravel's, whatever fills the lines between.
    return headers >= 2 && HEADER.test(sample[0]!) ? Math.max(share, 0.8) : share;
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    const folder = new EntryFolder<Open>(sink, (o) => {
      const { message, context } = splitMessageContext(o.message);
      const fields: Record<string, string> = { channel: o.channel, level: o.level.toUpperCase(), message };
      if (o.more.length > 0) fields.body = o.more.join('\n');
      let params: Record<string, string> | undefined;
      if (context !== undefined) params = flattenContext(context);
      else if (o.message.indexOf('{"exception":"[object] (') >= 0) {
        // A reported exception: its context is not JSON (Monolog put real newlines back into
        // it), so its head and first frame are read as they are (php-trace.ts).
        const head = readExceptionHead(o.message);
        if (head !== null) {
          fields.message = o.message.slice(0, o.message.indexOf('{"exception":"[object] (')).trimEnd();
          params = exceptionParams(head, o.more);
        }
      }
      else if (o.more.length > 0 && o.message.indexOf('{') >= 0) {
        // A pretty-printed context spread over several lines.
        const whole = splitMessageContext(o.message + '\n' + o.more.join('\n'));
        if (whole.context !== undefined) {
          fields.message = whole.message;
          params = flattenContext(whole.context);
        }
      }
      const ev = entryEvent('laravel', ctx.file, o, fields);
      if (params) ev.params = params;
      return ev;
    });

    return {
      line(text, lineNo, offset) {
        const m = text.charCodeAt(0) === 91 /* [ */ ? HEADER.exec(text) : null;
        if (m === null) {
          if (text.trim() === '') folder.blank(lineNo);
          else folder.continuation(text, lineNo, offset, 'continuation line with no log entry header above it / 缺少日志头的续行');
          return;
        }
        const wall = wallMsFromYmdHis(m[1]!) + fractionMs(m[2]);
        if (Number.isNaN(wall)) {
          folder.close();
          sink.reject(lineNo, offset, `bad timestamp [${m[1]}] / 时间戳无效`, text);
          return;
        }
        let tsMs: number;
        let tzOffsetMin: number;
        if (m[3] !== undefined) {
          tzOffsetMin = explicitOffset(m[3]);
          tsMs = wall - tzOffsetMin * 60000;
        } else {
          const r = ctx.clock.resolveWall(wall);
          tsMs = r.ms;
          tzOffsetMin = r.offsetMin;
        }
        folder.begin(openEntry(lineNo, offset, tsMs, tzOffsetMin, m[6]!, { channel: m[4]!, level: m[5]! }));
      },
      end() {
        folder.close();
      },
    };
  },
};
