import type { FileReport, Transaction } from '../model/types';
import type { CorrelationResult } from '../correlate/correlator';
import { coverageGaps, type CoverageReport } from './coverage';
import { relationChecks, type RelationFinding } from './relations';
import { balanceChecks, type BalanceReport } from './balances';
import { estimateSkew, type SkewEstimate } from './clocks';

// The checks the seed's team did by hand, run after correlation: are the timestamps
// continuous, are the relations consistent, are the balances right, do the clocks agree?

export interface ChecksReport {
  coverage: CoverageReport;
  relations: { counts: Record<string, number>; findings: RelationFinding[] };
  balances: BalanceReport;
  clocks: SkewEstimate[];
}

export function runChecks(files: FileReport[], c: CorrelationResult): { report: ChecksReport; records: Transaction[] } {
  const coverage = coverageGaps(files);
  const rel = relationChecks(c.transactions, c.evidenceByOrder);
  const balances = balanceChecks(c.balanceChanges, c.transactions);
  const clocks = estimateSkew(c.evidenceByOrder);
  const near = new Set<string>();
  for (const b of balances.breaks) for (const cand of b.candidates) near.add(cand.order_id);
  const records = c.transactions.map((t) => {
    const extra = rel.flags.get(t.order_id) ?? [];
    const more = near.has(t.order_id) ? ['explains_balance_break?'] : [];
    if (extra.length === 0 && more.length === 0) return t;
    return { ...t, flags: [...t.flags, ...extra.filter((f) => !t.flags.includes(f)), ...more] };
  });
  const counts: Record<string, number> = {};
  for (const f of rel.findings) counts[f.check] = (counts[f.check] ?? 0) + 1;
  return { report: { coverage, relations: { counts, findings: rel.findings.slice(0, 1000) }, balances, clocks }, records };
}
