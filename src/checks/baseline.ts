import type { Transaction, TransactionStatus } from '../model/types';
import type { Baseline } from '../sources/baseline/read-baseline';

// The last good backup against the rebuilt records. Orders in the backup are known; where a
// record and the backup both speak of an order they must agree: the amount, the buyer contact
// and the gateway trade number (when both have one), and the status — allowing for what may
// have happened after the backup (an order awaiting payment may since have been paid; a paid
// one delivered, refunded or failed), but not for going back (paid in the backup, unpaid in
// the record). A record that says `paid` where the backup says delivered or failed agrees: it
// claims less, not something else (logs often show a payment and not the delivery, and both
// platforms only fail an order after its payment). Records created after the backup's latest order are the ones the backup cannot
// give back: `newer_than_baseline`.
//
// The backup holds buyer PII: the report carries order ids, and values only of the fields that
// disagree.

export interface BaselineMismatch {
  order_id: string;
  field: 'amount' | 'status' | 'buyer_email' | 'trade_no';
  baseline: string;
  recovered: string;
}

export interface BaselineReport {
  file: string;
  bytes: number;
  sha256: string;
  format: string;
  platform: string;
  /** Rows of the orders table in the backup (used or not), and those not used. */
  rows: number;
  rejected_rows: number;
  duplicate_rows: number;
  problems: string[];
  /** The latest order creation time in the backup. */
  cutoff: string | null;
  /** Records whose order is in the backup; consistent + inconsistent = overlap. */
  overlap: number;
  consistent: number;
  inconsistent_count: number;
  inconsistent_by_field: Record<string, number>;
  /** The first 1000 disagreements. */
  inconsistent: BaselineMismatch[];
  /** Orders in the backup that no record names (no log line survived, or none was needed). */
  only_in_baseline: number;
  /** Records not in the backup, created after its cutoff: what the backup cannot give back. */
  newer_than_baseline: number;
  /** Records not in the backup although created before its cutoff (a partial backup, or a doubtful record). */
  missing_from_baseline_before_cutoff: number;
  /** Records not in the backup whose creation time is unknown. */
  not_in_baseline_undated: number;
}

const LIST_LIMIT = 1000;

/** What the status may have become since the backup. A record with status `unknown` is not compared. */
const LATER: Record<TransactionStatus, ReadonlySet<TransactionStatus>> = {
  created: new Set(['created', 'pending', 'paid', 'delivered', 'refunded', 'failed']),
  pending: new Set(['created', 'pending', 'paid', 'delivered', 'refunded', 'failed']),
  paid: new Set(['paid', 'delivered', 'refunded', 'failed']),
  delivered: new Set(['delivered', 'paid', 'refunded', 'failed']),
  failed: new Set(['failed', 'paid', 'refunded']),
  refunded: new Set(['refunded']),
  unknown: new Set(['created', 'pending', 'paid', 'delivered', 'refunded', 'failed']),
};

function yuan(cents: number): string {
  return (cents / 100).toFixed(2);
}

export class BaselineCheck {
  private readonly flags = new Map<string, string[]>();
  private overlap = 0;
  private consistent = 0;
  private inconsistentCount = 0;
  private readonly byField: Record<string, number> = {};
  private readonly mismatches: BaselineMismatch[] = [];
  private newer = 0;
  private olderMissing = 0;
  private undated = 0;

  constructor(
    private readonly base: Baseline,
  ) {}

  visit(r: Transaction): void {
    const b = this.base.orders.get(r.order_id);
    if (!b) {
      const created = r.created_at ? Date.parse(r.created_at) : NaN;
      if (Number.isNaN(created)) this.undated++;
      else if (this.base.cutoffMs === null || created > this.base.cutoffMs) this.newer++;
      else this.olderMissing++;
      return;
    }
    this.overlap++;
    const found: BaselineMismatch[] = [];
    const add = (field: BaselineMismatch['field'], baseline: string, recovered: string) => found.push({ order_id: r.order_id, field, baseline, recovered });
    if (b.amountCents !== null && r.amount !== null && Math.round(r.amount * 100) !== b.amountCents) add('amount', yuan(b.amountCents), r.amount.toFixed(2));
    if (b.status !== null && r.status !== 'unknown' && !LATER[b.status].has(r.status)) add('status', `${b.status} (${this.base.platform} ${b.rawStatus})`, r.status);
    if (b.email !== null && r.buyer_email !== null && b.email.trim().toLowerCase() !== r.buyer_email.trim().toLowerCase()) add('buyer_email', b.email, r.buyer_email);
    if (b.tradeNo !== null && r.trade_no !== null && b.tradeNo !== r.trade_no) add('trade_no', b.tradeNo, r.trade_no);
    if (found.length === 0) {
      this.consistent++;
      this.flags.set(r.order_id, ['in_baseline']);
      return;
    }
    this.inconsistentCount++;
    this.flags.set(r.order_id, ['baseline_mismatch']);
    for (const m of found) {
      this.byField[m.field] = (this.byField[m.field] ?? 0) + 1;
      if (this.mismatches.length < LIST_LIMIT) this.mismatches.push(m);
    }
  }

  finish(formatTime: (ms: number) => string = (ms) => new Date(ms).toISOString()): { report: BaselineReport; flags: Map<string, string[]> } {
    const b = this.base;
    const mismatches = [...this.mismatches].sort((x, y) => (x.order_id !== y.order_id ? (x.order_id < y.order_id ? -1 : 1) : x.field < y.field ? -1 : x.field > y.field ? 1 : 0));
    return {
      report: {
        file: b.file,
        bytes: b.bytes,
        sha256: b.sha256,
        format: b.format,
        platform: b.platform,
        rows: b.rows,
        rejected_rows: b.rejected_rows,
        duplicate_rows: b.duplicate_rows,
        problems: b.problems,
        cutoff: b.cutoffMs === null ? null : formatTime(b.cutoffMs),
        overlap: this.overlap,
        consistent: this.consistent,
        inconsistent_count: this.inconsistentCount,
        inconsistent_by_field: this.byField,
        inconsistent: mismatches,
        only_in_baseline: b.orders.size - this.overlap,
        newer_than_baseline: this.newer,
        missing_from_baseline_before_cutoff: this.olderMissing,
        not_in_baseline_undated: this.undated,
      },
      flags: this.flags,
    };
  }
}
