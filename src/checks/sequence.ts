import type { Evidence, Transaction, CheckedEvidence } from '../model/types';

// Sequence: where orders carry numbers that were handed out in sequence (an auto-increment
// primary key that a rule extracts as `order_pk`, or numeric order numbers that turn out to be
// dense), the numbers nobody mentioned are orders that existed but left no evidence. Numbers
// that are not dense (random or time-based order numbers) are reported as not sequential
// rather than as millions of "missing" orders.

export interface SequenceReport {
  basis: 'order_pk' | 'order_id' | null;
  numbers: number;
  range: [number, number] | null;
  /** Missing numbers as inclusive ranges, at most MAX_RANGES of them. */
  missing: [number, number][];
  missing_count: number;
  note: string;
}

const MIN_NUMBERS = 20;
/** At least this share of the range must be present for the numbers to count as a sequence. */
const MIN_DENSITY = 0.5;
const MAX_RANGES = 1000;
const NUMERIC = /^\d{1,15}$/;

export class SequenceCheck {
  private readonly pks = new Set<number>();
  private readonly ids = new Set<number>();

  visit(record: Transaction, evidence: readonly CheckedEvidence[]): void {
    if (NUMERIC.test(record.order_id)) this.ids.add(Number(record.order_id));
    for (const e of evidence) {
      const pk = e.fields.order_pk;
      if (pk !== undefined && NUMERIC.test(String(pk))) this.pks.add(Number(pk));
    }
  }

  finish(): SequenceReport {
    const [basis, set] = this.pks.size >= MIN_NUMBERS ? (['order_pk', this.pks] as const) : (['order_id', this.ids] as const);
    if (set.size < MIN_NUMBERS) {
      return { basis: null, numbers: set.size, range: null, missing: [], missing_count: 0, note: 'no sequential numbers in the evidence (order numbers are not numeric, and no rule extracts order_pk)' };
    }
    const nums = [...set].sort((a, b) => a - b);
    const lo = nums[0]!;
    const hi = nums[nums.length - 1]!;
    const span = hi - lo + 1;
    if (nums.length / span < MIN_DENSITY) {
      return { basis, numbers: nums.length, range: [lo, hi], missing: [], missing_count: 0, note: `${basis} values are not sequential (${nums.length} numbers over a range of ${span}): no gaps reported` };
    }
    const missing: [number, number][] = [];
    let count = 0;
    for (let i = 1; i < nums.length; i++) {
      const a = nums[i - 1]!;
      const b = nums[i]!;
      if (b - a > 1) {
        count += b - a - 1;
        if (missing.length < MAX_RANGES) missing.push([a + 1, b - 1]);
      }
    }
    return {
      basis,
      numbers: nums.length,
      range: [lo, hi],
      missing,
      missing_count: count,
      note: count === 0 ? `${basis} values ${lo}–${hi} have no gaps` : `${count} ${basis} value(s) between ${lo} and ${hi} appear nowhere: orders that existed but left no evidence`,
    };
  }
}
