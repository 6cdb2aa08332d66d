import type { Evidence } from '../model/types';

// The merchant balance lines the correlator collects while reading, for the balance check to
// replay afterwards. They live with the correlator, which gathers them, so that the checks
// stage reads the correlator's output and nothing flows the other way.

/** One balance change, with what the check reads of it (and its fingerprint, to drop copies). */
export interface BalanceLine {
  merchant_id: string;
  before: number;
  after: number;
  change: number | undefined;
  tsMs: number;
  ts: string | null;
  file: string;
  line: number;
  fingerprint: string;
}

/** The balance line in a piece of evidence, or null when it lacks a merchant, a before or an after. */
export function balanceLineOf(e: Evidence, file: string = e.source.file): BalanceLine | null {
  const f = e.fields;
  if (typeof f.merchant_id !== 'string' || typeof f.before !== 'number' || typeof f.after !== 'number') return null;
  return { merchant_id: f.merchant_id, before: f.before, after: f.after, change: typeof f.change === 'number' ? f.change : undefined, tsMs: e.tsMs, ts: e.ts, file, line: e.source.line, fingerprint: e.fingerprint };
}

/** Keep one of each fingerprint: the copy with the smallest (file, line), so the choice is stable. */
export function uniqueBalanceLines(lines: readonly BalanceLine[]): BalanceLine[] {
  const best = new Map<string, BalanceLine>();
  for (const l of lines) {
    const cur = best.get(l.fingerprint);
    if (!cur || l.file < cur.file || (l.file === cur.file && l.line < cur.line)) best.set(l.fingerprint, l);
  }
  return [...best.values()];
}
