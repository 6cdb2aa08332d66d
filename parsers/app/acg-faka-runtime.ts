import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { wallMsFromYmdHis } from '../time';
import type { LogEvent } from '../../src/model/types';
import { EntryFolder, dumpedEntryEvent, entryEvent, openEntry, type OpenEntry } from './entry-folder';
import { readDump } from './php-dump';
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
// What acg-faka itself writes (lizhipay/acg-faka; see docs/log-shapes.md for the full list):
//   tags CALLBACK (order callbacks), CALLBACK-RECHARGE (balance top-ups), TRADE (a plugin's
//   trade() failing, Base::log), CONFIG (3.5.9+, PayProfile); every message on one line.
//   Up to 3.3.5 four CALLBACK messages end with `，接受数据：` + json_encode($map) — the callback
//   parameters as received (app/Service/Bind/Order.php at dfb3fb1). json_encode never writes a
//   raw newline, but a hand-edited or re-wrapped file can leave the JSON on the next line, so it
//   is read there too. The parameters become the entry's params and the message is cut to the
//   reason before the marker (`签名验证失败`), with `received: yes`.
//
// Fields: tag (as written), channel (the same, so rules can treat app logs alike), message,
// body (the continuation lines, when any), received (yes when the 接受数据 marker was there).

const HEADER = /^\[([A-Za-z][A-Za-z0-9_-]{0,31})\]\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\]: ?(.*)$/;
/** acg-faka's marker before the callback's JSON (≤ 3.3.5): `，接受数据：`, in full- or half-width. */
const RECEIVED = /[，,]\s*接受数据\s*[：:]\s*/;

/** The start of a header: a line that begins so but is no header was damaged (cut short, mangled). */
const HEADER_START = /^\[[A-Za-z][A-Za-z0-9_-]{0,31}\]\[\d/;


interface Open extends OpenEntry {
  tag: string;
}

/** Not a dump line: a header whose time or colon is missing, e.g. the cut-off last line. */
const DAMAGED = { looks: HEADER_START, reason: 'damaged [TAG][time]: header (cut short?) / 日志头不完整' };

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
      return receivedDataEvent(ctx.file, o, fields) ?? dumpedEntryEvent('acg-faka-runtime', ctx.file, o, fields);
    });

    return {
      line(raw, lineNo, offset) {
        const text = lineNo === 1 ? stripBom(raw) : raw;
        const m = text.charCodeAt(0) === 91 /* [ */ ? HEADER.exec(text) : null;
        if (m === null) {
          folder.nonHeader(text, lineNo, offset, DAMAGED, 'continuation line with no [TAG][time]: header above it / 缺少日志头的续行');
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

/**
 * The event of an entry whose message carries acg-faka's `，接受数据：<json>` suffix: the
 * reason before the marker is the message, the JSON (on the same line or the lines after) the
 * params. Undefined when there is no marker; with a marker but no readable JSON (json_encode
 * failed on bad UTF-8 and wrote nothing, or the line was cut), the reason is still the message
 * and whatever followed stays in `received_raw`.
 */
function receivedDataEvent(file: string, o: OpenEntry, fields: Record<string, string>): LogEvent | undefined {
  const m = RECEIVED.exec(o.message);
  if (m === null) return undefined;
  const head = o.message.slice(0, m.index);
  const rest = o.message.slice(m.index + m[0].length);
  const lines = rest.trim() === '' ? o.more : [rest, ...o.more];
  if (o.more.length > 0) fields.body = o.more.join('\n');
  fields.message = head;
  fields.received = 'yes';
  const ev = entryEvent('acg-faka-runtime', file, o, fields);
  const first = (lines[0] ?? '').trim();
  const dump = first.startsWith('{') || first.startsWith('[') ? readDump(lines) : undefined;
  if (dump !== undefined && dump.head === undefined) ev.params = dump.params;
  else if (lines.length > 0) fields.received_raw = lines.join('\n').slice(0, 4096);
  return ev;
}
