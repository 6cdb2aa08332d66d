import type { FileReport } from '../model/types';

// Progress for long runs, on stderr, at most every two seconds. Silent unless enabled, so
// piped and scripted runs stay clean.

export class ProgressMeter {
  private bytes = 0;
  private files = 0;
  private lines = 0;
  private last = 0;
  private readonly started = Date.now();

  /** How far in time every input has got, as the operator reads it (set by the caller). */
  private upTo: string | null = null;

  constructor(private readonly out: NodeJS.WritableStream, private readonly totalFiles: number, private readonly enabled: boolean) {}

  /** The logs have all been read up to this time (the correlator's watermark). */
  readUpTo(when: string | null): void {
    this.upTo = when;
  }

  tick(bytes: number, _lines: number): void {
    this.bytes += bytes;
    this.maybePrint();
  }

  fileDone(r: FileReport): void {
    this.files++;
    this.lines += r.lines_total;
    this.maybePrint(true);
  }

  /** A phase after reading (correlating, writing): said once, on its own line. */
  stage(text: string): void {
    if (!this.enabled) return;
    if (this.last !== 0) this.out.write('\n');
    this.last = 0;
    this.out.write(`[salvage] ${text}\n`);
  }

  stop(): void {
    if (this.enabled && this.last !== 0) this.out.write('\n');
    this.last = 0;
  }

  private maybePrint(force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 2000) return;
    this.last = now;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    this.out.write(
      `\r[salvage] files ${this.files}/${this.totalFiles}, ${(this.bytes / 1048576).toFixed(0)} MB read, ` +
        `${this.lines.toLocaleString('en-US')} lines in finished files, ${(this.bytes / 1048576 / secs).toFixed(1)} MB/s` +
        (this.upTo ? `, logs read up to ${this.upTo} / 日志已读至此时` : '') + '   ',
    );
  }
}
