import type { Evidence } from '../model/types';
import type { RecordSummary } from '../correlate/record-spool';
import { balanceLineOf, type BalanceLine } from '../correlate/balance-lines';

// Merchant balance chains: where the app log records each change with before and after values,
// consecutive lines must meet (after of one = before of the next). A break proves that events
// are missing; the paid records in the gap are listed as candidates that explain it.

export interface BalanceBreak {
  merchant_id: string;
  from: string | null;
  to: string | null;
  expected_before: number;
  found_before: number;
  missing_amount: number;
  at: { file: string; line: number };
  candidates: { order_id: string; amount: number | null; paid_at: string | null; exact: boolean }[];
}

export interface BalanceReport {
  merchants: number;
  changes: number;
  breaks: BalanceBreak[];
  /** Lines whose own arithmetic is wrong: before + change ≠ after. */
  inconsistent: { file: string; line: number; detail: string }[];
}

const cents = (x: number) => Math.round(x * 100);


export function balanceChecks(events: Evidence[], records: readonly RecordSummary[]): BalanceReport {
  return checkBalanceLines(events.map((e) => balanceLineOf(e)).filter((l): l is BalanceLine => l !== null), records);
}

export function checkBalanceLines(lines: readonly BalanceLine[], records: readonly RecordSummary[]): BalanceReport {
  const byMerchant = new Map<string, BalanceLine[]>();
  for (const e of lines) {
    let l = byMerchant.get(e.merchant_id);
    if (!l) byMerchant.set(e.merchant_id, (l = []));
    l.push(e);
  }
  const paid = records.filter((r) => r.paid_at !== null).map((r) => ({ r, t: Date.parse(r.paid_at!) }));
  const breaks: BalanceBreak[] = [];
  const inconsistent: BalanceReport['inconsistent'] = [];
  let changes = 0;
  for (const [merchant, list] of [...byMerchant].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    // Equal times and lines in two files: by file name, not by which was read first.
    list.sort((a, b) => a.tsMs - b.tsMs || a.line - b.line || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    changes += list.length;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      const { before, after, change } = e;
      if (change !== undefined && cents(before) + cents(change) !== cents(after)) {
        inconsistent.push({ file: e.file, line: e.line, detail: `before ${before} + change ${change} ≠ after ${after}` });
      }
      if (i === 0) continue;
      const prev = list[i - 1]!;
      const expected = prev.after;
      if (cents(expected) === cents(before)) continue;
      const missing = (cents(before) - cents(expected)) / 100;
      const lo = prev.tsMs;
      const hi = e.tsMs;
      const inGap = paid.filter((p) => p.t >= lo && p.t <= hi);
      breaks.push({
        merchant_id: merchant,
        from: prev.ts,
        to: e.ts,
        expected_before: expected,
        found_before: before,
        missing_amount: missing,
        at: { file: e.file, line: e.line },
        candidates: inGap.slice(0, 20).map((p) => ({ order_id: p.r.order_id, amount: p.r.amount, paid_at: p.r.paid_at, exact: p.r.amount !== null && cents(p.r.amount) === cents(missing) })),
      });
    }
  }
  return { merchants: byMerchant.size, changes, breaks, inconsistent };
}
