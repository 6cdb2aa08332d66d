import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Utf8Gather } from '../util/utf8-gather';
import { SPOOLS } from '../settings';

// An append-only scratch file of text blocks (a few lines each) that can be read back by
// position. The correlator parks here what it no longer needs in memory: the evidence and
// record of an order that has gone quiet, and lines that wait for the end of the run to be
// joined. Nothing is ever rewritten, so a block's position stays valid until `dispose`.

export interface Block {
  pos: number;
  len: number;
}

// Writes are gathered so a stream of small blocks costs few system calls (how many bytes: settings).
const FLUSH_BYTES = SPOOLS.blockFileBytes;

export class BlockFile {
  private dir: string | null = null;
  private fd = -1;
  /** Bytes handed to the file so far; blocks at or past this are still in `pending`. */
  private flushed = 0;
  private size = 0;
  /** Blocks appended since the last flush, already encoded. */
  private readonly pending = new Utf8Gather(FLUSH_BYTES + FLUSH_BYTES / 4);
  private scratch = Buffer.alloc(64 * 1024);

  constructor(private readonly parent: string = tmpdir(), private readonly prefix = 'salvage-blocks-') {}

  /** Bytes written, for the report. */
  get bytes(): number {
    return this.size;
  }

  /** Lines must not contain a newline (JSON text never does). */
  append(lines: readonly string[]): Block {
    // An empty block is one empty line, as it always was.
    if (lines.length === 0) this.pending.newline();
    let len = lines.length === 0 ? 1 : 0;
    for (const line of lines) {
      len += this.pending.add(line) + 1;
      this.pending.newline();
    }
    const block = { pos: this.size, len };
    this.size += len;
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    return block;
  }

  read(b: Block): string[] {
    if (b.pos + b.len > this.flushed) this.flush();
    if (b.len > this.scratch.length) this.scratch = Buffer.alloc(Math.max(b.len, this.scratch.length * 2));
    let got = 0;
    while (got < b.len) {
      const n = readSync(this.fd, this.scratch, got, b.len - got, b.pos + got);
      if (n === 0) throw new Error(`scratch file ended early at ${b.pos + got} (wanted ${b.len} bytes at ${b.pos})`);
      got += n;
    }
    // Each line decoded on its own, up to the final newline: split() would return slices of the
    // whole block, and a caller keeping one line (a record read back at the end of the run)
    // would keep every other line of the block alive with it.
    const out: string[] = [];
    const end = b.len - 1;
    let start = 0;
    for (let nl = this.scratch.indexOf(10, start); nl >= 0 && nl < end; nl = this.scratch.indexOf(10, start)) {
      out.push(this.scratch.toString('utf8', start, nl));
      start = nl + 1;
    }
    out.push(this.scratch.toString('utf8', start, end));
    return out;
  }

  /** Every line written, in order, with the position it starts at: for blocks of one line, the block. */
  *lines(): Generator<{ pos: number; text: string }> {
    this.flush();
    if (this.fd < 0) return;
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    let at = 0;
    let carryPos = 0;
    while (at < this.flushed) {
      const n = readSync(this.fd, chunk, 0, Math.min(chunk.length, this.flushed - at), at);
      if (n === 0) throw new Error(`scratch file ended early at ${at} (wanted ${this.flushed} bytes)`);
      at += n;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        yield { pos: carryPos + start, text: buf.toString('utf8', start, nl) };
        start = nl + 1;
      }
      carryPos += start;
      carry = Buffer.from(buf.subarray(start));
    }
  }

  dispose(): void {
    if (this.fd >= 0) {
      try { closeSync(this.fd); } catch { /* already closed */ }
    }
    this.fd = -1;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    this.pending.clear();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    if (this.fd < 0) {
      this.dir = mkdtempSync(join(this.parent, this.prefix));
      // Owner-only: parked evidence holds the same PII as the logs.
      this.fd = openSync(join(this.dir, 'blocks.txt'), 'w+', 0o600);
    }
    const buf = this.pending.view();
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done, this.flushed + done);
    this.flushed += buf.length;
    this.pending.clear();
  }
}
