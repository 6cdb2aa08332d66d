import type { LogEvent } from '../src/model/types';
import type { LineParser, ParseSink, ParserContext } from './parser';

/** The result of reading one line: the event without its provenance, or why it was rejected. */
export type LineRead = Omit<LogEvent, 'file' | 'line' | 'lineEnd' | 'offset'> | string;

/** A LineParser for formats where every line is one entry: provenance, blanks and rejects in one place. */
export function singleLineParser(ctx: ParserContext, sink: ParseSink, read: (text: string) => LineRead): LineParser {
  return {
    line(text, lineNo, offset) {
      if (text.length === 0) {
        sink.blank(lineNo);
        return;
      }
      const r = read(text);
      if (typeof r === 'string') {
        sink.reject(lineNo, offset, r, text);
        return;
      }
      const ev = r as LogEvent;
      ev.file = ctx.file;
      ev.line = lineNo;
      ev.lineEnd = lineNo;
      ev.offset = offset;
      sink.event(ev);
    },
    end() {},
  };
}
