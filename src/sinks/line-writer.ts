import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { Utf8Gather } from '../util/utf8-gather';
import { SPOOLS } from '../settings';
import type { Sink } from './sink';

// A file written line by line that respects backpressure: `write` resolves immediately while
// the stream's buffer has room, and waits for 'drain' when it does not, so memory stays bounded
// however many lines are written. Lines are encoded as they come (src/util/utf8-gather.ts says
// why that is faster than joining text), and each full buffer is handed to the stream as a copy.

const FLUSH_BYTES = SPOOLS.lineWriterBytes;

export class LineWriter implements Sink<string, { lines: number }> {
  private readonly ws: WriteStream;
  private readonly pending = new Utf8Gather(FLUSH_BYTES + FLUSH_BYTES / 4);
  /** A write error (disk full, …) is kept and thrown from the next await, never left uncaught. */
  private failed: Error | null = null;
  lines = 0;

  constructor(path: string, mode = 0o644) {
    this.ws = createWriteStream(path, { flags: 'w', mode });
    this.ws.on('error', (e: NodeJS.ErrnoException) => {
      e.path ??= path;
      this.failed ??= e;
    });
  }

  private check(): void {
    if (this.failed) throw this.failed;
  }

  async write(line: string): Promise<void> {
    this.pending.add(line);
    this.pending.newline();
    this.lines++;
    if (this.pending.length >= FLUSH_BYTES) await this.flush();
  }

  /** Text that is already whole lines (copied from another file): not counted again. */
  async writeRaw(text: string): Promise<void> {
    this.pending.add(text);
    if (this.pending.length >= FLUSH_BYTES) await this.flush();
  }

  /** For callers that cannot await (event handlers): buffered, flushed on the next await. */
  writeSync(line: string): void {
    this.pending.add(line);
    this.pending.newline();
    this.lines++;
    if (this.pending.length >= FLUSH_BYTES) this.handOver();
  }

  async flush(): Promise<void> {
    this.check();
    if (this.pending.length > 0 && !this.handOver()) await once(this.ws, 'drain');
  }

  /** The stream keeps what it is given until written, and the gather buffer is reused: a copy. */
  private handOver(): boolean {
    const ok = this.ws.write(Buffer.from(this.pending.view()));
    this.pending.clear();
    return ok;
  }

  /** Lines written (those given to `write` and `writeSync`). */
  async close(): Promise<{ lines: number }> {
    await this.flush();
    this.ws.end();
    if (!this.ws.writableFinished) await once(this.ws, 'finish');
    this.check();
    return { lines: this.lines };
  }
}
