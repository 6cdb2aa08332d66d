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

  /** The file has been read up to `ms` (a time taken from its evidence). */
  reached(file: string, ms: number): void {
    const cur = this.at.get(file);
    if (cur !== undefined && ms > cur) this.at.set(file, ms);
  }

  done(file: string): void {
    this.at.delete(file);
  }

  /** -Infinity while nothing is known (or nothing is being tracked), +Infinity once every file is read. */
  value(): number {
    if (!this.tracking) return -Infinity;
    let min = Infinity;
    for (const v of this.at.values()) if (v < min) min = v;
    return min;
  }
}

/** A batch's typical time: its median, so one line with a wild clock cannot move the mark. */
export function typicalTime(times: readonly number[]): number {
  const finite = times.filter((t) => Number.isFinite(t));
  if (finite.length === 0) return NaN;
  finite.sort((a, b) => a - b);
  return finite[Math.floor(finite.length / 2)]!;
}
