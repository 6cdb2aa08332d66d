import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../parser';
import { EntryFolder, dumpedEntryEvent, openEntry, type OpenEntry } from './entry-folder';
import { resolveStamp, scanStamp, stripBom } from './timestamp';

// Fragments: files that are not logs at all but hold what a log would — a developer's notes
// with a pasted notify, a saved request body, a print_r dump, WeChat's XML — often with no
// timestamp anywhere. The seed's team found such pieces on employees' machines and in test
// environments. A fragment file is cut into blocks (blank lines, or a new dump starting after
// one has closed); each block is one entry for the shape recogniser, which reads whatever
// payload it holds and dates it by the payload's own times when the block has none.
// Detection is the lowest of all: only files that no log parser claims, and only when the
// sample names keys that payloads and orders carry.

const PAYLOAD_HINT = /\b(?:out_trade_no|trade_no|order_sn|order_id|orderSn|transaction_id|notify_id|OutOrderId|trade_id|signature|Signature|sign|return_code|total_fee|gmt_payment|ciphertext)\b/;

/** A line that opens a structure at the left margin: a new dump, JSON object or XML document. */
const OPENER = /^(?:Array\s*$|array \($|array\(\d+\) \{$|object\([^)]*\)#\d+ \(\d+\) \{$|\{|\[\s*$|<xml[\s>]|<\?xml)/;
/** A line that closes one at the left margin. */
const CLOSER = /^(?:\)|\}|\]|<\/xml>)\s*,?\s*$/;

const LOG_LIKE = /^(?:\d{1,3}(?:\.\d{1,3}){3}[\s,]|[0-9a-f]*:[0-9a-f:]+\s|\[?\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}|\[\d{2}\/\w{3}\/\d{4}:)/;

export const FRAGMENTS_CONFIDENCE = 0.32;

interface Open extends OpenEntry {
  /** The block's last line closed a structure (or was a whole one-line JSON object). */
  closed: boolean;
}

function wholeLine(text: string): boolean {
  const t = text.trim();
  return (t.startsWith('{') && t.endsWith('}')) || (t.startsWith('<xml') && t.endsWith('</xml>'));
}

export const fragments: ParserDefinition = {
  id: 'fragments',
  family: 'fragments',
  describe: 'Saved payloads and notes without log timestamps (print_r / var_export / var_dump / JSON / XML / query strings), cut into blocks',
  detect(sample) {
    let hints = 0;
    let logLike = 0;
    for (const l of sample) {
      if (PAYLOAD_HINT.test(l)) hints++;
      if (LOG_LIKE.test(l)) logLike++;
    }
    // Lines that start like log lines (an address, a date) are a log in a format salvage does not
    // know: better said as such ("use --nginx-format") than read as loose fragments.
    if (logLike * 2 > sample.length) return 0;
    return hints > 0 ? FRAGMENTS_CONFIDENCE : 0;
  },
  create(ctx: ParserContext, sink: ParseSink): LineParser {
    const folder = new EntryFolder<Open>(sink, (o) => dumpedEntryEvent('fragments', ctx.file, o, { message: o.message }));
    let open: Open | null = null;
    const begin = (text: string, lineNo: number, offset: number) => {
      // A block may start with its own time (`2026-11-21 14:03:11 notify:`); most have none.
      const st = scanStamp(text, text.charCodeAt(0) === 91 ? 1 : 0);
      const r = st !== null ? resolveStamp(st, ctx.clock) : { tsMs: NaN, tzOffsetMin: 0 };
      open = openEntry(lineNo, offset, r.tsMs, r.tzOffsetMin, text, { closed: wholeLine(text) });
      folder.begin(open);
    };
    return {
      line(raw, lineNo, offset) {
        const text = lineNo === 1 ? stripBom(raw) : raw;
        if (text.trim() === '') {
          folder.close();
          open = null;
          sink.blank(lineNo);
          return;
        }
        if (open === null || (open.closed && (OPENER.test(text) || !/^\s/.test(text)))) {
          begin(text, lineNo, offset);
          return;
        }
        folder.continuation(text, lineNo, offset, 'fragment line outside any block / 片段外的行');
        open.closed = CLOSER.test(text) || (open.more.length === 0 && wholeLine(text));
      },
      end() {
        folder.close();
        open = null;
      },
    };
  },
};
