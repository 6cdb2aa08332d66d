// Where the simulator keeps the text of the lines it has generated until they are written. A big run
// writes far more text than fits in memory (about 260 bytes a line, millions of lines), so `simulate`
// spills it to a file in the output folder and keeps only each line's number; tests that inspect the
// model in memory keep it in memory.
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

/** One physical line's text, by number: put returns the number, get gives the text back. */
export interface TextStore {
  put(text: string): number;
  get(ref: number): string;
  /** Reads the texts of `refs` ahead in a few large reads, for the `get` calls that follow, until `forget`. */
  preload(refs: readonly number[]): void;
  forget(): void;
  /** Releases what the store holds (the spill file). */
  close(): void;
}

export class MemoryTextStore implements TextStore {
  private readonly texts: string[] = [];

  put(text: string): number {
    return this.texts.push(text) - 1;
  }

  get(ref: number): string {
    return this.texts[ref]!;
  }

  preload(): void {}

  forget(): void {}

  close(): void {
    this.texts.length = 0;
  }
}

const WRITE_BUFFER = 1 << 20;
/** preload reads across gaps up to this size rather than issuing another read, up to RANGE_MAX at a time. */
const GAP_MAX = 64 << 10;
const RANGE_MAX = 8 << 20;
/** Offsets live in fixed-size chunks, so the table grows without copying itself. */
const OFFSET_CHUNK = 1 << 16;

/**
 * Text appended to a file as UTF-8 and read back one line at a time. Lines are read back in time
 * order, which is not the order they were written in (an order writes its callbacks, retries and
 * expiry hours ahead), so reads jump about the file: one positioned read per line, served by the
 * page cache, costs less than a cache of blocks that mostly misses. UTF-8 gives back any text
 * without lone surrogates exactly; the simulator writes none.
 */
export class SpillTextStore implements TextStore {
  private readonly fd: number;
  private readonly offsets: Float64Array[] = [];
  private count = 0;
  private readonly pending = Buffer.allocUnsafe(WRITE_BUFFER);
  private pendingLen = 0;
  /** Bytes already in the file. */
  private flushed = 0;
  private readonly scratch = Buffer.allocUnsafe(64 << 10);
  private ahead: Map<number, string> | null = null;

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'w+', 0o600);
  }

  private setOffset(i: number, v: number): void {
    const c = Math.floor(i / OFFSET_CHUNK);
    while (this.offsets.length <= c) this.offsets.push(new Float64Array(OFFSET_CHUNK));
    this.offsets[c]![i % OFFSET_CHUNK] = v;
  }

  private offset(i: number): number {
    return i === this.count ? this.flushed + this.pendingLen : this.offsets[Math.floor(i / OFFSET_CHUNK)]![i % OFFSET_CHUNK]!;
  }

  private writeAll(b: Buffer, len: number): void {
    let done = 0;
    while (done < len) done += writeSync(this.fd, b, done, len - done, this.flushed + done);
    this.flushed += len;
  }

  private flush(): void {
    this.writeAll(this.pending, this.pendingLen);
    this.pendingLen = 0;
  }

  put(text: string): number {
    this.setOffset(this.count, this.flushed + this.pendingLen);
    // at most 3 bytes per UTF-16 unit: flush first when the line might not fit
    if (this.pendingLen + text.length * 3 > WRITE_BUFFER) this.flush();
    if (text.length * 3 > WRITE_BUFFER) {
      const b = Buffer.from(text, 'utf8');
      this.writeAll(b, b.length);
    } else this.pendingLen += this.pending.write(text, this.pendingLen, 'utf8');
    return this.count++;
  }

  private readRange(b: Buffer, pos: number): void {
    for (let done = 0; done < b.length; ) {
      const n = readSync(this.fd, b, done, b.length - done, pos + done);
      if (n === 0) throw new Error(`spill file ${this.path} ends early`);
      done += n;
    }
  }

  preload(refs: readonly number[]): void {
    if (this.pendingLen > 0) this.flush();
    const sorted = Float64Array.from(refs).sort();
    const ahead = new Map<number, string>();
    for (let i = 0; i < sorted.length; ) {
      const from = this.offset(sorted[i]!);
      let j = i;
      let to = this.offset(sorted[i]! + 1);
      while (j + 1 < sorted.length) {
        const next = sorted[j + 1]!;
        const end = this.offset(next + 1);
        if (this.offset(next) - to > GAP_MAX || end - from > RANGE_MAX) break;
        to = Math.max(to, end);
        j++;
      }
      const b = Buffer.allocUnsafe(to - from);
      this.readRange(b, from);
      for (let k = i; k <= j; k++) {
        const r = sorted[k]!;
        ahead.set(r, b.toString('utf8', this.offset(r) - from, this.offset(r + 1) - from));
      }
      i = j + 1;
    }
    this.ahead = ahead;
  }

  forget(): void {
    this.ahead = null;
  }

  get(ref: number): string {
    const known = this.ahead?.get(ref);
    if (known !== undefined) return known;
    const start = this.offset(ref);
    const end = this.offset(ref + 1);
    if (start === end) return '';
    if (start >= this.flushed) return this.pending.toString('utf8', start - this.flushed, end - this.flushed);
    if (end > this.flushed) this.flush();
    const b = end - start <= this.scratch.length ? this.scratch.subarray(0, end - start) : Buffer.allocUnsafe(end - start);
    this.readRange(b, start);
    return b.toString('utf8');
  }

  close(): void {
    this.ahead = null;
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}
