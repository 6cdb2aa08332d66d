import type { FileReport } from '../model/types';
import { OutputWriteError } from '../sinks/output-folder';

// Errors are values at line level: a line a stage cannot handle (a regex out of stack on a line
// of many megabytes, say) is noted, and the file is read on. Without this the exception ended
// the file's reading, and its remaining lines went uncounted. System errors (a full disk under
// the evidence spill, say) are the run's, not the line's: they go on up.

/** Notes per file about lines a stage could not handle (each line is also counted where it went). */
const MAX_LINE_ERRORS = 20;

export class LineErrors {
  private noted = 0;

  constructor(private readonly report: FileReport) {}

  /** Notes that `what` failed on a line; returns why, for the line's reject reason. */
  failed(what: string, lineNo: number, e: unknown): string {
    if (typeof (e as NodeJS.ErrnoException)?.code === 'string' || e instanceof OutputWriteError) throw e;
    const why = e instanceof RangeError ? `${(e as Error).message} (the line is too large or too deeply nested to ${what})` : `internal error: ${(e as Error)?.message ?? String(e)}; please report it`;
    if (this.noted++ < MAX_LINE_ERRORS) this.report.errors.push(`line ${lineNo}: could not ${what}: ${why} / 第 ${lineNo} 行无法处理`);
    this.report.damaged = true;
    return why;
  }
}
