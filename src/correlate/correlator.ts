import { checkedView, type CheckedEvidence, type Evidence, type Transaction } from '../model/types';
import { buildTransaction, type JoinedEvidence } from './build-transaction';
import { batchOf, describeLink, parseEvidence, type EvidenceBatch } from '../pipeline/evidence-batch';
import { RecordSpool } from './record-spool';
import { callbackTime, SkewEstimator, sourceOf, type CallbackTime, type SkewEstimate } from './clock-skew';
import { isoWithOffset } from '../../parsers/time';
import { OrderTable, type OrderTableStats } from './order-table';
import { BlockFile, type Block } from './block-file';
import { holdBack, Watermark, typicalTime } from './watermark';

// Gathers evidence from every file and joins it into orders: by order number first, then by
// gateway trade number, and last (for lines that carry no key at all, such as dujiaoka's
// POST /create-order) by client ip, user agent and a short time window. Results do not depend
// on the order evidence arrives in: everything is sorted before it is decided.
//
// While files are read, the correlator follows how far in time every input has got (the
// watermark). An order with no evidence since well before that mark has gone quiet: its record
// is built and parked on disk with its evidence (OrderTable), so memory holds only the orders
// still in motion, plus a few keys per order for the joins. Joins that need the whole run
// (fuzzy creation lines, unlogged callbacks, clock correction) are made at the end; an order
// they touch is rebuilt then, and every other record stands as it was built.

export interface CorrelatorOptions {
  /** How long after a keyless order-creation line the buyer's first keyed request may come. */
  fuzzyWindowMs: number;
  /** Evidence items held in memory before the quietest orders are finished early. */
  maxInMemory: number;
  /** An order with no evidence for this long (behind the watermark) has gone quiet and is finished. */
  quietMs: number;
  /** Lines written out of time order by up to this much still count as on time. */
  slackMs: number;
  /** How far in time one file may be read ahead of the others before it waits. */
  leadMs: number;
  spillParent?: string;
}

/** How long before a "paid" status poll an unlogged callback may have arrived (polls run every few seconds). */
const CALLBACK_WINDOW_MS = 15_000;
/** Quiet orders are looked for each time the watermark moves on by this much. */
const SWEEP_STEP_MS = 60_000;

export const DEFAULT_CORRELATOR: CorrelatorOptions = { fuzzyWindowMs: 30_000, maxInMemory: 20_000, quietMs: 10 * 60_000, slackMs: 5 * 60_000, leadMs: 5 * 60_000 };

export interface Unjoined {
  kind: Evidence['kind'];
  rule: string;
  file: string;
  line: number;
  ts: string | null;
  why: string;
}

export interface CorrelationResult {
  /** The records, to be read once in order with `records.sorted()`; call `records.dispose()` after. */
  records: RecordSpool;
  /** Evidence that could not be tied to any order, with the reason. */
  unjoined: Unjoined[];
  fuzzyJoins: number;
  /** Evidence lines that were exact copies of lines in another place (counted once). */
  duplicateCopies: number;
  /** Every balance change seen, joined to an order or not (copies dropped). */
  balanceChanges: Evidence[];
  /** Evidence items that went through disk because their order went quiet or memory was bounded. */
  spilledEvidence: number;
  /** Clock skew between sources, and which sources were corrected before records were built. */
  clockSkew: SkewEstimate[];
  /** How open state was kept small: orders finished while reading, and records that had to be rebuilt at the end. */
  state: CorrelationState;
}

export interface CorrelationState extends OrderTableStats {
  /** Records built when their order went quiet and still right at the end. */
  records_kept_from_quiet: number;
  /** Records built (or rebuilt) at the end: late evidence, end-of-run joins or a clock correction touched them. */
  records_built_at_end: number;
}

/** Sees each order's record and evidence once, as records are built: how the checks run without holding all evidence. */
export type OrderVisitor = (record: Transaction, evidence: readonly CheckedEvidence[]) => void;

interface Sighting {
  tsMs: number;
  /** The one shared copy of the client text (see ordersByClient). */
  client: string;
  /** A creation line was joined to this order while reading. */
  taken?: boolean;
}

