import { appendFileSync, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Reject } from '../model/types';
import { LineWriter } from './line-writer';
import type { Sink } from './sink';
import { SPOOLS } from '../settings';

// rejects.ndjson in input order, whatever order the readers finish in (issue 10: determinism).
// Files are read side by side, by several workers, so their rejects arrive interleaved in an
// order that depends on timing. Each file's rejects are appended, in the order that file's
// reader found them, to a scratch file of its own; at the end the scratch files are copied out
// one after another in the order the inputs were given. Memory holds at most one small buffer
// per file being read; everything else is on disk (owner-only: rejected lines may hold PII).

const FLUSH_BYTES = SPOOLS.rejectSpoolBytes;

export class RejectSpool implements Sink<readonly Reject[], { lines: number }> {
  private readonly dir: string;
  /** The inputs, in the order their rejects are written. */
  private readonly order: readonly string[];
  /** Each file met so far → the number of its scratch file (first come, first numbered). */
  private readonly scratchOf = new Map<string, number>();
  private readonly pending = new Map<number, string>();
  private count = 0;

  /**
   * `parent`: where the scratch files go; `files`: the display names of the inputs, in the order
   * their rejects are to be written; `path`: the rejects file written on close (owner-only).
   */
  constructor(parent: string, files: readonly string[], private readonly path: string) {
    this.dir = mkdtempSync(join(parent, 'salvage-rejects-'));
    this.order = files;
  }

  /** Synchronous: the readers' callbacks hand rejects over as they come and cannot wait. */
  write(items: readonly Reject[]): void {
    for (const r of items) {
      let i = this.scratchOf.get(r.file);
      if (i === undefined) this.scratchOf.set(r.file, (i = this.scratchOf.size));
      const text = (this.pending.get(i) ?? '') + JSON.stringify(r) + '\n';
      this.count++;
      if (text.length >= FLUSH_BYTES) this.spill(i, text);
      else this.pending.set(i, text);
    }
  }

  /** A file has been read to the end: what it still buffers goes to disk. */
  fileDone(file: string): void {
    const i = this.scratchOf.get(file);
    const text = i === undefined ? undefined : this.pending.get(i);
    if (text) this.spill(i!, text);
  }

  /**
   * Writes the rejects file: every file's rejects, the inputs in the order given, then (not
   * expected) any file that was not among them, by name. Removes the scratch files.
   */
  async close(): Promise<{ lines: number }> {
    const out = new LineWriter(this.path, 0o600);
    try {
      for (const [i, text] of [...this.pending]) this.spill(i, text);
      const given = new Set(this.order);
      const others = [...this.scratchOf.keys()].filter((f) => !given.has(f)).sort();
      for (const file of [...given, ...others]) {
        const i = this.scratchOf.get(file);
        if (i === undefined) continue;
        for await (const chunk of createReadStream(this.pathOf(i), { encoding: 'utf8' })) await out.writeRaw(chunk as string);
      }
      await out.close();
    } finally {
      this.dispose();
    }
    // Each reject was one line: counted as it came in.
    return { lines: this.count };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spill(i: number, text: string): void {
    appendFileSync(this.pathOf(i), text, { mode: 0o600 });
    this.pending.delete(i);
  }

  private pathOf(i: number): string {
    return join(this.dir, `${i}.ndjson`);
  }
}
