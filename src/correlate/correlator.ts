import { checkedView, type CheckedEvidence, type Evidence, type Transaction } from '../model/types';
import { buildTransaction, type JoinedEvidence } from './build-transaction';
import { batchOf, describeLink, linksOf, parseEvidence, type EvidenceBatch } from '../model/evidence-batch';
import { RecordSpool } from './record-spool';
import { callbackTime, MIN_CORRECT_S, SkewEstimator, sourceOf, type SkewEstimate } from './clock-skew';
import { isoWithOffset } from '../../parsers/time';
import { OrderTable, type OrderTableStats } from './order-table';
import { BlockFile } from './block-file';
import { holdBack, Watermark, typicalTime } from './watermark';
import { OrderKeys } from './order-keys';
import { chooseReference, fitIsConvincing, GatewayTimeAgreement, HostSkewEstimator, Step } from './host-skew';
import { ParkedLine, withJoinedBy, type Miss } from './parked-line';
import { CreationJoin } from './creation-join';
import { joinUnloggedCallbacks } from './callback-join';
import { PrefixJoin } from './prefix-join';
import { balanceLineOf, uniqueBalanceLines, type BalanceLine } from './balance-lines';

// Gathers evidence from every file and joins it into orders: by order number first, then by
// gateway trade number, card key hash or a rule's link key (one that a single order carries: a
// link two orders carry places nothing, whichever was read first), and last, for lines that carry no
// key at all, by client and time (creation-join.ts: dujiaoka's POST /create-order) or by time
// alone (callback-join.ts: a callback whose body was not logged). A line that names only the
// start of an order number (a PHP stack trace cuts it) joins the one known order with that
// prefix at the end (prefix-join.ts). Results do not depend on the
// order evidence arrives in: every decision is made, or checked again, over sorted data.
//
// While files are read, the correlator follows how far in time every input has got (the
// watermark). An order with no evidence since well before that mark has gone quiet: its record
// is built and parked on disk with its evidence (OrderTable), so memory holds the orders still
// in motion plus a few keys per order (OrderKeys). What arrives later for a parked order, and
// what only the end of the run can decide (unlogged callbacks, the final clock correction, a
// creation-line join decided otherwise), makes that one record be built again at the end;
// every other record stands as it was built.

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
  balanceChanges: BalanceLine[];
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
  /** The creation-line joins were worked out again at the end: evidence arrived after they had passed its time, or a clock correction applies. */
  creation_joins_walked_again: boolean;
}

/** Sees each order's record and evidence once, as records are built: how the checks run without holding all evidence. */
export type OrderVisitor = (record: Transaction, evidence: readonly CheckedEvidence[]) => void;

