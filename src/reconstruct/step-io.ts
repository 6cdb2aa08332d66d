import type { FileReport } from '../model/types';

/** What the steps need of the process: where they run and where they speak. */
export interface StepIO {
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin?: NodeJS.ReadableStream;
}

/** Where a run says how far it has got (the CLI's progress line, or nothing). */
export interface Progress {
  /** A step begins that takes a while: said once. */
  stage(text: string): void;
  /** The logs have all been read up to this time (shown as the operator reads it). */
  readUpTo(when: string | null): void;
  tick(file: string, diskBytes: number, lines: number): void;
  fileDone(r: FileReport): void;
  /** Reading is over: the progress line is ended. */
  stop(): void;
}

/** Makes the progress line once the files to read, and their size, are known. */
export type ProgressFor = (totals: { files: number; diskBytes: number }) => Progress;

/** How long each step took, for report.json → run.timings_ms. */
export class Laps {
  readonly phase: Record<string, number> = {};
  private mark = Date.now();

  lap(name: string): void {
    const now = Date.now();
    this.phase[name] = now - this.mark;
    this.mark = now;
  }
}
