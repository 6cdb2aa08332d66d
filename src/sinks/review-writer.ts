import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { LineWriter } from './line-writer';
import { REVIEW_COLUMNS, type ReviewItem, type ReviewPriority, type ReviewTask } from './review';

// review.csv lists rows by priority (where money is at stake first), but records arrive in
// time order. Rows of lower priority wait in private scratch files beside the output rather
// than in memory, and are appended in order when the list is closed. Everything is owner-only:
// the rows hold buyers' contact details.

export class ReviewWriter {
  private readonly out: LineWriter;
  private readonly scratch: string;
  private readonly later: Record<'medium' | 'low', LineWriter>;
  readonly counts: Record<ReviewPriority, number> = { high: 0, medium: 0, low: 0 };
  /** Rows per task (what the person is asked to do). */
  readonly byTask: Partial<Record<ReviewTask, number>> = {};

  constructor(private readonly path: string) {
    this.out = new LineWriter(path, 0o600);
    this.out.writeSync(REVIEW_COLUMNS.join(','));
    this.scratch = mkdtempSync(join(dirname(path), 'salvage-review-'));
    this.later = { medium: new LineWriter(join(this.scratch, 'medium.csv'), 0o600), low: new LineWriter(join(this.scratch, 'low.csv'), 0o600) };
  }

  /** Rows written, the header not counted. */
  get rows(): number {
    return this.counts.high + this.counts.medium + this.counts.low;
  }

  async add(item: ReviewItem, row: string): Promise<void> {
    const { priority, task } = item;
    this.counts[priority]++;
    this.byTask[task] = (this.byTask[task] ?? 0) + 1;
    await (priority === 'high' ? this.out : this.later[priority]).write(row);
  }

  async close(): Promise<void> {
    try {
      for (const p of ['medium', 'low'] as const) {
        await this.later[p].close();
        await this.out.flush();
        for await (const chunk of createReadStream(join(this.scratch, `${p}.csv`), { encoding: 'utf8' })) await this.out.writeRaw(chunk as string);
      }
      await this.out.close();
    } finally {
      rmSync(this.scratch, { recursive: true, force: true });
    }
  }
}
