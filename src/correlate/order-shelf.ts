import { BlockFile, type Block } from './block-file';

// Where finished orders go: the evidence (and the record built when the order went quiet) of
// every order the open state has let go of, kept until the end of the run. The shelf is the
// only place that parses or writes an order's evidence, so it can run on a thread of its own
// (src/pipeline/build-pool.ts) while the correlator's reading half goes on; LocalShelf is the
// same work on the calling thread, and is what runs inside that thread.

/** The builds a shelf makes: a record when an order goes quiet, and the final result per order at the end. */
export interface OrderBuilds<R> {
  /** The lines parked before an order's evidence, `[header, record]`: the header says what the record was built with, so `final` can tell whether it still stands. */
  quiet(id: string, items: readonly string[], corrections: ReadonlyMap<string, number>): [string, string];
  /** The order's result at the end of the run, or null when it has none. */
  final(o: FinalOrder, corrections: ReadonlyMap<string, number>): R | null;
}

/** One order at the end of the run: the record built when it went quiet if nothing came after, and all of its evidence (read only when asked for). */
export interface FinalOrder {
  id: string;
  evidence(): string[];
  stored: { header: string; record: string } | null;
}

export interface Shelf<R> {
  /** An order leaves memory: its first parking (its record is built now, with `corrections`, unless they are null) or more evidence for an order parked before. */
  park(id: string, items: readonly string[], corrections: ReadonlyMap<string, number> | null): void;
  /** A group of parkings is complete (the end of one sweep): a shelf on another thread sends them on. */
  flush(): void;
  /**
   * The end of the run: every order once, in order-number order, with the orders still open
   * (their evidence is appended to what was parked) and the evidence taken back from finished ones.
   */
  settle(corrections: ReadonlyMap<string, number>, open: ReadonlyMap<string, readonly string[]>, retracted: ReadonlyMap<string, ReadonlySet<string>>): Iterable<R>;
  /** Bytes parked on disk, for the report (complete once `settle` has run). */
  readonly bytes: number;
  dispose(): void;
}

/** One per parked order, for the whole run: kept to a few plain fields. */
interface Parked {
  /** Header, record and evidence as they were when the order was first parked. */
  pos: number;
  len: number;
  /** Bytes of the header and record lines at the start of the block (2 when no record was built). */
  head: number;
  /** Evidence that came after. */
  more: Block[] | null;
}

const NO_LINES: ReadonlySet<string> = new Set();

export class LocalShelf<R> implements Shelf<R> {
  private readonly parked = new Map<string, Parked>();
  private readonly file: BlockFile;

  constructor(private readonly builds: OrderBuilds<R>, spillParent?: string) {
    this.file = new BlockFile(spillParent, 'salvage-orders-');
  }

  get bytes(): number {
    return this.file.bytes;
  }

  park(id: string, items: readonly string[], corrections: ReadonlyMap<string, number> | null): void {
    const p = this.parked.get(id);
    if (p) {
      (p.more ??= []).push(this.file.append(items));
      return;
    }
    const head = corrections ? this.builds.quiet(id, items, corrections) : ['', ''];
    const b = this.file.append([...head, ...items]);
    this.parked.set(id, { pos: b.pos, len: b.len, head: Buffer.byteLength(head[0]!) + Buffer.byteLength(head[1]!) + 2, more: null });
  }

  flush(): void {}

  *settle(corrections: ReadonlyMap<string, number>, open: ReadonlyMap<string, readonly string[]>, retracted: ReadonlyMap<string, ReadonlySet<string>>): Generator<R> {
    for (const o of this.drain(open, retracted)) {
      const r = this.builds.final(o, corrections);
      if (r !== null) yield r;
    }
  }

  /** Every order once, by order number, parked or still open. The shelf holds nothing after. */
  *drain(open: ReadonlyMap<string, readonly string[]>, retracted: ReadonlyMap<string, ReadonlySet<string>>): Generator<FinalOrder> {
    const ids = [...this.parked.keys()];
    for (const id of open.keys()) if (!this.parked.has(id)) ids.push(id);
    ids.sort();
    for (const id of ids) {
      const f = this.parked.get(id);
      const o = open.get(id);
      const gone = retracted.get(id) ?? NO_LINES;
      let stored: FinalOrder['stored'] = null;
      // A record that still stands needs only the head of its block: its evidence is read
      // only if the caller decides to build the record again.
      if (f && f.more === null && !o && gone.size === 0 && f.head > 2) {
        const [header, record] = this.file.read({ pos: f.pos, len: f.head });
        stored = { header: header!, record: record! };
      }
      const evidence = (): string[] => {
        let out: string[] = f ? this.file.read(f).slice(2) : [];
        for (const b of f?.more ?? []) for (const l of this.file.read(b)) out.push(l);
        if (o) for (const l of o) out.push(l);
        if (gone.size > 0) out = out.filter((l) => !gone.has(l));
        return out;
      };
      yield { id, evidence, stored };
      this.parked.delete(id);
    }
  }

  dispose(): void {
    this.file.dispose();
  }
}
