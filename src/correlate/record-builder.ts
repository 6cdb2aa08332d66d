import { isoWithOffset } from '../../parsers/time';
import type { Scorer } from '../model/score-features';
import { checkedView, type CheckedEvidence, type Evidence, type Transaction } from '../model/types';
import { parseEvidence } from '../model/evidence-batch';
import { uniqueBalanceLines } from './balance-lines';
import { buildTransaction, type JoinedEvidence } from './build-transaction';
import { SkewEstimator, sourceOf, type SkewEstimate } from './clock-skew';
import type { CorrelationResult, OrderVisitor, Unjoined } from './correlation';
import type { Gathered } from './intake';
import type { OrderTable } from './order-table';
import type { Miss } from './parked-line';
import { RecordSpool } from './record-spool';
import { SPOOLS } from '../settings';

// The building half of the correlator. An order that goes quiet while files are read gets its
// record built then, with the clock corrections known so far, and parked with a note of what
// it was built with (`quiet`). At the end of the run (`finish`), the joins that need every
// order known are made, the clocks are estimated from everything, and each order's record is
// taken as it was parked if nothing it was built from has changed, or built (again) if late
// evidence, an end-of-run join or a different clock correction touched it. Records are scored
// by the confidence model the pipeline passes in.

/** Parked beside a record built when its order went quiet: what it was built with (the clock
 *  corrections that applied to its sources), and what the end of the run needs without
 *  reading the evidence again (copies dropped, the checks' view of the evidence). */
interface BuiltWith {
  k: string;
  s: string[];
  d: number;
  c: CheckedEvidence[];
}

export class RecordBuilder {
  constructor(
    private readonly score: Scorer,
    private readonly spillParent?: string,
  ) {}

  /** The record of an order that went quiet, built with the clock corrections known so far: `[header, record]` to park. */
  quiet(id: string, items: readonly string[], corrections: Map<string, number>): [string, string] {
    const raw = items.map((j) => parseEvidence(j) as JoinedEvidence);
    const sources = [...new Set(raw.map(sourceOf))].sort();
    const list = corrections.size > 0 ? raw.map((e) => correctClock(e, corrections)) : raw;
    const copies = dropCopies(list);
    const t = buildTransaction(id, copies.kept, this.score);
    const builtWith: BuiltWith = { k: correctionKey(corrections, sources), s: sources, d: copies.dropped, c: copies.kept.map(checkedView) };
    return [JSON.stringify(builtWith), JSON.stringify(t)];
  }

  /** The end of the run: the joins that wait for it, the clocks, then every order's record, each seen once by `visit`. */
  finish(g: Gathered, visit?: OrderVisitor): CorrelationResult {
    const unjoined: Unjoined[] = [...g.unplaced];
    try {
      const { clockSkew, corrections, fuzzyJoins } = joinAtEnd(g, unjoined);
      const { records, duplicateCopies, kept, built } = this.buildAll(g.table, corrections, visit);
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

  /** Every order's record, in order-number order: kept as parked when it was built with these corrections and nothing came after, else built now. */
  private buildAll(table: OrderTable, corrections: Map<string, number>, visit: OrderVisitor | undefined): { records: RecordSpool; duplicateCopies: number; kept: number; built: number } {
    let duplicateCopies = 0;
    let kept = 0;
    let built = 0;
    // Few records stay in memory: each one held keeps its header and checked evidence alive,
    // several KB; 5,000 of them were most of the heap at this point on the bench corpus (issue 11).
    const records = new RecordSpool(SPOOLS.recordsInMemory, this.spillParent);
    try {
      for (const { id, evidence: read, stored } of table.drain()) {
        const builtWith = stored ? (JSON.parse(stored.header) as BuiltWith) : null;
        if (stored && builtWith && builtWith.k === correctionKey(corrections, builtWith.s)) {
          const t = JSON.parse(stored.record) as Transaction;
          duplicateCopies += builtWith.d;
          kept++;
          records.add(t, stored.record);
          visit?.(t, builtWith.c);
          continue;
        }
        const evidence = read();
        if (evidence.length === 0) continue; // all it had was a join taken back
        const raw = evidence.map((j) => parseEvidence(j) as JoinedEvidence);
        const list = corrections.size > 0 ? raw.map((e) => correctClock(e, corrections)) : raw;
        const copies = dropCopies(list);
        duplicateCopies += copies.dropped;
        const t = buildTransaction(id, copies.kept, this.score);
        built++;
        records.add(t);
        visit?.(t, copies.kept);
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

/** The corrections that apply to these sources, as text: equal keys mean the same times. */
function correctionKey(corrections: Map<string, number>, sources: readonly string[]): string {
  let k = '';
  for (const s of sources) {
    const off = corrections.get(s);
    if (off !== undefined) k += `${s}=${off};`;
  }
  return k;
}

/** Evidence from a source with a known clock offset, moved to the reference clock (and marked). */
function correctClock(e: JoinedEvidence, corrections: Map<string, number>): JoinedEvidence {
  const off = corrections.get(sourceOf(e));
  if (off === undefined || Number.isNaN(e.tsMs)) return e;
  const tsMs = e.tsMs - off * 1000;
  const m = e.ts ? /([+-])(\d{2}):(\d{2})$/.exec(e.ts) : null;
  const zone = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return { ...e, tsMs, ts: isoWithOffset(tsMs, zone), fields: { ...e.fields, clock_corrected_s: -off } };
}

/** Keep one of each fingerprint: the copy with the smallest (file, line), so the choice is stable. */
function dropCopies(list: JoinedEvidence[]): { kept: JoinedEvidence[]; dropped: number } {
  const best = new Map<string, JoinedEvidence>();
  for (const e of list) {
    const cur = best.get(e.fingerprint);
    if (!cur || e.source.file < cur.source.file || (e.source.file === cur.source.file && e.source.line < cur.source.line)) best.set(e.fingerprint, e);
  }
  return { kept: [...best.values()], dropped: list.length - best.size };
}

function textOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
