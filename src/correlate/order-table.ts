import type { Shelf } from './order-shelf';

// The correlator's open state: evidence (JSON text) grouped by order. An order that has gone
// quiet — no evidence for a while, by the time every input has read past — is finished: it is
// handed to the shelf (order-shelf.ts), which builds its record and parks both on disk, and its
// memory is freed. When open
// state still passes its bound, the orders quiet longest are finished early. Either way a
// finished order can take more evidence later (a late callback, a refund, a join made at the
// end of the run): the new evidence is parked beside it and the record is rebuilt once, at
// the end, from all of it. So finishing early only ever costs time, never a different result.

export interface OrderTableOptions {
  /** Evidence items held in memory before the quietest orders are finished early. */
  maxOpenItems: number;
}

export interface OrderTableStats {
  /** Orders finished because every input had read past them. */
  finished_quiet: number;
  /** Orders finished early because open state passed its bound. */
  finished_for_memory: number;
  /** Evidence that arrived for an order after it was finished (its record is rebuilt at the end). */
  late_evidence: number;
  /** Evidence items parked on disk. */
  parked_items: number;
  parked_bytes: number;
  peak_open_orders: number;
  peak_open_items: number;
}

interface OpenOrder {
  items: string[];
  lastTs: number;
}

export class OrderTable<R> {
  private readonly open = new Map<string, OpenOrder>();
  /** Orders handed to the shelf: their evidence and record are there, not here. */
  private readonly finished = new Set<string>();
  /** Evidence taken back from finished orders (a provisional join the end of the run decided otherwise). */
  private readonly retracted = new Map<string, Set<string>>();
  private openItems = 0;

  /** Evidence items held in memory for orders still open. */
  get openItemCount(): number {
    return this.openItems;
  }
  private readonly s: OrderTableStats = { finished_quiet: 0, finished_for_memory: 0, late_evidence: 0, parked_items: 0, parked_bytes: 0, peak_open_orders: 0, peak_open_items: 0 };

  /** `corrections` gives the clock corrections known so far, for a record built when its order goes quiet. */
  constructor(
    private readonly opts: OrderTableOptions,
    private readonly shelf: Shelf<R>,
    private readonly corrections: () => ReadonlyMap<string, number>,
  ) {}

  get stats(): OrderTableStats {
    return { ...this.s, parked_bytes: this.shelf.bytes };
  }

  get openOrders(): number {
    return this.open.size;
  }

  add(id: string, json: string, tsMs: number): void {
    let o = this.open.get(id);
    if (!o) {
      if (this.finished.has(id)) this.s.late_evidence++;
      this.open.set(id, (o = { items: [], lastTs: -Infinity }));
      if (this.open.size > this.s.peak_open_orders) this.s.peak_open_orders = this.open.size;
    }
    o.items.push(json);
    if (tsMs > o.lastTs) o.lastTs = tsMs;
    if (++this.openItems > this.s.peak_open_items) this.s.peak_open_items = this.openItems;
    if (this.openItems > this.opts.maxOpenItems) this.finishOldest();
  }

  /** Evidence joined at the end of the run: parked straight beside a finished order instead of reopening it in memory. */
  addLate(id: string, json: string): void {
    if (this.open.has(id) || !this.finished.has(id)) {
      this.add(id, json, -Infinity);
      return;
    }
    this.s.late_evidence++;
    this.s.parked_items++;
    this.shelf.park(id, [json], null);
  }

  /** Takes back one piece of evidence (its exact text) that was added to this order. */
  retract(id: string, json: string): void {
    const o = this.open.get(id);
    const i = o ? o.items.indexOf(json) : -1;
    if (o && i >= 0) {
      o.items.splice(i, 1);
      this.openItems--;
      // An order with nothing left is dropped (it may still have parked evidence).
      if (o.items.length === 0) this.open.delete(id);
      if (!this.finished.has(id)) return;
    }
    let r = this.retracted.get(id);
    if (!r) this.retracted.set(id, (r = new Set()));
    r.add(json);
  }

  /** Finishes every open order whose newest evidence is older than `beforeMs` (or has no time). */
  finishQuiet(beforeMs: number): number {
    let n = 0;
    let corrections: ReadonlyMap<string, number> | null = null;
    for (const [id, o] of this.open) {
      if (o.lastTs >= beforeMs) continue;
      // Nothing is added during a sweep, so the corrections known so far are the same for all of it.
      this.finish(id, o, (corrections ??= this.corrections()));
      n++;
    }
    this.s.finished_quiet += n;
    if (n > 0) this.shelf.flush();
    return n;
  }

  /** Every order's result once, by order number, as the shelf settles it with the final corrections. The table is empty after. */
  settle(corrections: ReadonlyMap<string, number>): Iterable<R> {
    const open = new Map<string, readonly string[]>();
    for (const [id, o] of this.open) open.set(id, o.items);
    const retracted = this.retracted;
    this.shelf.flush();
    this.open.clear();
    this.finished.clear();
    this.openItems = 0;
    return this.shelf.settle(corrections, open, retracted);
  }

  dispose(): void {
    this.shelf.dispose();
  }

  private finishOldest(): void {
    const target = Math.floor(this.opts.maxOpenItems * 0.75);
    const byAge = [...this.open].sort((a, b) => a[1].lastTs - b[1].lastTs || (a[0] < b[0] ? -1 : 1));
    for (const [id, o] of byAge) {
      if (this.openItems <= target) break;
      // Parked without building its record: an order pushed out by the bound is likely to get
      // more evidence when the input that holds the watermark back is read.
      this.finish(id, o, null);
      this.s.finished_for_memory++;
    }
    this.shelf.flush();
  }

  /** Hands an open order to the shelf; its record is built there with `corrections` when given (and it is parked for the first time). */
  private finish(id: string, o: OpenOrder, corrections: ReadonlyMap<string, number> | null): void {
    if (this.finished.has(id)) this.shelf.park(id, o.items, null);
    else {
      this.shelf.park(id, o.items, corrections);
      this.finished.add(id);
    }
    this.s.parked_items += o.items.length;
    this.openItems -= o.items.length;
    this.open.delete(id);
  }
}
