import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import type { Transaction } from '../model/types';
import { LineWriter } from './line-writer';
import { REVIEW_COLUMNS, reviewRow, reviewTask, type ReviewPriority, type ReviewTask } from './review';
import type { Sink } from './sink';

// review.csv lists rows by priority (where money is at stake first), but records arrive in
// time order. Rows of lower priority wait in private scratch files beside the output rather
// than in memory, and are appended in order when the list is closed. Everything is owner-only:
// the rows hold buyers' contact details.

/** What review.csv holds, as report.json → outputs['review.csv'] shows it. */
export interface ReviewStats {
  /** Rows written, the header not counted. */
  rows: number;
  high: number;
  medium: number;
  low: number;
  /** Rows per task (what the person is asked to do). */
  by_task: Partial<Record<ReviewTask, number>>;
  /** The --review-below threshold the list was made with. */
  below: number;
  contains_pii: true;
  mode: '0600';
}

export class ReviewWriter implements Sink<Transaction, ReviewStats> {
  private readonly out: LineWriter;
  private readonly scratch: string;
  private readonly later: Record<'medium' | 'low', LineWriter>;
  private readonly counts: Record<ReviewPriority, number> = { high: 0, medium: 0, low: 0 };
  private readonly byTask: Partial<Record<ReviewTask, number>> = {};

  /** `below`: a payment claim below this confidence is listed (--review-below). */
  constructor(path: string, private readonly below: number) {
    this.out = new LineWriter(path, 0o600);
    this.out.writeSync(REVIEW_COLUMNS.join(','));
    this.scratch = mkdtempSync(join(dirname(path), 'salvage-review-'));
    this.later = { medium: new LineWriter(join(this.scratch, 'medium.csv'), 0o600), low: new LineWriter(join(this.scratch, 'low.csv'), 0o600) };
  }

  /** Lists the record if it asks something of a person; otherwise leaves it out. */
  async write(t: Transaction): Promise<void> {
    const item = reviewTask(t, this.below);
    if (item === null) return;
    const { priority, task } = item;
    this.counts[priority]++;
    this.byTask[task] = (this.byTask[task] ?? 0) + 1;
    await (priority === 'high' ? this.out : this.later[priority]).write(reviewRow(t, this.below, item));
  }

  async close(): Promise<ReviewStats> {
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
    const { high, medium, low } = this.counts;
    return { rows: high + medium + low, high, medium, low, by_task: this.byTask, below: this.below, contains_pii: true, mode: '0600' };
  }
}
