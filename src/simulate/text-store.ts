// Where the simulator keeps the text of the lines it has generated until they are written. A big run
// writes far more text than fits in memory (about 260 bytes a line, millions of lines), so `simulate`
// spills it to a file in the output folder and keeps only each line's number; tests that inspect the
// model in memory keep it in memory.
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

/** One physical line's text, by number: put returns the number, get gives the text back. */
export interface TextStore {
  put(text: string): number;
  get(ref: number): string;
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

  close(): void {
    this.texts.length = 0;
  }
}

const WRITE_BUFFER = 1 << 20;
const BLOCK = 64 << 10;
const CACHED_BLOCKS = 256;
/** Offsets live in fixed-size chunks, so the table grows without copying itself. */
const OFFSET_CHUNK = 1 << 16;

/**
 * Text appended to a file as UTF-8, read back through a small cache of blocks. Lines are read
 * back roughly in the order they were written (files are time-sorted, and a shop writes most of
 * an order's lines within minutes), so a few MB of cached blocks serve most reads.
 */
export class SpillTextStore implements TextStore {
  private readonly fd: number;
  private readonly offsets: Float64Array[] = [];
  private count = 0;
  private readonly pending = Buffer.allocUnsafe(WRITE_BUFFER);
  private pendingLen = 0;
  /** Bytes already in the file. */
  private flushed = 0;
  private readonly blocks = new Map<number, Buffer>();

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

  private flush(): void {
    let done = 0;
    while (done < this.pendingLen) done += writeSync(this.fd, this.pending, done, this.pendingLen - done, this.flushed + done);
    this.flushed += this.pendingLen;
    this.pendingLen = 0;
  }

  put(text: string): number {
    this.setOffset(this.count, this.flushed + this.pendingLen);
    // at most 3 bytes per UTF-16 unit: flush first when the line might not fit
    if (this.pendingLen + text.length * 3 > WRITE_BUFFER) this.flush();
    if (text.length * 3 > WRITE_BUFFER) {
      const b = Buffer.from(text, 'utf8');
      let done = 0;
      while (done < b.length) done += writeSync(this.fd, b, done, b.length - done, this.flushed + done);
      this.flushed += b.length;
    } else this.pendingLen += this.pending.write(text, this.pendingLen, 'utf8');
    return this.count++;
  }

  private readAt(buf: Buffer, pos: number): void {
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, pos + done);
      if (n === 0) throw new Error(`spill file ${this.path} ends early`);
      done += n;
    }
  }

  /** Block `k`, holding at least its first `need` bytes (the file's last block grows as it is written). */
  private block(k: number, need: number): Buffer {
    let b = this.blocks.get(k);
    if (b && b.length >= need) {
      // most recently used last
      this.blocks.delete(k);
      this.blocks.set(k, b);
      return b;
    }
    b = Buffer.allocUnsafe(Math.min(BLOCK, this.flushed - k * BLOCK));
    this.readAt(b, k * BLOCK);
    this.blocks.delete(k);
    this.blocks.set(k, b);
    if (this.blocks.size > CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    return b;
  }

  get(ref: number): string {
    const start = this.offset(ref);
    const end = this.offset(ref + 1);
    if (start === end) return '';
    if (start >= this.flushed) return this.pending.toString('utf8', start - this.flushed, end - this.flushed);
    if (end > this.flushed) this.flush();
    const k = Math.floor(start / BLOCK);
    if (Math.floor((end - 1) / BLOCK) === k && end > start) return this.block(k, end - k * BLOCK).toString('utf8', start - k * BLOCK, end - k * BLOCK);
    const b = Buffer.allocUnsafe(end - start);
    this.readAt(b, start);
    return b.toString('utf8');
  }

  close(): void {
    this.blocks.clear();
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}