/** A line with no order number or link, parked on disk until the end-of-run joins: what they need of it stays here. */
interface Keyless {
  kind: Evidence['kind'];
  rule: string;
  tsMs: number;
  file: string;
  line: number;
  clientIp: boolean;
  client: string;
  handler: string;
  /** The amount a creation line names, if any: a join needs the order's amount to agree. */
  amount: number | null;
  at: Block;
  /** Held only while a creation line waits for its provisional join. */
  json?: string;
  /** The join made while reading (see joinCreationsSoFar); the end of the run checks it. */
  prov?: FuzzyJoin;
}

/** A creation line's order, and how it was joined (the exact note put on the evidence). */
interface FuzzyJoin {
  oid: string;
  how: string;
}

/** Kinds whose amount is what the shop asked of the buyer (a callback's may differ: a conflict, not a key). */
const ORDER_AMOUNT_KINDS = new Set<Evidence['kind']>(['order_created', 'order_viewed', 'payment_started']);

/** Parked beside a record built when its order went quiet: what it was built with (the clock
 *  corrections that applied to its sources), and what the end of the run needs without
 *  reading the evidence again (copies dropped, the checks' view of the evidence). */
interface BuiltWith {
  k: string;
  s: string[];
  d: number;
  c: CheckedEvidence[];
}

export class Correlator {
  private readonly table: OrderTable;
  private readonly parked: BlockFile;
  private readonly marks = new Watermark();
  private lastSweep = -Infinity;
  /** Gateway trade numbers, card key hashes and rule link keys → the order that carried them. */
  private readonly linkToOrder = new Map<string, string>();
  private readonly firstSeen = new Map<string, Sighting>();
  /** Evidence with only a link key that no order had claimed yet when it arrived. */
  private readonly byLinkOnly: { json: string; links: string[]; tsMs: number }[] = [];
  private readonly keyless: Keyless[] = [];
  /** Creation lines not yet joined while reading, and the orders first seen from each client. */
  private undecided: Keyless[] = [];
  private readonly ordersByClient = new Map<string, { client: string; oids: string[] }>();
  private readonly balances: Evidence[] = [];
  /** One copy of each file name, rule id, format and handler: they repeat on every line. */
  private readonly names = new Map<string, string>();
  /** When each order's status poll first answered "paid", and which pay handler it used: to date the payment by an unlogged callback. */
  private readonly firstObserved = new Map<string, number>();
  /** Each order's amount as the shop asked it, from its earliest line that names one. */
  private readonly orderAmount = new Map<string, { tsMs: number; amount: number }>();
  private readonly handlerOf = new Map<string, string>();
  /** Callback times per order, compact, for estimating clock skew before records are built. */
  private readonly notifyTimes = new Map<string, CallbackTime[]>();
  private notifyCount = 0;
  private corrections: { at: number; map: Map<string, number> } = { at: 0, map: new Map() };
  private readonly opts: CorrelatorOptions;

  constructor(opts: Partial<CorrelatorOptions> = {}) {
    this.opts = { ...DEFAULT_CORRELATOR, ...opts };
    this.table = new OrderTable({ maxOpenItems: this.opts.maxInMemory, ...(this.opts.spillParent ? { spillParent: this.opts.spillParent } : {}) }, (id, items) => this.buildQuiet(id, items));
    this.parked = new BlockFile(this.opts.spillParent, 'salvage-keyless-');
  }

  /** The files about to be read, with their first timestamps where known: what the watermark is made of. */
  expectFiles(files: { file: string; startMs: number | null }[]): void {
    for (const f of files) this.marks.expect(f.file, f.startMs);
  }

  /** How far in time a file has got (sent after its evidence up to there). */
  reached(file: string, ms: number): void {
    this.marks.reached(file, ms);
    this.sweep();
  }

  /** Files being read that have run ahead in time and should wait for the others. */
  holdBack(running: ReadonlySet<string>): ReadonlySet<string> {
    return holdBack(this.marks, running, this.opts.leadMs);
  }

  /** A file has been read to the end: it no longer holds the watermark back. */
  fileDone(file: string): void {
    this.marks.done(file);
    this.sweep();
  }

  /** Evidence as objects (tests, small callers): the same path as batches from the workers. */
  add(items: Evidence[], file?: string): void {
    this.addBatch(batchOf(items), file);
  }

