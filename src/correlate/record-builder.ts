import type { Evidence } from '../model/types';
import { parseEvidence } from '../model/evidence-batch';
import { uniqueBalanceLines } from './balance-lines';
import { SkewEstimator, type SkewEstimate } from './clock-skew';
import type { CorrelationResult, OrderVisitor, Unjoined } from './correlation';
import type { Gathered } from './intake';
import type { Settled } from './order-build';
import type { OrderTable } from './order-table';
import type { Miss } from './parked-line';
import { RecordSpool } from './record-spool';
import { SPOOLS } from '../settings';

// The end of the correlator's run. An order that went quiet while files were read had its
// record built then, by the shelf, with the clock corrections known so far (order-build.ts).
// Here the joins that need every order known are made, the clocks are estimated from
// everything, and the shelf settles each order: its record is taken as it was parked if
// nothing it was built from has changed, or built (again) if late evidence, an end-of-run join
// or a different clock correction touched it. The checks see each order once, in order-number
// order, and the records go to the spool that writes them out in their final order.

export class RecordBuilder {
  constructor(private readonly spillParent?: string) {}

  /** The end of the run: the joins that wait for it, the clocks, then every order's record, each seen once by `visit`. */
  finish(g: Gathered, visit?: OrderVisitor): CorrelationResult {
    const unjoined: Unjoined[] = [...g.unplaced];
    try {
      const { clockSkew, corrections, fuzzyJoins } = joinAtEnd(g, unjoined);
      const { records, duplicateCopies, kept, built } = this.collect(g.table, corrections, visit);
      // A total order: two items of one line could otherwise keep the order they arrived in.
      unjoined.sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || textOrder(a.kind, b.kind) || textOrder(a.rule, b.rule) || textOrder(a.why, b.why)));
      const stats = g.table.stats;
      return {
        records, unjoined, fuzzyJoins, duplicateCopies, balanceChanges: uniqueBalanceLines(g.balances), spilledEvidence: stats.parked_items, clockSkew,
        state: { ...stats, records_kept_from_quiet: kept, records_built_at_end: built, creation_joins_walked_again: g.creations.walkedAgain },
      };
    } finally {
      g.table.dispose();
    }
  }

  /** Every order's record, in order-number order, as the shelf settles it with the final corrections. */
  private collect(table: OrderTable<Settled>, corrections: Map<string, number>, visit: OrderVisitor | undefined): { records: RecordSpool; duplicateCopies: number; kept: number; built: number } {
    let duplicateCopies = 0;
    let kept = 0;
    let built = 0;
    // Few records stay in memory: each one held keeps its header and checked evidence alive,
    // several KB; 5,000 of them were most of the heap at this point on the bench corpus (issue 11).
    const records = new RecordSpool(SPOOLS.recordsInMemory, this.spillParent);
    try {
      for (const s of table.settle(corrections)) {
        duplicateCopies += s.dropped;
        if (s.kept) kept++;
        else built++;
        records.add(s.record, s.text);
        visit?.(s.record, s.checked);
      }
    } catch (e) {
      records.dispose();
      throw e;
    }
    return { records, duplicateCopies, kept, built };
  }
}

/**
 * The joins only the end of the run can decide, each adding its lines to their orders and
 * reporting the rest in `unjoined`: by link and by order-number prefix (every order is known
 * now), then, with the clocks estimated from everything, by client and time (creation lines)
 * and by time alone (unlogged callbacks), which compare times across sources and so take them
 * corrected.
 */
function joinAtEnd(g: Gathered, unjoined: Unjoined[]): { clockSkew: SkewEstimate[]; corrections: Map<string, number>; fuzzyJoins: number } {
  const miss = (e: Evidence, why: string) => unjoined.push({ kind: e.kind, rule: e.rule, file: e.source.file, line: e.source.line, ts: e.ts, why });
  const missParked: Miss = (l, why, json) => unjoined.push({ kind: l.kind, rule: l.rule, file: l.file, line: l.line, ts: parseEvidence(json).ts, why });
  g.links.finish(g.table, miss, (prefix, json) => g.prefixes.park(prefix, json));
  g.prefixes.finish(g.table, miss);
  const clockSkew = g.clocks.estimate();
  const corrections = SkewEstimator.corrections(clockSkew);
  const shift = corrections.size === 0 ? undefined : (code: number) => (corrections.get(g.names.source(code)) ?? 0) * 1000;
  const fuzzyJoins = g.creations.finish(g.table, missParked, shift) + g.callbacks.finish(g.table, missParked, shift);
  return { clockSkew, corrections, fuzzyJoins };
}

function textOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
