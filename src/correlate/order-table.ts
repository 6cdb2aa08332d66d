import { BlockFile, type Block } from './block-file';

// The correlator's open state: evidence (JSON text) grouped by order. An order that has gone
// quiet — no evidence for a while, by the time every input has read past — is finished: its
// record is built and parked on disk with its evidence, and its memory is freed. When open
// state still passes its bound, the orders quiet longest are finished early. Either way a
// finished order can take more evidence later (a late callback, a refund, a join made at the
// end of the run): the new evidence is parked beside it and the record is rebuilt once, at
// the end, from all of it. So finishing early only ever costs time, never a different result.

export interface OrderTableOptions {
  /** Evidence items held in memory before the quietest orders are finished early. */
  maxOpenItems: number;
  spillParent?: string;
}

/**
 * Finishes one order: returns the lines parked before its evidence, `[header, record]`. The
 * header is the caller's own (it says what the record was built with, so the caller can tell
 * at the end whether the record still stands).
 */
export type FinishOrder = (id: string, items: readonly string[]) => [string, string];

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

/** One per finished order, for the whole run: kept to a few plain fields. */
interface FinishedOrder {
  /** Header, record and evidence as they were when the order was first finished. */
  pos: number;
  len: number;
  /** Bytes of the header and record lines at the start of the block. */
  head: number;
  /** Evidence that came after. */
  more: Block[] | null;
}

/** One order at the end of the run: the record built when it went quiet if nothing came after, and all of its evidence (read only when asked for). */
export interface FinalOrder {
  id: string;
  evidence(): string[];
  stored: { header: string; record: string } | null;
}

export class OrderTable {
  private readonly open = new Map<string, OpenOrder>();
  private readonly finished = new Map<string, FinishedOrder>();
  /** Evidence taken back from finished orders (a provisional join the end of the run decided otherwise). */
  private readonly retracted = new Map<string, Set<string>>();
  private readonly file: BlockFile;
  private openItems = 0;

  /** Evidence items held in memory for orders still open. */
  get openItemCount(): number {
    return this.openItems;
  }
  private readonly s: OrderTableStats = { finished_quiet: 0, finished_for_memory: 0, late_evidence: 0, parked_items: 0, parked_bytes: 0, peak_open_orders: 0, peak_open_items: 0 };

  constructor(private readonly opts: OrderTableOptions, private readonly finishOrder: FinishOrder) {
    this.file = new BlockFile(opts.spillParent, 'salvage-orders-');
  }

  get stats(): OrderTableStats {
    return { ...this.s, parked_bytes: this.file.bytes };
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
    const f = this.open.has(id) ? undefined : this.finished.get(id);
    if (!f) {
      this.add(id, json, -Infinity);
      return;
    }
    this.s.late_evidence++;
    this.s.parked_items++;
    (f.more ??= []).push(this.file.append([json]));
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
    for (const [id, o] of this.open) {
      if (o.lastTs >= beforeMs) continue;
      this.finish(id, o, true);
      n++;
    }
    this.s.finished_quiet += n;
    return n;
  }

  /** Every order once, by order number. The table is empty after. */
  *drain(): Generator<FinalOrder> {
    const ids = [...new Set([...this.finished.keys(), ...this.open.keys()])].sort();
    for (const id of ids) {
      const f = this.finished.get(id);
      const o = this.open.get(id);
      const gone = this.retracted.get(id);
      let stored: FinalOrder['stored'] = null;
      // A record that still stands needs only the head of its block: its evidence is read
      // only if the caller decides to build the record again.
      if (f && f.more === null && !o && !gone && f.head > 2) {
        const [header, record] = this.file.read({ pos: f.pos, len: f.head });
        stored = { header: header!, record: record! };
      }
      const evidence = (): string[] => {
        let out: string[] = f ? this.file.read(f).slice(2) : [];
        for (const b of f?.more ?? []) for (const l of this.file.read(b)) out.push(l);
        if (o) for (const l of o.items) out.push(l);
        if (gone) out = out.filter((l) => !gone.has(l));
        return out;
      };
      yield { id, evidence, stored };
      this.finished.delete(id);
      this.open.delete(id);
      this.retracted.delete(id);
    }
    this.openItems = 0;
  }

  dispose(): void {
    this.file.dispose();
  }

  private finishOldest(): void {
    const target = Math.floor(this.opts.maxOpenItems * 0.75);
    const byAge = [...this.open].sort((a, b) => a[1].lastTs - b[1].lastTs || (a[0] < b[0] ? -1 : 1));
    for (const [id, o] of byAge) {
      if (this.openItems <= target) break;
      // Parked without building its record: an order pushed out by the bound is likely to get
      // more evidence when the input that holds the watermark back is read.
      this.finish(id, o, false);
      this.s.finished_for_memory++;
    }
  }

  private finish(id: string, o: OpenOrder, build: boolean): void {
    const f = this.finished.get(id);
    if (f) (f.more ??= []).push(this.file.append(o.items));
    else {
      const head = build ? this.finishOrder(id, o.items) : ['', ''];
      const b = this.file.append([...head, ...o.items]);
      this.finished.set(id, { pos: b.pos, len: b.len, head: Buffer.byteLength(head[0]) + Buffer.byteLength(head[1]) + 2, more: null });
    }
    this.s.parked_items += o.items.length;
    this.openItems -= o.items.length;
    this.open.delete(id);
  }
}
