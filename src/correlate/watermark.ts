// How far in time every input has been read: the least of each unfinished file's position.
// A file not yet started counts from its first timestamp (peeked before the run), or holds
// the mark back entirely when that is unknown. Evidence older than the mark, less a margin for
// lines written slightly out of order, should not arrive any more; when some does, it is still
// joined (see OrderTable), just at a higher cost.

export class Watermark {
  private readonly at = new Map<string, number>();
  private tracking = false;

  /** A file that will be read; `startMs` is its first timestamp if known. */
  expect(file: string, startMs: number | null): void {
    this.tracking = true;
    this.at.set(file, startMs ?? -Infinity);
  }

  /** The file has been read up to `ms` (the time of its latest lines). It may move back a
   *  little (lines out of order); taking the latest word keeps one wild clock from sticking. */
  reached(file: string, ms: number): void {
    if (this.at.has(file)) this.at.set(file, ms);
  }

  done(file: string): void {
    this.at.delete(file);
  }

  position(file: string): number | undefined {
    return this.at.get(file);
  }

  /** The file furthest behind, and where it is. */
  holder(): { file: string; ms: number } | null {
    let best: { file: string; ms: number } | null = null;
    for (const [file, ms] of this.at) if (!best || ms < best.ms) best = { file, ms };
    return best;
  }

  /** -Infinity while nothing is known (or nothing is being tracked), +Infinity once every file is read. */
  value(): number {
    if (!this.tracking) return -Infinity;
    let min = Infinity;
    for (const v of this.at.values()) if (v < min) min = v;
    return min;
  }
}

/**
 * Of the files being read, those more than `leadMs` ahead of the file that holds the mark
 * back. Only when that file is itself being read: pausing others can then only let it catch
 * up, never wait for a file that has not started.
 */
export function holdBack(w: Watermark, running: ReadonlySet<string>, leadMs: number): Set<string> {
  const out = new Set<string>();
  const behind = w.holder();
  if (behind === null || !running.has(behind.file) || !Number.isFinite(behind.ms)) return out;
  for (const f of running) {
    const at = w.position(f);
    if (at !== undefined && at > behind.ms + leadMs) out.add(f);
  }
  return out;
}

/** A batch's typical time: its median, so one line with a wild clock cannot move the mark. */
export function typicalTime(times: readonly number[]): number {
  const finite = times.filter((t) => Number.isFinite(t));
  if (finite.length === 0) return NaN;
  finite.sort((a, b) => a - b);
  return finite[Math.floor(finite.length / 2)]!;
}
