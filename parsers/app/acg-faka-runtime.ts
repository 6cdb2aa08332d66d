import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { wallMsFromYmdHis } from '../time';
import { EntryFolder, dumpedEntryEvent, openEntry, type OpenEntry } from './entry-folder';
import { stripBom } from './timestamp';

// acg-faka (异次元发卡) payment plugins append to app/Pay/<Handle>/runtime.log through
// PayConfig::log(): `[CALLBACK][2026-11-21 14:03:11]:签名验证失败`. The tag is CALLBACK for
// callback failures; plugins and operators use the same call with other tags ([NOTIFY],
// [ERROR], …), so any `[TAG][Y-m-d H:i:s]:message` is a header. The time is local wall time.
// A plugin that logs a json_encode / print_r / var_export dump writes it over the following
// lines: every line without a header belongs to the entry above it, and the dump, when it can
// be read, becomes the entry's params. Blank lines between two entries are blanks (noise), not
// part of either entry; blank lines inside a dump belong to it.
//
// Fields: tag (as written), channel (the same, so rules can treat app logs alike), message,
// body (the continuation lines, when any).

const HEADER = /^\[([A-Za-z][A-Za-z0-9_-]{0,31})\]\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\]: ?(.*)$/;
/** The start of a header: a line that begins so but is no header was damaged (cut short, mangled). */
const HEADER_START = /^\[[A-Za-z][A-Za-z0-9_-]{0,31}\]\[\d/;


interface Open extends OpenEntry {
  tag: string;
}

export const acgFakaRuntime: ParserDefinition = {
  id: 'acg-faka-runtime',
  family: 'acg-faka',
  describe: 'acg-faka (异次元发卡) payment plugin log app/Pay/<Handle>/runtime.log: [TAG][Y-m-d H:i:s]:message',
  detect(sample) {
    let headers = 0;
    let damaged = 0;
    for (const l of sample) {
      if (l.charCodeAt(0) !== 91 /* [ */) continue;
      if (HEADER.test(l)) headers++;
      else if (HEADER_START.test(l)) damaged++;
    }
    if (headers + damaged === 0) return 0;
    // Dumps over several lines are legitimate, so count headers against a generous share of lines.
    const score = Math.min(1, ((headers + damaged / 2) / sample.length) * 2);
    // Only damaged headers (a file that is one cut-off line): still this format, less surely.
    return headers > 0 ? score : Math.min(0.5, score);
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    const folder = new EntryFolder<Open>(sink, (o) => {
      const fields: Record<string, string> = { tag: o.tag, channel: o.tag, message: o.message };
      return dumpedEntryEvent('acg-faka-runtime', ctx.file, o, fields);
    });

    return {
      line(raw, lineNo, offset) {
        const text = lineNo === 1 ? stripBom(raw) : raw;
        const m = text.charCodeAt(0) === 91 /* [ */ ? HEADER.exec(text) : null;
        if (m === null) {
          if (text.trim() === '') {
            folder.blank(lineNo);
            return;
          }
          if (HEADER_START.test(text)) {
            // Not a dump line: a header whose time or colon is missing, e.g. the cut-off last line.
            folder.close();
            sink.reject(lineNo, offset, 'damaged [TAG][time]: header (cut short?) / 日志头不完整', text);
            return;
          }
          folder.continuation(text, lineNo, offset, 'continuation line with no [TAG][time]: header above it / 缺少日志头的续行');
          return;
        }
        const wall = wallMsFromYmdHis(m[2]!);
        if (Number.isNaN(wall)) {
          folder.close();
          sink.reject(lineNo, offset, `bad timestamp [${m[2]}] / 时间戳无效`, text);
          return;
        }
        const r = ctx.clock.resolveWall(wall);
        folder.begin(openEntry(lineNo, offset, r.ms, r.offsetMin, m[3]!.trimEnd(), { tag: m[1]! }));
      },
      end() {
        folder.close();
      },
    };
  },
};
