import type { OrderKeys } from './order-keys';
import { byTimeThenPlace, withJoinedBy, type JoinSink, type Miss, type ParkedLine } from './parked-line';

// Order-creation lines that carry no order number (dujiaoka's POST /create-order: the number
// only shows in the buyer's next request) are joined to the order first seen from the same
// client (ip and user agent) within a short window after, whose amount agrees when both are
// known. Each order takes at most one such line, the closest in time; ties go by file and line.
//
// The join is made while reading, for lines the watermark has passed by more than the window,
// so each goes to its order before that order goes quiet and the record is built once. At the
// end the same rule runs again over everything; a join it decides otherwise (evidence that
// arrived out of time order) is taken back and redone, so the result never depends on timing.

/** A join: the order, seconds from the line to the order's first sighting, and whether an amount agreed. */
interface Join {
  oid: string;
  secs: number;
  agrees: boolean;
}

/** An order a line may join: its row in OrderKeys, its number, and its first sighting. */
interface Candidate {
  row: number;
  oid: string;
  tsMs: number;
}

interface ClientOrders {
  /** The one shared copy of the client text. */
  client: string;
  /** Rows (in OrderKeys) of the orders first seen from this client. */
  rows: number[];
}

export class CreationJoin {
  private readonly lines: ParkedLine[] = [];
  private undecided: ParkedLine[] = [];
  private readonly byClient = new Map<string, ClientOrders>();

  constructor(
    private readonly keys: OrderKeys,
    private readonly windowMs: number,
    private readonly readJson: (l: ParkedLine) => string,
  ) {}

  /** The shared copy of a client's text: every order and line of one client points at it. */
  client(text: string): string {
    return this.clientOrders(text).client;
  }

  /** An order's first sighting, or an earlier one than known. */
  sighting(row: number, client: string, tsMs: number): void {
    const c = this.clientOrders(client);
    // An array literal holds just its items; a pushed-to empty one reserves room for many.
    if (this.keys.client(row) !== c.client) {
      if (c.rows.length === 0) c.rows = [row];
      else c.rows.push(row);
    }
    this.keys.setSeen(row, tsMs, c.client);
  }

  add(l: ParkedLine, json: string): void {
    l.json = json;
    this.lines.push(l);
    this.undecided.push(l);
  }

  /** Joins every waiting line older than `before`, with what has been seen so far. */
  joinSoFar(before: number, sink: JoinSink): void {
    if (this.undecided.length === 0) return;
    this.undecided.sort(byTimeThenPlace);
    let n = 0;
    for (; n < this.undecided.length && this.undecided[n]!.tsMs < before; n++) {
      const l = this.undecided[n]!;
      let best: Candidate | null = null;
      const k = this.keys;
      for (const row of this.byClient.get(l.client!)?.rows ?? []) {
        const oid = k.id(row);
        const seen = k.seenTs(row);
        if (k.client(row) !== l.client || k.isTaken(row) || !this.fits(l, row, seen)) continue;
        if (!best || seen < best.tsMs || (seen === best.tsMs && oid < best.oid)) best = { row, oid, tsMs: seen };
      }
      if (best) {
        k.take(best.row);
        const j = this.join(l, best);
        l.joinedOid = j.oid;
        l.joinedSecs = j.secs;
        l.joinedAgrees = j.agrees;
        sink.add(best.oid, withJoinedBy(l.json!, how(l, j)), l.tsMs);
      }
      l.json = undefined;
    }
    this.undecided = this.undecided.slice(n);
  }

  /** The end of the run: the same rule over everything; returns the number of joins. */
  finish(sink: JoinSink, miss: Miss): number {
    const firstByClient = new Map<string, Candidate[]>();
    const k = this.keys;
    for (let row = 0; row < k.size; row++) {
      const client = k.client(row);
      if (client === null) continue;
      let arr = firstByClient.get(client);
      if (!arr) firstByClient.set(client, (arr = []));
      arr.push({ row, oid: k.id(row), tsMs: k.seenTs(row) });
    }
    for (const arr of firstByClient.values()) arr.sort((a, b) => a.tsMs - b.tsMs || (a.oid < b.oid ? -1 : 1));

    const taken = new Set<string>();
    let joins = 0;
    for (const l of [...this.lines].sort(byTimeThenPlace)) {
      const cand = firstByClient.get(l.client!)?.find((c) => !taken.has(c.oid) && this.fits(l, c.row, c.tsMs));
      const join = cand ? this.join(l, cand) : null;
      const before: Join | null = l.joinedOid === null ? null : { oid: l.joinedOid, secs: l.joinedSecs, agrees: l.joinedAgrees };
      // The join made while reading stands when it is this one; otherwise it is taken back.
      const same = before !== null && join !== null && how(l, before) === how(l, join) && before.oid === join.oid;
      if (before && !same) sink.retract(before.oid, withJoinedBy(this.readJson(l), how(l, before)));
      if (!join) {
        miss(l, 'order creation with no order number, and no order seen from the same client (with an agreeing amount) soon after');
        continue;
      }
      taken.add(join.oid);
      joins++;
      if (!same) sink.addLate(join.oid, withJoinedBy(this.readJson(l), how(l, join)));
    }
    return joins;
  }

  private clientOrders(text: string): ClientOrders {
    let c = this.byClient.get(text);
    if (!c) this.byClient.set(text, (c = { client: text, rows: [] }));
    return c;
  }

  /** In the window after the line, and no amount against it. */
  private fits(l: ParkedLine, row: number, seenTs: number): boolean {
    if (!(seenTs >= l.tsMs && seenTs - l.tsMs <= this.windowMs)) return false;
    if (Number.isNaN(l.amount)) return true;
    const a = this.keys.amount(row);
    return Number.isNaN(a) || Math.round(a * 100) === Math.round(l.amount * 100);
  }

  private join(l: ParkedLine, order: Candidate): Join {
    const agrees = !Number.isNaN(l.amount) && !Number.isNaN(this.keys.amount(order.row));
    return { oid: order.oid, secs: Math.round((order.tsMs - l.tsMs) / 1000), agrees };
  }
}

/** The note a join leaves on the evidence (and in the record's reasons). */
function how(l: ParkedLine, j: Join): string {
  return `client ${l.client!.slice(0, l.client!.indexOf('|'))} and user agent within ${j.secs} s${j.agrees ? `, amount ${l.amount} agrees` : ''}`;
}
