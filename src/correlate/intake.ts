import type { Evidence } from '../model/types';
import { batchOf, parseEvidence, type EvidenceBatch } from '../model/evidence-batch';
import { balanceLineOf, type BalanceLine } from './balance-lines';
import { CallbackJoin } from './callback-join';
import { ClockEstimate } from './clock-estimate';
import { callbackTime, sourceOf } from './clock-skew';
import type { CorrelatorOptions, Unjoined } from './correlation';
import { CreationJoin } from './creation-join';
import { Step } from './host-skew';
import { LinkJoin } from './link-join';
import { Names } from './names';
import { OrderKeys } from './order-keys';
import { OrderTable } from './order-table';
import type { Settled } from './order-build';
import type { Shelf } from './order-shelf';
import { CORRELATION } from '../settings';
import { PrefixJoin } from './prefix-join';
import { holdBack, typicalTime, Watermark } from './watermark';

// The reading half of the correlator. Each batch of evidence is put where it belongs as it
// arrives: under its order number (OrderTable, which holds the open orders), with the order's
// links, times and amounts noted in OrderKeys; under the order its link key names (link-join.ts);
// or, for a line with no key at all, parked for the join that can place it at the end. While
// files are read, the watermark says how far in time every input has got; an order with no
// evidence since well before it has gone quiet, and it is handed to the shelf, which builds
// its record then and parks both on disk (order-shelf.ts; on a thread of its own in a real
// run). What reading gathered is handed to the record builder at the end (Gathered).

/** Quiet orders are looked for each time the watermark moves on by this much. */
const SWEEP_STEP_MS = CORRELATION.sweepStepMs;
/** Files ahead in time are held back only once open orders hold this share of `maxInMemory` items. */
const PACE_ABOVE_OPEN_SHARE = CORRELATION.paceAboveOpenShare;
const NO_FILES: ReadonlySet<string> = new Set();

/** Kinds whose amount is what the shop asked of the buyer (a callback's may differ: a conflict, not a key). */
const ORDER_AMOUNT_KINDS = new Set<Evidence['kind']>(['order_created', 'order_viewed', 'order_mentioned', 'payment_started']);


/** What reading leaves for the end of the run: evidence by order, what is kept of every order, and the joins that wait. */
export interface Gathered {
  table: OrderTable<Settled>;
  keys: OrderKeys;
  names: Names;
  clocks: ClockEstimate;
  links: LinkJoin;
  prefixes: PrefixJoin;
  creations: CreationJoin;
  callbacks: CallbackJoin;
  /** Lines no join can place, found while reading. */
  unplaced: readonly Unjoined[];
  balances: readonly BalanceLine[];
}

export class Intake {
  /** Open orders' evidence, and quiet orders' records and evidence on disk. */
  private readonly table: OrderTable<Settled>;
  /** What is kept of every order for the whole run (see OrderKeys). */
  private readonly keys = new OrderKeys();
  private readonly names = new Names();
  private readonly marks = new Watermark();
  private lastSweep = -Infinity;
  /** Lines with a link key but no order number. */
  private readonly links: LinkJoin;
  /** Lines with no key: order creations (by client and time), callbacks whose content was not logged (by time), order-number prefixes. */
  private readonly creations: CreationJoin;
  private readonly callbacks: CallbackJoin;
  private readonly prefixes: PrefixJoin;
  private readonly unplaced: Unjoined[] = [];
  private readonly clocks: ClockEstimate;
  private readonly balances: BalanceLine[] = [];

