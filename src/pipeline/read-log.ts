import { readLines, type LinesRead, type ReadLinesOptions } from '../sources/read-lines';
import type { FileAccount } from '../sources/file-account';
import type { ParseSink } from '../../parsers/parser';
import { ZoneClock } from '../../parsers/time';
import { FormatSniffer, type SniffOptions } from './format-sniffer';
import type { LineErrors } from './line-errors';

// The one read loop for log files: open, split, decode (src/sources/read-lines.ts), detect and
// parse (format-sniffer.ts), account (src/sources/file-account.ts). Each command supplies only
// what it does with the entries, as a ParseSink: reconstruct applies the rules (process-file.ts),
// inspect and `rules test` show them (scan-file.ts), the time-order peek looks at their times
// (peek-start.ts).

export interface LogReader {
  /** The file's name in reports and in its entries. */
  display: string;
  /** Each entry, each rejected line and each blank line outside an entry, in order. */
  sink: ParseSink;
  /** The file's report: lines, rejects' count, format, size, hash, damage and problems. */
  account: FileAccount;
  errors: LineErrors;
}

export interface ReadLogOptions extends Omit<ReadLinesOptions, 'onReadError'>, SniffOptions {
  tz: string;
}

export async function readLog(path: string, reader: LogReader, opts: ReadLogOptions): Promise<LinesRead> {
  const { account } = reader;
  const sniffer = new FormatSniffer({ file: reader.display, clock: new ZoneClock(opts.tz) }, reader.sink, account, reader.errors, opts);
  const read = await readLines(path, sniffer, { ...opts, onReadError: (m) => account.readFailed(m) });
  sniffer.end(read.lines);
  account.linesRead(read);
  account.noteUnterminated(read);
  return read;
}