  addBatch(b: EvidenceBatch, file?: string): void {
    for (let i = 0; i < b.json.length; i++) {
      const kind = b.kind[i]!;
      const oid = b.orderId[i];
      const links = b.links[i];
      const ts = b.tsMs[i]!;
      // The few kinds the correlator needs whole are parsed now; the rest stay text until the
      // order's record is built.
      if (kind === 'balance_changed') this.balances.push(this.slimBalance(parseEvidence(b.json[i]!)));
      if (oid) {
        this.table.add(oid, b.json[i]!, ts);
        // A forged callback must not be able to claim a trade number for its order.
        if (links && !b.badSignature[i]) for (const l of links) if (!this.linkToOrder.has(l)) this.linkToOrder.set(l, oid);
        if (kind === 'payment_notified' && ts !== null && !Number.isNaN(ts)) {
          const e = parseEvidence(b.json[i]!);
          let l = this.notifyTimes.get(oid);
          if (!l) this.notifyTimes.set(oid, (l = []));
          l.push(callbackTime(e, this.name(sourceOf(e))));
          this.notifyCount++;
        }
        const amount = b.amount[i];
        if (amount !== null && amount !== undefined && ORDER_AMOUNT_KINDS.has(kind)) {
          const a = this.orderAmount.get(oid);
          const t = Number.isNaN(ts) ? Infinity : ts;
          if (!a || t < a.tsMs || (t === a.tsMs && amount < a.amount)) this.orderAmount.set(oid, { tsMs: t, amount });
        }
        if (kind === 'payment_observed' && !Number.isNaN(ts)) {
          const t = this.firstObserved.get(oid);
          if (t === undefined || ts < t) this.firstObserved.set(oid, ts);
        }
        if (kind === 'payment_started' && !this.handlerOf.has(oid)) {
          const h = parseEvidence(b.json[i]!).fields.pay_handler;
          if (typeof h === 'string') this.handlerOf.set(oid, this.name(h));
        }
        // The first sighting of the order by a browser (client ip and user agent): for fuzzy joins.
        const client = b.client[i];
        if (client && ts !== null && !Number.isNaN(ts)) {
          const s = this.firstSeen.get(oid);
          if (!s || ts < s.tsMs) {
            let byClient = this.ordersByClient.get(client);
            if (!byClient) this.ordersByClient.set(client, (byClient = { client, oids: [] }));
            if (!s || s.client !== byClient.client) byClient.oids.push(oid);
            if (s) {
              s.tsMs = ts;
              s.client = byClient.client;
            } else this.firstSeen.set(oid, { tsMs: ts, client: byClient.client });
          }
        }
      } else if (links) {
        const link = links.find((l) => this.linkToOrder.has(l));
        if (link) this.table.add(this.linkToOrder.get(link)!, withJoinedBy(b.json[i]!, describeLink(link)), ts);
        else this.byLinkOnly.push({ json: b.json[i]!, links, tsMs: ts });
      } else {
        this.park(b.json[i]!);
      }
    }
    if (file !== undefined) {
      const t = typicalTime(b.tsMs);
      if (!Number.isNaN(t)) this.marks.reached(file, t);
      this.sweep();
    }
  }

