import { READING } from '../settings';

// A worker thread that stops talking while it has a file to read would leave the run waiting
// for ever, with no outputs and no message (issue 10). The main thread cannot see inside a
// worker that is stuck in a loop, only that it has gone quiet, so it watches the silence.

/** `SALVAGE_STALL_SECONDS` (whole seconds ≥ 1) overrides the default; anything else is ignored. */
export function stallSeconds(env: NodeJS.ProcessEnv): number {
  const n = Number(env.SALVAGE_STALL_SECONDS);
  return Number.isInteger(n) && n >= 1 ? n : READING.stallSeconds;
}

/** Where a quiet file had got to when it was given up on. */
export interface StalledFile {
  file: string;
  bytes: number;
  lines: number;
}

/** The run cannot finish: a worker went quiet while reading. Reaches the user as a message, never a trace. */
export class WorkerStalledError extends Error {
  override name = 'WorkerStalledError';
  constructor(readonly files: StalledFile[], readonly seconds: number) {
    const where = files.map((f) => `${f.file} (after ${f.lines} line(s), ${f.bytes} byte(s) / 已读 ${f.lines} 行)`).join(', ');
    super(
      `a reader thread sent nothing for ${seconds} s while reading ${where}; the run was stopped and the previous outputs, if any, are kept. ` +
        'Try the file alone with `salvage inspect`, or leave it out and run again, and please report it with the file\'s first lines. ' +
        `/ 读取线程 ${seconds} 秒无响应，运行已停止，之前的输出（如有）已保留。可先用 salvage inspect 单独检查该文件，或将其排除后重跑，并请报告此问题。`,
    );
  }
}

/**
 * Silence per worker, counted only while the worker has a file it is allowed to read: a worker
 * whose files are all held back (paced by log time) is quiet on purpose.
 */
export class StallWatch<W> {
  private readonly heard = new Map<W, number>();

  constructor(private readonly limitMs: number, private readonly now: () => number = Date.now) {}

  /** The worker said something, or was given work, or had a file let go. */
  heardFrom(w: W): void {
    this.heard.set(w, this.now());
  }

  /** Whether `w`, expected to be working, has been quiet for longer than the limit. */
  isStalled(w: W): boolean {
    const t = this.heard.get(w);
    return t !== undefined && this.now() - t > this.limitMs;
  }
}
