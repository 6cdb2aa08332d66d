import { LineSplitter } from '../../src/sources/line-splitter';
import { decodeLine } from '../../src/sources/decode-line';
import { ZoneClock } from '../../parsers/time';
import type { ParserDefinition } from '../../parsers/parser';
import type { LogEvent } from '../../src/model/types';

// A parser run over a whole buffer the way the pipeline reads files, for parser tests.

export interface Run {
  events: Map<number, LogEvent>; // by byte offset
  rejects: Map<number, { lineNo: number; reason: string }>;
  lines: number;
}

/** Read a whole buffer the way the pipeline does (LineSplitter → decodeLine → parser). */
export function runParser(def: ParserDefinition, buf: Buffer, file = 'f.log'): Run {
  const events = new Map<number, LogEvent>();
  const rejects = new Map<number, { lineNo: number; reason: string }>();
  const parser = def.create(
    { file, clock: new ZoneClock('Asia/Shanghai') },
    {
      event: (e) => events.set(e.offset, e),
      reject: (lineNo, offset, reason) => rejects.set(offset, { lineNo, reason }),
      blank: () => {},
    },
  );
  const splitter = new LineSplitter(
    {
      line(b, s, e, lineNo, offset) {
        const d = decodeLine(b, s, e);
        if (!d.ok) rejects.set(offset, { lineNo, reason: d.reason });
        else parser.line(d.text, lineNo, offset);
      },
      overlong(_h, length, lineNo, offset) {
        rejects.set(offset, { lineNo, reason: `overlong ${length}` });
      },
    },
    1 << 20,
  );
  for (let i = 0; i < buf.length; i += 65536) splitter.push(buf.subarray(i, i + 65536));
  const stats = splitter.end();
  parser.end();
  return { events, rejects, lines: stats.lines };
}