  constructor(
    private readonly opts: CorrelatorOptions,
    shelf: Shelf<Settled>,
  ) {
    const spill = opts.spillParent;
    this.table = new OrderTable({ maxOpenItems: opts.maxInMemory }, shelf, () => this.clocks.corrections());
    this.links = new LinkJoin(spill);
    this.creations = new CreationJoin(this.keys, this.names, opts.fuzzyWindowMs, spill);
    this.callbacks = new CallbackJoin(this.keys, this.names, spill);
    this.prefixes = new PrefixJoin(this.keys, spill);
    this.clocks = new ClockEstimate(this.keys, this.names);
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
    // Reading in time order is what lets quiet orders be finished and memory stay small. While
    // the open orders hold few items, a file ahead in time costs nothing to read on, and holding
    // it would leave a thread idle: rotated logs that do not overlap in time were read one at a
    // time, the workers idle ~45% on Elastic's nginx sample ×20. Past the mark, pacing resumes.
    if (this.table.openItemCount < this.opts.maxInMemory * PACE_ABOVE_OPEN_SHARE) return NO_FILES;
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
        const line = balanceLineOf(e, this.names.name(e.source.file));
        if (line) this.balances.push({ ...line, merchant_id: this.names.name(line.merchant_id) });
      }
      if (oid) this.addKeyed(b, i, oid, whole, file);
      else if (links) this.links.add(b.json[i]!, links, ts, this.table);
      else this.park(b.json[i]!);
    }
    if (file !== undefined) {
      const t = typicalTime(b.tsMs);
      if (!Number.isNaN(t)) this.marks.reached(file, t);
      this.sweep();
    }
  }

  /** Hands what reading gathered to the end of the run; the intake takes nothing more after. */
  handOver(): Gathered {
    const { table, keys, names, clocks, links, prefixes, creations, callbacks, unplaced, balances } = this;
    return { table, keys, names, clocks, links, prefixes, creations, callbacks, unplaced, balances };
  }

  /** Line `i` of a batch names its order: it goes to the order, and what the joins and the clock estimate need of it is noted. */
  private addKeyed(b: EvidenceBatch, i: number, oid: string, whole: (i: number) => Evidence, file: string | undefined): void {
    const kind = b.kind[i]!;
    const links = b.links[i];
    const ts = b.tsMs[i]!;
    const k = this.keys;
    const row = k.row(oid);
    // Every table and index holds the same copy of the order number (each batch brings its own).
    const id = k.id(row);
    this.table.add(id, b.json[i]!, ts);
    // A forged callback must not be able to claim a trade number for its order.
    if (links && !b.badSignature[i]) for (const l of links) this.links.claim(l, id);
    const known = !Number.isNaN(ts);
    if (kind === 'payment_notified' && known) {
      const e = whole(i);
      const c = callbackTime(e);
      const code = this.names.sourceCode(c.source);
      k.noteCallback(row, c.web ? -code : code, ts);
      this.clocks.callback();
      if (c.web && !b.badSignature[i]) {
        // The buyer's return is a browser request, not the gateway's: its own step, so that a
        // return on one host and the callback on the other do not void both.
        k.noteStep(row, code, e.fields.copy === 'return' ? Step.Return : Step.Notify, ts);
        this.clocks.webLine(code);
        if (typeof e.fields.paid_at === 'string') this.clocks.gatewayTime(code, ts, Date.parse(e.fields.paid_at));
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
        const code = this.names.sourceCode(sourceOf(whole(i)));
        if (k.noteObserved(row, ts) || this.names.source(code) < this.names.source(k.observedSourceOf(row))) k.setObservedSource(row, code);
      }
    }
    if (kind === 'payment_started') {
      const h = whole(i).fields.pay_handler;
      if (typeof h === 'string') k.noteHandler(row, ts, this.names.name(h));
    }
    // The first sighting of the order by a browser (client ip and user agent): for fuzzy joins.
    const client = b.client[i];
    if (client && known && this.earlierSighting(row, ts, client, i, whole)) this.creations.sighting(row, client, ts, this.names.sourceCode(sourceOf(whole(i))));
  }

  /** Whether a browser line at `ts` from `client` is the order's first sighting: earlier, or as early and first by client, then by source. */
  private earlierSighting(row: number, ts: number, client: string, i: number, whole: (i: number) => Evidence): boolean {
    const seen = this.keys.seenTs(row);
    if (!(ts >= seen)) return true;
    if (ts !== seen) return false;
    const cur = this.keys.client(row);
    if (cur === null || client !== cur) return cur === null || client < cur;
    return sourceOf(whole(i)) < this.names.source(this.keys.seenSourceOf(row));
  }

  /** A web line of the buyer's flow (bill page, pay button, handler, status poll): kept per order for the host-to-host clock estimate. */
  private noteFlowStep(i: number, whole: (i: number) => Evidence, row: number, kind: Evidence['kind'], ts: number, file: string | undefined): void {
    let step: Step;
    if (kind === 'order_viewed') step = Step.Bill;
    else if (kind === 'status_polled') step = Step.PollUnpaid;
    else if (kind === 'payment_observed') step = Step.PollPaid;
    else if (kind === 'payment_started') step = Step.Gateway;
    else return;
    const code = this.clocks.webSource(file, i, whole);
    if (code === 0) return;
    if (step === Step.Gateway && whole(i).fields.pay_handler !== undefined) step = Step.Handler;
    // A page the buyer opens after paying says nothing about the order of the flow's steps.
    if (step === Step.Bill && whole(i).fields.flow_step === 'after_payment') return;
    this.keys.noteStep(row, code, step, ts);
    this.clocks.webLine(code);
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
    if (creation) this.creations.add(e, json);
    else if (callback) this.callbacks.add(e, json);
    else {
      const why = e.kind === 'callback_seen' ? 'callback whose content was not logged, and its line has no time' : 'no order number or trade number on this line';
      this.unplaced.push({ kind: e.kind, rule: this.names.name(e.rule), file: this.names.name(e.source.file), line: e.source.line, ts: e.ts, why });
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
}
