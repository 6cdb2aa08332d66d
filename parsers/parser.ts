import type { LogEvent } from '../src/model/types';
import type { ZoneClock } from './time';

// A format is a ParserDefinition: it says how sure it is that some lines are its format
// (detection is a vote among parsers), and makes a per-file LineParser that turns decoded
// lines into LogEvents. Parsers are stateful only to fold multi-line entries.

export interface ParserContext {
  file: string;
  clock: ZoneClock;
}

export interface ParseSink {
  event(e: LogEvent): void;
  reject(lineNo: number, offset: number, reason: string, text: string): void;
  /** A line with nothing on it, outside any entry: counted as noise. */
  blank(lineNo: number): void;
}

export interface LineParser {
  line(text: string, lineNo: number, offset: number): void;
  /** Flush an entry still open at the end of the file. */
  end(): void;
}

export interface ParserDefinition {
  id: string;
  /** Rule packs match on the family (`nginx`, `laravel`, …) so one rule covers its variants. */
  family: string;
  describe: string;
  /** Confidence in [0,1] that these (non-empty) sample lines are this format. */
  detect(sample: string[]): number;
  create(ctx: ParserContext, sink: ParseSink): LineParser;
}
