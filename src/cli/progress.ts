import type { FileReport } from '../model/types';
import { progressLine } from './progress-line';

// Progress for long runs, on stderr. On a terminal, one line rewritten in place (`\r`, then
// clear to the end of the line) every two seconds, cut to the terminal's width; elsewhere
// (a log file, a pipe) a plain line every ten seconds. Silent unless enabled, so piped and
// scripted runs stay clean.

export type ProgressMode = 'terminal' | 'lines' | 'off';

const EVERY_MS: Record<ProgressMode, number> = { terminal: 2000, lines: 10_000, off: Infinity };
const CLEAR_TO_END = '\x1b[K';

export interface ProgressTotals {
  files: number;
  /** On-disk size of the files to read. */
  diskBytes: number;
}

export class ProgressMeter {
  /** Per file being read: on-disk bytes and lines so far. */
  private readonly reading = new Map<string, { disk: number; lines: number }>();
  private doneDisk = 0;
  private doneLines = 0;
  private files = 0;
  private last = 0;
  /** A terminal line is showing and has not been ended with a newline. */
  private open = false;
  private readonly started: number;

  /** How far in time every input has got, as the operator reads it (set by the caller). */
  private upTo: string | null = null;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly totals: ProgressTotals,
    private readonly mode: ProgressMode,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** The logs have all been read up to this time (the correlator's watermark). */
  readUpTo(when: string | null): void {
    this.upTo = when;
  }

  /** `file` has been read to `diskBytes` on-disk bytes and `lines` lines. */
  tick(file: string, diskBytes: number, lines: number): void {
    this.reading.set(file, { disk: diskBytes, lines });
    this.maybePrint();
  }

  fileDone(r: FileReport): void {
    this.reading.delete(r.file);
    this.files++;
    this.doneDisk += r.bytes;
    this.doneLines += r.lines_total;
    this.maybePrint(true);
  }

  /** A phase after reading (correlating, writing): said once, on its own line. */
  stage(text: string): void {
    if (this.mode === 'off') return;
    this.endLine();
    this.out.write(`[salvage] ${text}\n`);
  }

  stop(): void {
    this.endLine();
  }

  private endLine(): void {
    if (this.open) this.out.write('\n');
    this.open = false;
  }

  private maybePrint(force = false): void {
    if (this.mode === 'off') return;
    const now = this.now();
    // A finished file is shown at once on a terminal, but not more than five times a second.
    const every = force && this.mode === 'terminal' ? 200 : EVERY_MS[this.mode];
    if (this.last !== 0 && now - this.last < every) return;
    this.last = now;
    let disk = this.doneDisk;
    let lines = this.doneLines;
    for (const r of this.reading.values()) {
      disk += r.disk;
      lines += r.lines;
    }
    const state = { filesDone: this.files, filesTotal: this.totals.files, diskBytes: disk, diskTotal: this.totals.diskBytes, lines, elapsedMs: now - this.started, upTo: this.upTo };
    if (this.mode === 'lines') {
      this.out.write(progressLine(state) + '\n');
      return;
    }
    const columns = (this.out as NodeJS.WriteStream).columns || 80;
    this.out.write(`\r${progressLine(state, columns)}${CLEAR_TO_END}`);
    this.open = true;
  }
}
