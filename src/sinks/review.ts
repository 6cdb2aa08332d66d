import type { Transaction } from '../model/types';
import { csvCell } from './csv';

// review.csv: the worklist for the people who finish the job by hand (the seed's team called
// buyers and merchants for the last 0.3%). It holds PII (buyer emails), so it is written with
// owner-only permissions.

export const REVIEW_COLUMNS = ['priority', 'order_id', 'status', 'confidence', 'amount', 'created_at', 'paid_at', 'why', 'missing', 'contact', 'evidence'] as const;

/** Flags that describe a record without asking anything of a person. */
export const INFORMATIONAL = new Set(['expired', 'in_baseline', 'explains_balance_break?']);
const PAID = new Set(['paid', 'delivered', 'refunded']);

export type ReviewPriority = 'high' | 'medium' | 'low';

/**
 * Where money is at stake comes first: a payment claim that is doubtful or anomalous (high);
 * an order whose payment was started but never shown, which may be a payment the logs lost
 * (medium); an order seen only being created, below the threshold (low). Null: nothing to do.
 */
export function reviewPriority(t: Transaction, threshold: number): ReviewPriority | null {
  const anomalies = t.flags.filter((f) => !INFORMATIONAL.has(f));
  if (anomalies.length > 0 || t.conflicts.length > 0) return 'high';
  // The shop itself closed it unpaid (dujiaoka status 1 -> -1): nobody has anything to ask (issue 13).
  if (t.flags.includes('expired') && !PAID.has(t.status)) return null;
  if (t.confidence >= threshold) return null;
  if (PAID.has(t.status)) return 'high';
  if (t.status === 'pending') return 'medium';
  return 'low';
}

export function reviewRow(t: Transaction, threshold: number): string {
  const why: string[] = [];
  if (t.confidence < threshold) why.push(`confidence ${t.confidence} < ${threshold}`);
  if (t.flags.length) why.push(`flags: ${t.flags.join(', ')}`);
  for (const c of t.conflicts) why.push(`${c.field} disagrees: ${c.values.map((v) => v.value).join(' vs ')}`);
  const missing: string[] = [];
  if (t.amount === null) missing.push('amount');
  if (t.buyer_email === null) missing.push('buyer contact');
  if (t.paid_at === null && t.status !== 'created' && t.status !== 'failed') missing.push('paid time');
  if (t.trade_no === null && (t.status === 'paid' || t.status === 'delivered')) missing.push('gateway trade no');
  const contact = t.buyer_email
    ? `buyer ${t.buyer_email}`
    : t.trade_no
      ? `gateway/merchant: look up trade no ${t.trade_no} in the ${t.channel ?? 'gateway'} merchant console`
      : `merchant: search the ${t.channel ?? 'gateway'} bill for order ${t.order_id}`;
  return [reviewPriority(t, threshold) ?? '', t.order_id, t.status, t.confidence, t.amount === null ? '' : t.amount.toFixed(2), t.created_at, t.paid_at, why.join('; '), missing.join(', '), contact, t.evidence.slice(0, 5).map((e) => `${e.file}:${e.line}`).join(' ')]
    .map(csvCell)
    .join(',');
}
