import { emptyFileReport } from '../model/file-report';
import type { FileReport, Reject } from '../model/types';
import { HEAD_BYTES } from './line-splitter';
import { noteRead } from './read-input';
import type { LinesRead } from './read-lines';

// One input's FileReport, kept as it is read. Every physical line ends in exactly one of:
// evidence, noise, rejected (lines_total = parsed + rejected, parsed = evidence_lines + noise).
// The counts are kept here, next to the decisions, so the report cannot drift from what was done;
// the run's accounting check (src/checks) holds every file to them.

export class FileAccount {
  readonly report: FileReport;

  constructor(
    file: string,
    /** Where rejected lines go (rejects.ndjson); a reader that only counts passes nothing. */
    private readonly rejects: (r: Reject) => void = () => {},
  ) {
    this.report = emptyFileReport(file);
  }

  reject(lineNo: number, offset: number, reason: string, text: string): void {
    this.report.rejected++;
    this.rejects({ file: this.report.file, line: lineNo, offset, reason, head: text.length > HEAD_BYTES ? text.slice(0, HEAD_BYTES) : text });
  }

  /** Lines read and found to be nothing the pipeline uses (blank lines, headers, …). */
  noise(lines = 1): void {
    this.report.parsed += lines;
    this.report.noise += lines;
  }

  /** A problem with the file as a whole (or a note about a line), said in the report. */
  problem(message: string): void {
    this.report.damaged = true;
    this.report.errors.push(message);
  }

  /** A read error, said as soon as it happens (notes made while finishing come after it). */
  readFailed(message: string): void {
    this.problem(`read error: ${message} / 读取失败`);
  }

  /** What reading found: lines, size, hash, compression and damage. */
  linesRead(r: LinesRead): void {
    this.report.lines_total = r.lines;
    noteRead(this.report, r.read);
  }

  /** Said of a log, whose last line should end like every other; not of a bill, whose may not. */
  noteUnterminated(r: LinesRead): void {
    if (r.unterminatedLastLine) this.report.errors.push('the last line has no newline: it may have been cut short / 最后一行没有换行符，可能被截断');
  }

  /** The closing marks: damaged if any line was rejected; the encoding if not UTF-8. */
  close(r: LinesRead): FileReport {
    if (this.report.rejected > 0) this.report.damaged = true;
    if (r.gbk) this.report.encoding = 'gbk';
    return this.report;
  }
}

/** `counts` (name → lines) into a report's map, in name order. */
export function sortedCounts(into: Record<string, number>, counts: Map<string, number>): void {
  for (const [k, c] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) into[k] = c;
}