/** Kinds whose amount is what the shop asked of the buyer (a callback's may differ: a conflict, not a key). */
const ORDER_AMOUNT_KINDS = new Set<Evidence['kind']>(['order_created', 'order_viewed', 'order_mentioned', 'payment_started']);

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
  /** Gateway trade numbers, card key hashes and rule link keys → the first order seen carrying them. */
  private readonly linkToOrder = new Map<string, string>();
  /** Links carried by more than one order, with every such order: a line naming only such a link cannot be placed. */
  private readonly contested = new Map<string, string[]>();
  /** Lines placed by a link while reading, as `[order, link, line]`: checked again at the end,
   *  when every claim is known, so where a line goes does not depend on what was read first. */
  private readonly linkJoins: BlockFile;
  /** What is kept of every order for the whole run (see OrderKeys). */
  private readonly keys = new OrderKeys();
  /** Evidence with only a link key that no order had claimed yet when it arrived. */
  private readonly byLinkOnly: { json: string; links: string[]; tsMs: number }[] = [];
  private readonly creations: CreationJoin;
  /** Lines naming only the start of an order number: joined at the end, when all orders are known. */
  private readonly prefixes: PrefixJoin;
  /** Callbacks logged without their content: joined to an order by time at the end. */
  private readonly unloggedCallbacks: ParkedLine[] = [];
  /** Lines no join can place, found while reading. */
  private readonly unplaced: Unjoined[] = [];
  private readonly balances: BalanceLine[] = [];
  /** One copy of each file name, rule id, format and handler: they repeat on every line. */
  private readonly names = new Map<string, string>();
  /** Sources (format and folder), numbered from 1 for OrderKeys and parked lines. */
  private readonly sources: string[] = [];
  private notifyCount = 0;
  /** For the host-to-host clock estimate: each file's web source (0: not web), evidence lines per web source, callbacks against gateway times. */
  private readonly fileWebSource = new Map<string, number>();
  private readonly webLines = new Map<number, number>();
  private readonly gatewayTimes = new GatewayTimeAgreement();
  private corrections: { at: number; map: Map<string, number> } = { at: 0, map: new Map() };
  private readonly opts: CorrelatorOptions;

  constructor(opts: Partial<CorrelatorOptions> = {}) {
    this.opts = { ...DEFAULT_CORRELATOR, ...opts };
    this.table = new OrderTable({ maxOpenItems: this.opts.maxInMemory, ...(this.opts.spillParent ? { spillParent: this.opts.spillParent } : {}) }, (id, items) => this.buildQuiet(id, items));
    this.parked = new BlockFile(this.opts.spillParent, 'salvage-keyless-');
    this.linkJoins = new BlockFile(this.opts.spillParent, 'salvage-linked-');
    this.prefixes = new PrefixJoin(this.opts.spillParent);
    this.creations = new CreationJoin(this.keys, this.opts.fuzzyWindowMs, this.opts.spillParent);
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

  /** How far in time every input has been read (-Infinity before anything is known). */
  get watermark(): number {
    return this.marks.value();
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
    // An item needed whole is parsed once, however many of the steps below look into it: the
    // main thread is the slower side while reading, and each parse is garbage to collect.
    let parsedAt = -1;
    let parsed: Evidence | undefined;
    const whole = (j: number): Evidence => {
      if (parsedAt !== j) {
        parsed = parseEvidence(b.json[j]!);
        parsedAt = j;
      }
      return parsed!;
    };
    for (let i = 0; i < b.json.length; i++) {
      const kind = b.kind[i]!;
      const oid = b.orderId[i];
      const links = b.links[i];
      const ts = b.tsMs[i]!;
      // The few kinds the correlator needs whole are parsed now; the rest stay text until the
      // order's record is built.
      if (kind === 'balance_changed') {
        const e = whole(i);
        const line = balanceLineOf(e, this.name(e.source.file));
        if (line) this.balances.push({ ...line, merchant_id: this.name(line.merchant_id) });
      }
      if (oid) {
        const k = this.keys;
        const row = k.row(oid);
        // Every table and index holds the same copy of the order number (each batch brings its own).
        const id = k.id(row);
        this.table.add(id, b.json[i]!, ts);
        // A forged callback must not be able to claim a trade number for its order.
        if (links && !b.badSignature[i]) for (const l of links) this.claim(l, id);
        const known = !Number.isNaN(ts);
        if (kind === 'payment_notified' && known) {
          const e = whole(i);
          const c = callbackTime(e);
          const code = this.sourceCode(c.source);
          k.noteCallback(row, c.web ? -code : code, ts);
          this.notifyCount++;
          if (c.web && !b.badSignature[i]) {
            // The buyer's return is a browser request, not the gateway's: its own step, so that a
            // return on one host and the callback on the other do not void both.
            k.noteStep(row, code, e.fields.copy === 'return' ? Step.Return : Step.Notify, ts);
            this.countWebLine(code);
            if (typeof e.fields.paid_at === 'string') this.gatewayTimes.note(code, ts, Date.parse(e.fields.paid_at));
          }
        } else if (known) {
          this.noteFlowStep(i, whole, row, kind, ts, file);
        }
        const amount = b.amount[i];
        if (amount !== null && amount !== undefined && ORDER_AMOUNT_KINDS.has(kind) && k.noteAmount(row, ts, amount)) this.creations.amountChanged(row);
        // Equal times are decided by name, never by which file was read first (issue 10).
        if (kind === 'payment_observed' && known) {
          const seen = k.observed(row);
          if (ts < seen || ts === seen || Number.isNaN(seen)) {
            const code = this.sourceCode(sourceOf(whole(i)));
            if (k.noteObserved(row, ts) || this.sources[code - 1]! < (this.sources[k.observedSourceOf(row) - 1] ?? '')) k.setObservedSource(row, code);
          }
        }
        if (kind === 'payment_started') {
          const h = whole(i).fields.pay_handler;
          if (typeof h === 'string') k.noteHandler(row, ts, this.name(h));
        }
        // The first sighting of the order by a browser (client ip and user agent): for fuzzy joins.
        const client = b.client[i];
        if (client && known && this.earlierSighting(row, ts, client, i, whole)) this.creations.sighting(row, client, ts, this.sourceCode(sourceOf(whole(i))));
      } else if (links) {
        const to = this.placeByLink(links);
        if (to && 'order' in to) {
          this.table.add(to.order, withJoinedBy(b.json[i]!, describeLink(to.link)), ts);
          this.linkJoins.append([JSON.stringify([to.order, to.link, b.json[i]!])]);
        } else this.byLinkOnly.push({ json: b.json[i]!, links, tsMs: ts });
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
    const missParked: Miss = (l, why, json) => miss({ kind: l.kind, rule: l.rule, file: l.file, line: l.line, ts: parseEvidence(json).ts }, why);
    for (const u of this.unplaced) unjoined.push(u);

    this.recheckLinkJoins();
    for (const { json, links } of this.byLinkOnly) {
      const to = this.placeByLink(links);
      if (to && 'order' in to) this.table.addLate(to.order, withJoinedBy(json, describeLink(to.link)));
      else if (to) {
        const e = parseEvidence(json);
        const orders = this.contested.get(to.contested)!;
        miss({ kind: e.kind, rule: e.rule, file: e.source.file, line: e.source.line, ts: e.ts }, `${describeLink(to.contested)} is carried by ${orders.length} orders (${[...orders].sort().join(', ')}): cannot tell which`);
      } else {
        const e = parseEvidence(json);
        const prefix = e.fields.order_id_prefix;
        if (typeof prefix === 'string' && prefix !== '') {
          this.prefixes.park(prefix, json);
          continue;
        }
        miss({ kind: e.kind, rule: e.rule, file: e.source.file, line: e.source.line, ts: e.ts }, `${links.map(describeLink).join(', ')} match(es) no known order`);
      }
    }
    this.joinPrefixes(miss);
    // Clocks first: the joins below compare times across sources, so they take them corrected.
    const clockSkew = this.estimateSkew();
    const corrections = SkewEstimator.corrections(clockSkew);
    const shift = corrections.size === 0 ? undefined : (code: number) => (corrections.get(this.sources[code - 1] ?? '') ?? 0) * 1000;
    const fuzzyJoins =
      this.creations.finish(this.table, (json, pos, len) => this.lineOf(parseEvidence(json), pos, len), missParked, shift) +
      joinUnloggedCallbacks(this.unloggedCallbacks, this.keys, (l) => this.parkedJson(l), this.table, missParked, shift);

    let duplicateCopies = 0;
    let kept = 0;
    let built = 0;
    // Few records stay in memory: each one held keeps its header and checked evidence alive,
    // several KB; 5,000 of them were most of the heap at this point on the bench corpus (issue 11).
    const records = new RecordSpool(1000, this.opts.spillParent);
    try {
      for (const { id, evidence: read, stored } of this.table.drain()) {
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
      this.linkJoins.dispose();
      this.prefixes.dispose();
    }
    // A total order: two items of one line could otherwise keep the order they arrived in.
    unjoined.sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || textOrder(a.kind, b.kind) || textOrder(a.rule, b.rule) || textOrder(a.why, b.why)));
    const balanceChanges = uniqueBalanceLines(this.balances);
    const stats = this.table.stats;
    return {
      records, unjoined, fuzzyJoins, duplicateCopies, balanceChanges, spilledEvidence: stats.parked_items, clockSkew,
      state: { ...stats, records_kept_from_quiet: kept, records_built_at_end: built, creation_joins_walked_again: this.creations.walkedAgain },
    };
  }

  /** Whether a browser line at `ts` from `client` is the order's first sighting: earlier, or as early and first by client, then by source. */
  private earlierSighting(row: number, ts: number, client: string, i: number, whole: (i: number) => Evidence): boolean {
    const seen = this.keys.seenTs(row);
    if (!(ts >= seen)) return true;
    if (ts !== seen) return false;
    const cur = this.keys.client(row);
    if (cur === null || client !== cur) return cur === null || client < cur;
    return sourceOf(whole(i)) < (this.sources[this.keys.seenSourceOf(row) - 1] ?? '');
  }

  /** An order carries a link (not from a forged callback): the first is kept, and a second order makes the link contested. */
  private claim(link: string, id: string): void {
    const first = this.linkToOrder.get(link);
    if (first === undefined) {
      this.linkToOrder.set(link, id);
      return;
    }
    if (first === id) return;
    const all = this.contested.get(link);
    if (!all) this.contested.set(link, [first, id]);
    else if (!all.includes(id)) all.push(id);
  }

  /**
   * Where a line that names only links goes: the order of its first link (in the line's own
   * order of links) that exactly one order carries. A link carried by several orders places
   * nothing; if that is all the line has, it says which (`contested`).
   */
  private placeByLink(links: readonly string[]): { order: string; link: string } | { contested: string } | null {
    let contested: string | undefined;
    for (const l of links) {
      const order = this.linkToOrder.get(l);
      if (order === undefined) continue;
      if (!this.contested.has(l)) return { order, link: l };
      contested ??= l;
    }
    return contested === undefined ? null : { contested };
  }

  /**
   * Lines placed by a link while reading were placed with the claims known then: an order read
   * later may carry the same link (now contested) or an earlier link of the line. Each is placed
   * again with every claim known; one that goes elsewhere is taken back and decided with the
   * lines that waited for the end, so the result is the one of reading everything first.
   */
  private recheckLinkJoins(): void {
    for (const { text } of this.linkJoins.lines()) {
      const [order, link, json] = JSON.parse(text) as [string, string, string];
      const links = linksOf(parseEvidence(json)) ?? [];
      const to = this.placeByLink(links);
      if (to && 'order' in to && to.order === order && to.link === link) continue;
      this.table.retract(order, withJoinedBy(json, describeLink(link)));
      this.byLinkOnly.push({ json, links, tsMs: NaN });
    }
  }

  /** Finish quiet orders when the watermark has moved on far enough to make it worth a look. */
  private sweep(): void {
    const w = this.marks.value();
    if (!(w - this.lastSweep >= SWEEP_STEP_MS) || !Number.isFinite(w)) return;
    this.lastSweep = w;
    this.creations.joinSoFar(w - this.opts.slackMs - this.opts.fuzzyWindowMs, this.table);
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
    const hosts = new HostSkewEstimator();
    // Sources are numbered as first seen, which depends on which file was read first: the host
    // estimate numbers them by name instead, so each pair is always measured the same way round.
    const byName = this.sources.map((_, i) => i + 1).sort((a, b) => (this.sources[a - 1]! < this.sources[b - 1]! ? -1 : 1));
    const rank = new Map(byName.map((code, i) => [code, i + 1]));
    for (let row = 0; row < this.keys.size; row++) {
      if (this.keys.hasCallbacks(row)) skew.visitTimes(this.keys.callbackTimes(row, this.sources));
      if (this.keys.hasSteps(row)) hosts.visit(this.keys.stepSpans(row).map((s) => ({ ...s, source: rank.get(s.source)! })));
    }
    const estimates = skew.finish();
    return estimates.concat(this.hostToHost(hosts, estimates, byName));
  }

  /**
   * Web sources the callbacks could not place against the application log, placed against each
   * other by the order of a buyer's requests split across them (host-skew.ts). A source already
   * measured against the application log anchors the other; when neither is, the reference is
   * the host that agrees with gateway payment times, else the one with more lines.
   */
  private hostToHost(hosts: HostSkewEstimator, known: readonly SkewEstimate[], byName: readonly number[]): SkewEstimate[] {
    const out: SkewEstimate[] = [];
    const placed = new Map<string, SkewEstimate>();
    for (const k of known) if (!placed.has(k.source) || k.corrected) placed.set(k.source, k);
    for (const p of hosts.finish()) {
      const [cx, cy] = [byName[p.x - 1]!, byName[p.y - 1]!];
      const x = this.sources[cx - 1]!;
      const y = this.sources[cy - 1]!;
      const px = placed.get(x);
      const py = placed.get(y);
      if (px && py) continue;
      const d = p.fit.offset_s; // x's clock − y's clock
      // The bounds' summary, turned to read as the reported source's offset (sign −1: y against x).
      const basis = (sign: 1 | -1, shift: number, tail: string) => {
        const [a, b] = sign === 1 ? [p.fit.from_s, p.fit.to_s] : [-p.fit.to_s, -p.fit.from_s];
        return `order of buyer requests split across hosts: ${p.orders} orders, ${p.bounds} bounds, ${p.fit.violations} disagreeing, consistent range ${a + shift}…${b + shift} s; ${tail}`;
      };
      let est: SkewEstimate;
      if (px || py) {
        // Chain through the measured host: offset against the application log.
        const [src, anchor, sign] = px ? [y, px, -1 as const] : [x, py!, 1 as const];
        const off = anchor.median_offset_s + sign * d;
        est = { source: src, reference: anchor.reference, pairs: p.orders, median_offset_s: off, corrected: false, basis: basis(sign, anchor.median_offset_s, `via ${px ? x : y}`) };
      } else {
        const ref = chooseReference(cx, cy, this.gatewayTimes, (c) => this.webLines.get(c) ?? 0);
        const sign = ref.reference === cx ? -1 : 1;
        const src = ref.reference === cx ? y : x;
        est = { source: src, reference: this.sources[ref.reference - 1]!, pairs: p.orders, median_offset_s: sign * d, corrected: false, basis: basis(sign, 0, `reference ${ref.why}`) };
      }
      const convincing = fitIsConvincing(p.fit, p.bounds);
      est.corrected = convincing && Math.abs(est.median_offset_s) >= MIN_CORRECT_S;
      if (!convincing) est.basis += `; NOT applied: ${p.fit.violations} of ${p.bounds} bounds disagree, so these requests do not follow the flow the estimate assumes / 过多约束相互矛盾，未校正`;
      // Reported either way; only a convincing estimate may anchor another host's.
      if (convincing) placed.set(est.source, est);
      out.push(est);
    }
    return out;
  }

  /** A web line of the buyer's flow (bill page, pay button, handler, status poll): kept per order for the host-to-host clock estimate. */
  private noteFlowStep(i: number, whole: (i: number) => Evidence, row: number, kind: Evidence['kind'], ts: number, file: string | undefined): void {
    let step: Step;
    if (kind === 'order_viewed') step = Step.Bill;
    else if (kind === 'status_polled') step = Step.PollUnpaid;
    else if (kind === 'payment_observed') step = Step.PollPaid;
    else if (kind === 'payment_started') step = Step.Gateway;
    else return;
    const code = this.webSource(i, whole, file);
    if (code === 0) return;
    if (step === Step.Gateway && whole(i).fields.pay_handler !== undefined) step = Step.Handler;
    // A page the buyer opens after paying says nothing about the order of the flow's steps.
    if (step === Step.Bill && whole(i).fields.flow_step === 'after_payment') return;
    this.keys.noteStep(row, code, step, ts);
    this.countWebLine(code);
  }

  /** The web source of a line (0 when not a web log); one parse per file when the file is known. */
  private webSource(i: number, whole: (i: number) => Evidence, file: string | undefined): number {
    if (file !== undefined) {
      const got = this.fileWebSource.get(file);
      if (got !== undefined) return got;
    }
    const e = whole(i);
    const code = e.format.startsWith('nginx') ? this.sourceCode(sourceOf(e)) : 0;
    if (file !== undefined) this.fileWebSource.set(file, code);
    return code;
  }

  private countWebLine(code: number): void {
    this.webLines.set(code, (this.webLines.get(code) ?? 0) + 1);
  }

  /** Lines that named only the start of an order number join the one order that starts so. */
  private joinPrefixes(miss: (e: Omit<Unjoined, 'why'>, why: string) => void): void {
    if (this.prefixes.size === 0) return;
    const orders: string[] = [];
    for (let i = 0; i < this.keys.size; i++) orders.push(this.keys.id(i));
    for (const r of this.prefixes.resolve(orders)) {
      if (r.order !== undefined) this.table.addLate(r.order, withJoinedBy(r.json, `order number prefix ${r.prefix}…`));
      else {
        const e = parseEvidence(r.json);
        miss({ kind: e.kind, rule: e.rule, file: e.source.file, line: e.source.line, ts: e.ts }, r.why!);
      }
    }
  }

  /** A line with no order number or link: waits on disk for the join that can place it, or is reported now. */
  private park(json: string): void {
    const e = parseEvidence(json);
    const f = e.fields;
    if (e.kind === 'balance_changed') return; // used by the balance check, not joined
    if (typeof f.order_id_prefix === 'string' && f.order_id_prefix !== '') {
      this.prefixes.park(f.order_id_prefix, json);
      return;
    }
    const creation = e.kind === 'order_created' && Boolean(f.client_ip) && !Number.isNaN(e.tsMs);
    const callback = e.kind === 'callback_seen' && !Number.isNaN(e.tsMs);
    if (!creation && !callback) {
      const why = e.kind === 'callback_seen' ? 'callback whose content was not logged, and its line has no time' : 'no order number or trade number on this line';
      this.unplaced.push({ kind: e.kind, rule: this.name(e.rule), file: this.name(e.source.file), line: e.source.line, ts: e.ts, why });
      return;
    }
    if (creation) {
      const at = this.creations.park(json);
      this.creations.add(this.lineOf(e, at.pos, at.len), json);
    } else {
      const at = this.parked.append([json]);
      this.unloggedCallbacks.push(this.lineOf(e, at.pos, at.len));
    }
  }

  /** What the joins keep of a creation line or an unlogged callback, parked at `pos`. */
  private lineOf(e: Evidence, pos: number, len: number): ParkedLine {
    const f = e.fields;
    const creation = e.kind === 'order_created';
    return new ParkedLine(
      e.kind, this.name(e.rule), e.tsMs, this.name(e.source.file), e.source.line,
      creation ? this.creations.client(`${f.client_ip ?? ''}|${f.user_agent ?? ''}`) : null,
      creation ? null : this.name(String(f.pay_handler ?? '')),
      typeof f.amount === 'number' && Number.isFinite(f.amount) ? f.amount : NaN,
      this.sourceCode(sourceOf(e)),
      pos, len,
    );
  }

  /** The shared copy of a name that repeats on many lines. */
  private name(s: string): string {
    const got = this.names.get(s);
    if (got !== undefined) return got;
    this.names.set(s, s);
    return s;
  }

  /** A callback source's number (from 1), for OrderKeys.callbacks. */
  private sourceCode(source: string): number {
    const i = this.sources.indexOf(source);
    if (i >= 0) return i + 1;
    this.sources.push(source);
    return this.sources.length;
  }

  private parkedJson(l: ParkedLine): string {
    return this.parked.read(l.at)[0]!;
  }
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

function textOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
