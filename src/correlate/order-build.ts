import { isoWithOffset } from '../../parsers/time';
import type { Scorer } from '../model/score-features';
import { checkedView, type CheckedEvidence, type Transaction } from '../model/types';
import { parseEvidence } from '../model/evidence-batch';
import { buildTransaction, type JoinedEvidence } from './build-transaction';
import { sourceOf } from './clock-skew';
import type { FinalOrder, OrderBuilds } from './order-shelf';

// One order's record, from its evidence text alone: pure functions of (order number, evidence
// JSON, clock corrections, scorer), so they can run on whichever thread holds the evidence. An
// order that goes quiet while files are read gets a record built with the corrections known so
// far (`quietRecord`), parked with a note of what it was built with; at the end of the run
// (`settleOrder`) that record stands if nothing it was built from has changed, or is built
// again from all of the order's evidence.

/** Parked beside a record built when its order went quiet: what it was built with (the clock
 *  corrections that applied to its sources) and how many copies it dropped. The header line is
 *  this note's JSON, a tab, and the checks' view of the evidence as JSON (JSON text never holds
 *  a raw tab): the end of the run reads the note alone, and passes the view on as it is. */
interface BuiltWith {
  k: string;
  s: string[];
  d: number;
}

/** One order's final record, with what the checks and the report need of it. */
export interface Settled {
  id: string;
  record: Transaction;
  /** The record's JSON (JSON.stringify of `record`). */
  text: string;
  /** The checks' view of the evidence the record was built from (copies dropped). */
  checked: readonly CheckedEvidence[];
  /** Evidence copies dropped (the same line seen in another place). */
  dropped: number;
  /** Whether this is the record built when the order went quiet (else built at the end). */
  kept: boolean;
}

/** The record of an order that went quiet, built with the clock corrections known so far: `[header, record]` to park. */
export function quietRecord(id: string, items: readonly string[], corrections: ReadonlyMap<string, number>, score: Scorer): [string, string] {
  const raw = items.map((j) => parseEvidence(j) as JoinedEvidence);
  const sources = [...new Set(raw.map(sourceOf))].sort();
  const list = corrections.size > 0 ? raw.map((e) => correctClock(e, corrections)) : raw;
  const copies = dropCopies(list);
  const t = buildTransaction(id, copies.kept, score);
  const builtWith: BuiltWith = { k: correctionKey(corrections, sources), s: sources, d: copies.dropped };
  return [`${JSON.stringify(builtWith)}\t${JSON.stringify(copies.kept.map(checkedView))}`, JSON.stringify(t)];
}

/** An order at the end of the run as text: its parked record and checked view if it stands, else the record built now from all of its evidence. */
export type SettledParts =
  | { id: string; kept: true; text: string; checkedText: string; dropped: number }
  | { id: string; kept: false; record: Transaction; checked: readonly CheckedEvidence[]; dropped: number };

/** The parked record stands if it was built with these corrections and nothing came after; else the record is built now. Null when no evidence is left (all it had was a join taken back). */
export function settleParts(o: FinalOrder, corrections: ReadonlyMap<string, number>, score: Scorer): SettledParts | null {
  const stored = o.stored;
  if (stored) {
    const tab = stored.header.indexOf('\t');
    const builtWith = JSON.parse(stored.header.slice(0, tab)) as BuiltWith;
    if (builtWith.k === correctionKey(corrections, builtWith.s)) return { id: o.id, kept: true, text: stored.record, checkedText: stored.header.slice(tab + 1), dropped: builtWith.d };
  }
  const evidence = o.evidence();
  if (evidence.length === 0) return null;
  const raw = evidence.map((j) => parseEvidence(j) as JoinedEvidence);
  const list = corrections.size > 0 ? raw.map((e) => correctClock(e, corrections)) : raw;
  const copies = dropCopies(list);
  return { id: o.id, kept: false, record: buildTransaction(o.id, copies.kept, score), checked: copies.kept, dropped: copies.dropped };
}

/** An order's final record, with its checks' view and the record's JSON, as objects. */
export function settleOrder(o: FinalOrder, corrections: ReadonlyMap<string, number>, score: Scorer): Settled | null {
  const p = settleParts(o, corrections, score);
  if (p === null) return null;
  if (p.kept) return { id: p.id, record: JSON.parse(p.text) as Transaction, text: p.text, checked: JSON.parse(p.checkedText) as CheckedEvidence[], dropped: p.dropped, kept: true };
  return { id: p.id, record: p.record, text: JSON.stringify(p.record), checked: p.checked, dropped: p.dropped, kept: false };
}

/** The production builds of a shelf: records scored by `score`. */
export function recordBuilds(score: Scorer): OrderBuilds<Settled> {
  return {
    quiet: (id, items, corrections) => quietRecord(id, items, corrections, score),
    final: (o, corrections) => settleOrder(o, corrections, score),
  };
}

/** The corrections that apply to these sources, as text: equal keys mean the same times. */
export function correctionKey(corrections: ReadonlyMap<string, number>, sources: readonly string[]): string {
  let k = '';
  for (const s of sources) {
    const off = corrections.get(s);
    if (off !== undefined) k += `${s}=${off};`;
  }
  return k;
}

/** Evidence from a source with a known clock offset, moved to the reference clock (and marked). */
function correctClock(e: JoinedEvidence, corrections: ReadonlyMap<string, number>): JoinedEvidence {
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
