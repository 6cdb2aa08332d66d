import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { EntryFolder, dumpedEntryEvent, openEntry, type OpenEntry } from './entry-folder';
import { resolveStamp, scanStamp, stripBom } from './timestamp';

// The last resort for application logs that start each entry with a timestamp:
//     2026-11-21 14:03:11 INFO message
//     2026-11-21 14:03:11.123+08:00 ERROR message
//     2026/11/21 14:03:11 [error] message          (nginx error.log, Go's log package)
//     [2026-11-21 14:03:11] WARNING: message
//     2026-11-21T14:03:11,123 message without a level
// The level is the first word after the time when it is a known level name (brackets and a
// trailing colon removed, upper-cased); otherwise the entry has no level and the message is
// everything after the time. Lines that do not start with a timestamp (stack traces, dumps)
// belong to the entry above them; a JSON context or PHP array dump becomes params. Its detection confidence is capped well below the specific
// parsers', so it only claims files nothing else recognises.

const LEVELS = new Set([
  'TRACE', 'DEBUG', 'INFO', 'INFORMATION', 'NOTICE', 'NOTIC', 'WARN', 'WARNING', 'ERR', 'ERROR',
  'CRIT', 'CRITICAL', 'ALERT', 'EMERG', 'EMERGENCY', 'FATAL', 'SEVERE', 'FINE', 'PANIC',
]);

/** The most generic detection can say: any specific parser that recognises the lines wins. */
export const GENERIC_MAX_CONFIDENCE = 0.6;


interface Header {
  wallMs: number;
  offsetMin: number | undefined;
  level: string | undefined;
  message: string;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** Reads a generic header; null when the line does not start with one. */
export function readGenericHeader(text: string): Header | null {
  const c0 = text.charCodeAt(0);
  const bracket = c0 === 91; /* [ */
  if (!bracket && (c0 < 48 || c0 > 57)) return null;
  const st = scanStamp(text, bracket ? 1 : 0);
  if (st === null) return null;
  let i = st.end;
  if (bracket) {
    if (text.charCodeAt(i) !== 93 /* ] */) return null;
    i++;
  }
  if (i < text.length && !isSpace(text.charCodeAt(i))) return null;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  // The first word, as a possible level.
  let j = i;
  while (j < text.length && !isSpace(text.charCodeAt(j))) j++;
  let word = text.slice(i, j);
  if (word.endsWith(':')) word = word.slice(0, -1);
  if (word.length > 2 && ((word.startsWith('[') && word.endsWith(']')) || (word.startsWith('<') && word.endsWith('>')))) word = word.slice(1, -1);
  const upper = word.toUpperCase();
  let level: string | undefined;
  if (LEVELS.has(upper)) {
    level = upper;
    i = j;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    // `LEVEL - message` and `LEVEL: message` are common too.
    if (text.charCodeAt(i) === 45 /* - */ && isSpace(text.charCodeAt(i + 1))) i += 2;
  }
  return { wallMs: st.wallMs, offsetMin: st.offsetMin, level, message: text.slice(i).trimEnd() };
}

interface Open extends OpenEntry {
  level: string | undefined;
}

export const generic: ParserDefinition = {
  id: 'generic',
  family: 'generic',
  describe: 'Any log whose entries start with YYYY-MM-DD HH:MM:SS or YYYY/MM/DD HH:MM:SS [LEVEL] message (low confidence fallback)',
  detect(sample) {
    let headers = 0;
    for (const l of sample) if (readGenericHeader(l) !== null) headers++;
    if (headers === 0) return 0;
    // Stack traces are common in such logs: a quarter of the lines being headers is enough for
    // the full (capped) confidence.
    return GENERIC_MAX_CONFIDENCE * Math.min(1, (headers / sample.length) * 4);
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    const folder = new EntryFolder<Open>(sink, (o) => {
      const fields: Record<string, string> = { message: o.message };
      if (o.level !== undefined) fields.level = o.level;
      return dumpedEntryEvent('generic', ctx.file, o, fields);
    });

    return {
      line(raw, lineNo, offset) {
        const text = lineNo === 1 ? stripBom(raw) : raw;
        const h = readGenericHeader(text);
        if (h !== null) {
          const r = resolveStamp({ wallMs: h.wallMs, offsetMin: h.offsetMin, end: 0 }, ctx.clock);
          folder.begin(openEntry(lineNo, offset, r.tsMs, r.tzOffsetMin, h.message, { level: h.level }));
          return;
        }
        if (text.trim() === '') {
          folder.blank(lineNo);
          return;
        }
        folder.continuation(text, lineNo, offset, 'continuation line with no timestamped entry above it / 缺少时间戳的续行');
      },
      end() {
        folder.close();
      },
    };
  },
};
