import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { SPOOLS } from '../settings';
import type { Sink } from './sink';

// A file written line by line that respects backpressure: `write` resolves immediately while
// the stream's buffer has room, and waits for 'drain' when it does not, so memory stays bounded
// however many lines are written.

export class LineWriter implements Sink<string, { lines: number }> {
  private readonly ws: WriteStream;
  private pending = '';
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
    this.pending += line + '\n';
    this.lines++;
    if (this.pending.length >= SPOOLS.lineWriterBytes) await this.flush();
  }

  /** Text that is already whole lines (copied from another file): not counted again. */
  async writeRaw(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= SPOOLS.lineWriterBytes) await this.flush();
  }

  /** For callers that cannot await (event handlers): buffered, flushed on the next await. */
  writeSync(line: string): void {
    this.pending += line + '\n';
    this.lines++;
    if (this.pending.length >= SPOOLS.lineWriterBytes) {
      this.ws.write(this.pending);
      this.pending = '';
    }
  }

  async flush(): Promise<void> {
    this.check();
    if (this.pending) {
      const ok = this.ws.write(this.pending);
      this.pending = '';
      if (!ok) await once(this.ws, 'drain');
    }
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