  finish(visit?: OrderVisitor): CorrelationResult {
    const unjoined: Unjoined[] = [];
    const miss = (e: Omit<Unjoined, 'why'>, why: string) =>
      unjoined.push({ kind: e.kind, rule: e.rule, file: e.file, line: e.line, ts: e.ts, why });
    const missKeyless = (e: Keyless, why: string) => miss({ ...e, ts: parseEvidence(this.parkedJson(e)).ts }, why);

    for (const { json, links } of this.byLinkOnly) {
      const link = links.find((l) => this.linkToOrder.has(l));
      if (link) this.table.addLate(this.linkToOrder.get(link)!, withJoinedBy(json, describeLink(link)));
      else {
        const e = parseEvidence(json);
        miss({ kind: e.kind, rule: e.rule, file: e.source.file, line: e.source.line, ts: e.ts }, `${links.map(describeLink).join(', ')} match(es) no known order`);
      }
    }
    const fuzzyJoins = this.joinKeyless(missKeyless);

    const clockSkew = this.estimateSkew();
    const corrections = SkewEstimator.corrections(clockSkew);

    let duplicateCopies = 0;
    let kept = 0;
    let built = 0;
    const records = new RecordSpool(5000, this.opts.spillParent);
    try {
      for (const { id, evidence, stored } of this.table.drain()) {
        if (evidence.length === 0) continue; // all it had was a join taken back
        const builtWith = stored ? (JSON.parse(stored.header) as BuiltWith) : null;
        if (stored && builtWith && builtWith.k === correctionKey(corrections, builtWith.s)) {
          const t = JSON.parse(stored.record) as Transaction;
          duplicateCopies += builtWith.d;
          kept++;
          records.add(t);
          visit?.(t, builtWith.c);
          continue;
        }
        const raw = evidence.map((j) => parseEvidence(j) as JoinedEvidence);
        const list = corrections.size > 0 ? raw.map((e) => correctClock(e, corrections)) : raw;
        const copies = dropCopies(list);
        duplicateCopies += copies.dropped;
        const t = buildTransaction(id, copies.kept);
        built++;
        records.add(t);
        visit?.(t, copies.kept);
      }
    } catch (e) {
      records.dispose();
      throw e;
    } finally {
      this.table.dispose();
      this.parked.dispose();
    }
    unjoined.sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line));
    const balanceChanges = dropCopies(this.balances as JoinedEvidence[]).kept;
    const stats = this.table.stats;
    return {
      records, unjoined, fuzzyJoins, duplicateCopies, balanceChanges, spilledEvidence: stats.parked_items, clockSkew,
      state: { ...stats, records_kept_from_quiet: kept, records_built_at_end: built },
    };
  }

  /** Finish quiet orders when the watermark has moved on far enough to make it worth a look. */
  private sweep(): void {
    const w = this.marks.value();
    if (!(w - this.lastSweep >= SWEEP_STEP_MS) || !Number.isFinite(w)) return;
    this.lastSweep = w;
    this.joinCreationsSoFar(w - this.opts.slackMs - this.opts.fuzzyWindowMs);
    this.table.finishQuiet(w - this.opts.slackMs - this.opts.quietMs);
  }

  /** The record of an order that went quiet, built with the clock corrections known so far. */
  private buildQuiet(id: string, items: readonly string[]): [string, string] {
    const raw = items.map((j) => parseEvidence(j) as JoinedEvidence);
    const corrections = this.currentCorrections();
    const sources = [...new Set(raw.map(sourceOf))].sort();
    const list = corrections.size > 0 ? raw.map((e) => correctClock(e, corrections)) : raw;
    const copies = dropCopies(list);
    const t = buildTransaction(id, copies.kept);
    const builtWith: BuiltWith = { k: correctionKey(corrections, sources), s: sources, d: copies.dropped, c: copies.kept.map(checkedView) };
    return [JSON.stringify(builtWith), JSON.stringify(t)];
  }

  /** Clock corrections from the callbacks seen so far; worked out again only as more arrive. */
  private currentCorrections(): Map<string, number> {
    if (this.notifyCount > this.corrections.at * 1.2 + 100) {
      this.corrections = { at: this.notifyCount, map: SkewEstimator.corrections(this.estimateSkew()) };
    }
    return this.corrections.map;
  }

  private estimateSkew(): SkewEstimate[] {
    const skew = new SkewEstimator();
    for (const l of this.notifyTimes.values()) skew.visitTimes(l);
    return skew.finish();
  }

  private park(json: string): void {
    const e = parseEvidence(json);
    const f = e.fields;
    const client = `${f.client_ip ?? ''}|${f.user_agent ?? ''}`;
    const k: Keyless = {
      kind: e.kind, rule: this.name(e.rule), tsMs: e.tsMs, file: this.name(e.source.file), line: e.source.line,
      clientIp: Boolean(f.client_ip), client: this.ordersByClient.get(client)?.client ?? client, handler: this.name(String(f.pay_handler ?? '')),
      amount: typeof f.amount === 'number' && Number.isFinite(f.amount) ? f.amount : null,
      at: this.parked.append([json]),
    };
    this.keyless.push(k);
    if (isCreation(k)) {
      k.json = json;
      this.undecided.push(k);
    }
  }

  /**
   * The fuzzy join of creation lines, made while reading for every line the watermark has
   * passed by more than the join window: each goes to its order before that order goes quiet,
   * so the order's record is built once. It is the same rule as joinKeyless, applied to what
   * has been seen so far; joinKeyless decides again at the end with everything, and any join
   * it decides otherwise (evidence that came out of time order) is taken back and redone.
   */
  private joinCreationsSoFar(before: number): void {
    if (this.undecided.length === 0) return;
    this.undecided.sort(byTimeThenPlace);
    let n = 0;
    for (; n < this.undecided.length && this.undecided[n]!.tsMs < before; n++) {
      const e = this.undecided[n]!;
      let best: { oid: string; tsMs: number } | null = null;
      for (const oid of this.ordersByClient.get(e.client)?.oids ?? []) {
        const seen = this.firstSeen.get(oid)!;
        if (seen.client !== e.client || seen.taken) continue;
        if (seen.tsMs < e.tsMs || seen.tsMs - e.tsMs > this.opts.fuzzyWindowMs || !this.amountAgrees(e, oid)) continue;
        if (!best || seen.tsMs < best.tsMs || (seen.tsMs === best.tsMs && oid < best.oid)) best = { oid, tsMs: seen.tsMs };
      }
      if (best) {
        this.firstSeen.get(best.oid)!.taken = true;
        e.prov = { oid: best.oid, how: this.fuzzyHow(e, best) };
        this.table.add(best.oid, withJoinedBy(e.json!, e.prov.how), e.tsMs);
      }
      e.json = undefined;
    }
    this.undecided = this.undecided.slice(n);
  }

  /** A creation line that names an amount only joins an order whose own amount, if known, is the same. */
  private amountAgrees(e: Keyless, oid: string): boolean {
    if (e.amount === null) return true;
    const a = this.orderAmount.get(oid);
    return a === undefined || Math.round(a.amount * 100) === Math.round(e.amount * 100);
  }

  /** The note a fuzzy join leaves on the evidence (and in the record's reasons). */
  private fuzzyHow(e: Keyless, order: { oid: string; tsMs: number }): string {
    const secs = Math.round((order.tsMs - e.tsMs) / 1000);
    const amount = e.amount !== null && this.orderAmount.has(order.oid) ? `, amount ${e.amount} agrees` : '';
    return `client ${e.client.slice(0, e.client.indexOf('|'))} and user agent within ${secs} s${amount}`;
  }

  /** The shared copy of a name that repeats on many lines. */
  private name(s: string): string {
    const got = this.names.get(s);
    if (got !== undefined) return got;
    this.names.set(s, s);
    return s;
  }

  /** A balance line with only what the balance check and copy detection read. */
  private slimBalance(e: Evidence): Evidence {
    const f = e.fields;
    return {
      kind: e.kind, rule: this.name(e.rule), weight: e.weight, format: this.name(e.format), ts: e.ts, tsMs: e.tsMs,
      source: { file: this.name(e.source.file), line: e.source.line, lineEnd: e.source.lineEnd, offset: e.source.offset },
      fields: { merchant_id: f.merchant_id, before: f.before, after: f.after, change: f.change },
      fingerprint: e.fingerprint,
    } as Evidence;
  }

  private parkedJson(k: Keyless): string {
    return this.parked.read(k.at)[0]!;
  }

  /**
   * A keyless order-creation line is joined to the order whose first sighting is the same
   * client (ip and user agent) within the window after it, and whose amount agrees when both
   * are known. Each order takes at most one such line, the closest in time; ties are broken by
   * file and line so the result is stable.
   */
  private joinKeyless(miss: (e: Keyless, why: string) => void): number {
    const firstByClient = new Map<string, { oid: string; tsMs: number }[]>();
    for (const [oid, s] of this.firstSeen) {
      let arr = firstByClient.get(s.client);
      if (!arr) firstByClient.set(s.client, (arr = []));
      arr.push({ oid, tsMs: s.tsMs });
    }
    for (const arr of firstByClient.values()) arr.sort((a, b) => a.tsMs - b.tsMs || (a.oid < b.oid ? -1 : 1));

    const creations = this.keyless.filter(isCreation).sort(byTimeThenPlace);
    const taken = new Set<string>();
    let joins = 0;
    for (const e of creations) {
      const arr = firstByClient.get(e.client);
      const cand = arr?.find((c) => !taken.has(c.oid) && c.tsMs >= e.tsMs && c.tsMs - e.tsMs <= this.opts.fuzzyWindowMs && this.amountAgrees(e, c.oid));
      const join = cand ? { oid: cand.oid, how: this.fuzzyHow(e, cand) } : null;
      // The join made while reading stands when it is this one; otherwise it is taken back.
      const same = e.prov && join && e.prov.oid === join.oid && e.prov.how === join.how;
      if (e.prov && !same) this.table.retract(e.prov.oid, withJoinedBy(this.parkedJson(e), e.prov.how));
      if (!join) {
        miss(e, 'order creation with no order number, and no order seen from the same client (with an agreeing amount) soon after');
        continue;
      }
      taken.add(join.oid);
      joins++;
      if (!same) this.table.addLate(join.oid, withJoinedBy(this.parkedJson(e), join.how));
    }
    joins += this.joinUnloggedCallbacks(miss);
    for (const e of this.keyless) {
      if (isCreation(e)) continue;
      if (e.kind === 'balance_changed') continue; // used by the balance check, not joined
      if (e.kind === 'callback_seen') continue; // handled by joinUnloggedCallbacks
      miss(e, 'no order number or trade number on this line');
    }
    return joins;
  }

  /**
   * A callback whose body was not logged names no order, but its time does: the shop marks the
   * order paid while answering it, and the buyer's next status poll says so. An order whose
   * poll first answered "paid" at t takes the one callback of its gateway handler in the
   * window before t; when there are several, none is taken (the record keeps the poll's time).
   */
  private joinUnloggedCallbacks(miss: (e: Keyless, why: string) => void): number {
    const callbacks = this.keyless.filter((e) => e.kind === 'callback_seen' && !Number.isNaN(e.tsMs)).sort(byTimeThenPlace);
    const byHandler = new Map<string, Keyless[]>();
    for (const e of callbacks) {
      let l = byHandler.get(e.handler);
      if (!l) byHandler.set(e.handler, (l = []));
      l.push(e);
    }
    const orders = [...this.firstObserved].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    const taken = new Set<Keyless>();
    let joins = 0;
    for (const [oid, t] of orders) {
      const handler = this.handlerOf.get(oid);
      if (handler === undefined) continue;
      const inWindow = (byHandler.get(handler) ?? []).filter((e) => !taken.has(e) && e.tsMs <= t && t - e.tsMs <= CALLBACK_WINDOW_MS);
      if (inWindow.length !== 1) continue;
      const e = inWindow[0]!;
      taken.add(e);
      joins++;
      this.table.addLate(oid, withJoinedBy(this.parkedJson(e), `time: the only ${handler} callback in the ${CALLBACK_WINDOW_MS / 1000} s before the order's status first showed "paid"`));
    }
    for (const e of callbacks) if (!taken.has(e)) miss(e, 'callback whose content was not logged, and no single order it can be tied to by time');
    return joins;
  }
}

function isCreation(e: Keyless): boolean {
  return e.kind === 'order_created' && e.clientIp && !Number.isNaN(e.tsMs);
}

function byTimeThenPlace(a: Keyless, b: Keyless): number {
  return a.tsMs - b.tsMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
}

/** Evidence JSON with a `joinedBy` note added last, as `{ ...e, joinedBy }` would put it, without parsing it. */
export function withJoinedBy(json: string, how: string): string {
  return `${json.slice(0, -1)},"joinedBy":${JSON.stringify(how)}}`;
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
export function dropCopies(list: JoinedEvidence[]): { kept: JoinedEvidence[]; dropped: number } {
  const best = new Map<string, JoinedEvidence>();
  for (const e of list) {
    const cur = best.get(e.fingerprint);
    if (!cur || e.source.file < cur.source.file || (e.source.file === cur.source.file && e.source.line < cur.source.line)) best.set(e.fingerprint, e);
  }
  return { kept: [...best.values()], dropped: list.length - best.size };
}
