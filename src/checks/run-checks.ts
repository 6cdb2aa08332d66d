import type { FileReport, Transaction, Evidence, CheckedEvidence } from '../model/types';
import type { CorrelationResult } from '../correlate/correlator';
import { coverageGaps, type CoverageReport } from './coverage';
import { RelationCheck, type RelationFinding } from './relations';
import { checkBalanceLines, type BalanceReport } from './balances';
import type { SkewEstimate } from '../correlate/clock-skew';
import { SequenceCheck, type SequenceReport } from './sequence';
import { StatementCheck, type StatementReport } from './statement';
import { BaselineCheck, type BaselineReport } from './baseline';
import type { StatementSpan } from '../sources/statements/read-statement';
import type { Baseline } from '../sources/baseline/read-baseline';

// The checks the seed's team did by hand, run as correlation finishes: are the timestamps
// continuous, are the relations consistent, are the balances right, do the clocks agree?
// Order-level checks see each order once through `visit`, so no check needs all evidence at once.

export interface ChecksReport {
  coverage: CoverageReport;
  relations: { counts: Record<string, number>; findings: RelationFinding[] };
  balances: BalanceReport;
  clocks: SkewEstimate[];
  sequence: SequenceReport;
}

/** The user's extra evidence: merchant statements (`--statement`) and the last backup (`--baseline`). */
export interface ChecksOptions {
  statements?: StatementSpan[];
  baseline?: Baseline;
}

export class Checks {
  private readonly relations = new RelationCheck();
  private readonly sequence = new SequenceCheck();
  private readonly statement: StatementCheck | null;
  private readonly baseline: BaselineCheck | null;

  constructor(opts: ChecksOptions = {}) {
    this.statement = opts.statements && opts.statements.length > 0 ? new StatementCheck(opts.statements) : null;
    this.baseline = opts.baseline ? new BaselineCheck(opts.baseline) : null;
  }

  readonly visit = (record: Transaction, evidence: readonly CheckedEvidence[]): void => {
    this.relations.visit(record, evidence);
    this.sequence.visit(record, evidence);
    this.statement?.visit(record, evidence);
    this.baseline?.visit(record);
  };

  /** `formatTime` renders instants in the shop's zone, as operators read them. */
  /**
   * `formatTime` renders instants in the shop's zone, as operators read them. Returns the report
   * and `flag`, which adds what the checks found to a record as it is written out.
   */
  finish(files: FileReport[], c: CorrelationResult, formatTime?: (ms: number) => string): { report: ChecksReport; flag: (t: Transaction) => Transaction; statement?: StatementReport; baseline?: BaselineReport } {
    const coverage = coverageGaps(files, 5, formatTime);
    const rel = this.relations.finish();
    const balances = checkBalanceLines(c.balanceChanges, c.records.paidSummary);
    const clocks = c.clockSkew;
    const near = new Set<string>();
    for (const b of balances.breaks) for (const cand of b.candidates) near.add(cand.order_id);
    const stmt = this.statement?.finish(formatTime);
    const base = this.baseline?.finish(formatTime);
    const flag = (t: Transaction): Transaction => {
      let extra = rel.flags.get(t.order_id) ?? [];
      const more0 = [...(stmt?.flags.get(t.order_id) ?? []), ...(base?.flags.get(t.order_id) ?? [])];
      if (more0.length > 0) extra = [...extra, ...more0];
      const more = near.has(t.order_id) ? ['explains_balance_break?'] : [];
      if (extra.length === 0 && more.length === 0) return t;
      return { ...t, flags: [...t.flags, ...extra.filter((f) => !t.flags.includes(f)), ...more] };
    };
    const counts: Record<string, number> = {};
    for (const f of rel.findings) counts[f.check] = (counts[f.check] ?? 0) + 1;
    return {
      report: { coverage, relations: { counts, findings: rel.findings.slice(0, 1000) }, balances, clocks, sequence: this.sequence.finish() },
      flag,
      ...(stmt ? { statement: stmt.report } : {}),
      ...(base ? { baseline: base.report } : {}),
    };
  }
}
