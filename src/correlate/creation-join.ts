import type { Evidence } from '../model/types';
import { parseEvidence } from '../model/evidence-batch';
import type { OrderKeys } from './order-keys';
import type { Names } from './names';
import { BlockFile, type Block } from './block-file';
import { byTimeThenPlace, parkedLine, withJoinedBy, type ClockShift, type JoinSink, type Miss, type ParkedLine } from './parked-line';

// Order-creation lines that carry no order number (dujiaoka's POST /create-order: the number
// only shows in the buyer's next request) are joined to the order first seen from the same
// client (ip and user agent) within a short window after, whose amount agrees when both are
// known. Each order takes at most one such line, the closest in time; ties go by file and line.
//
// The rule is a greedy walk over the lines in time order, and it is walked while reading: a
// line is decided once the watermark has passed it by more than the window, so it joins its
// order before that order goes quiet, and the line itself need not be kept. That gives the same
// answer as walking everything at the end, as long as nothing the walk depended on arrives late:
// a creation line behind the decided frontier, a first sighting or an amount of an order inside
// the decided region. If anything like that arrives, the walk is marked unsettled, and at the
// end it is done again from the creation lines parked on disk; every join it decides otherwise
// is taken back and redone. Either way the result does not depend on timing. The walk is also
// done again when a clock correction applies: the window is about when things happened, so
// the times are corrected first (a web server whose clock is off joins its lines correctly).
//
// The join keeps its own lines: the evidence on disk, and what the walk needs of each line
// (its client, time, amount) in memory.

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
  private undecided: ParkedLine[] = [];
  private readonly byClient = new Map<string, ClientOrders>();
  /** Every creation line's evidence, one per line, for a walk done again at the end. */
  private readonly parked: BlockFile;
  /** The joins made while reading, `[pos, oid, secs, agrees]` per line: read only if the walk is done again. */
  private readonly decided: BlockFile;
  /** Lines decided while reading that joined nothing (reported at the end, unless the walk is done again). */
  private readonly unmatched: ParkedLine[] = [];
  private joins = 0;
  /** Every line before this time has been decided. */
  private frontier = -Infinity;
  private unsettled = false;
  private corrected = false;

  constructor(
    private readonly keys: OrderKeys,
    private readonly names: Names,
    private readonly windowMs: number,
    spillParent?: string,
  ) {
    this.parked = new BlockFile(spillParent, 'salvage-creations-');
    this.decided = new BlockFile(spillParent, 'salvage-joins-');
  }

  /** Whether something arrived after the walk had passed its time (so the end walks again). */
  get walkedAgain(): boolean {
    return this.unsettled || this.corrected;
  }

  /** An order's first sighting, or an earlier one than known; `source` is where it was logged. */
  sighting(row: number, client: string, tsMs: number, source: number): void {
    if (tsMs < this.frontier + this.windowMs) this.unsettled = true;
    const c = this.clientOrders(client);
    // An array literal holds just its items; a pushed-to empty one reserves room for many.
    if (this.keys.client(row) !== c.client) {
      if (c.rows.length === 0) c.rows = [row];
      else c.rows.push(row);
    }
    this.keys.setSeen(row, tsMs, c.client, source);
  }

  /** An order's amount changed: the walk may have used the old one. */
  amountChanged(row: number): void {
    if (this.keys.seenTs(row) < this.frontier + this.windowMs) this.unsettled = true;
  }

  /** A creation line (`e`, its text `json`) with a client and a time but no order number. */
  add(e: Evidence, json: string): void {
    const l = this.lineOf(e, this.parked.append([json]));
    if (l.tsMs < this.frontier) this.unsettled = true;
    l.json = json;
    this.undecided.push(l);
  }

  /** Decides every waiting line older than `before`, with what has been seen so far. */
  joinSoFar(before: number, sink: Pick<JoinSink, 'add'>): void {
    if (before > this.frontier) this.frontier = before;
    if (this.undecided.length === 0) return;
    this.undecided.sort(byTimeThenPlace);
    let n = 0;
    const k = this.keys;
    for (; n < this.undecided.length && this.undecided[n]!.tsMs < before; n++) {
      const l = this.undecided[n]!;
      let best: Candidate | null = null;
      for (const row of this.byClient.get(l.client!)?.rows ?? []) {
        const oid = k.id(row);
        const seen = k.seenTs(row);
        if (k.client(row) !== l.client || k.isTaken(row) || !this.fits(l, l.tsMs, row, seen)) continue;
        if (!best || seen < best.tsMs || (seen === best.tsMs && oid < best.oid)) best = { row, oid, tsMs: seen };
      }
      if (best) {
        k.take(best.row);
        const j = this.join(l, l.tsMs, best);
        this.joins++;
        this.decided.append([JSON.stringify([l.pos, j.oid, j.secs, j.agrees])]);
        sink.add(best.oid, withJoinedBy(l.json!, how(l, j)), l.tsMs);
      } else {
        this.unmatched.push(l);
      }
      l.json = undefined;
    }
    this.undecided = this.undecided.slice(n);
  }

  /**
   * The end of the run: the lines still waiting are decided, and if the walk was unsettled, or
   * `shift` corrects some clock, it is done again over every line. Returns the number of joins.
   */
  finish(sink: JoinSink, miss: Miss, shift?: ClockShift): number {
    try {
      this.joinSoFar(Infinity, { add: (oid, json) => sink.addLate(oid, json) });
      this.corrected = shift !== undefined;
      if (!this.unsettled && !shift) {
        for (const l of this.unmatched) miss(l, UNMATCHED, this.readJson(l));
        return this.joins;
      }
      return this.walkAgain(sink, miss, shift ?? (() => 0));
    } finally {
      this.parked.dispose();
      this.decided.dispose();
    }
  }

  /** The whole walk over every parked line (times corrected by `shift`), checked against what was decided while reading. */
  private walkAgain(sink: JoinSink, miss: Miss, shift: ClockShift): number {
    const before = new Map<number, Join>();
    for (const { text } of this.decided.lines()) {
      const [pos, oid, secs, agrees] = JSON.parse(text) as [number, string, number, boolean];
      before.set(pos, { oid, secs, agrees });
    }
    const lines: { l: ParkedLine; t: number }[] = [];
    for (const { pos, text } of this.parked.lines()) {
      const l = this.lineOf(parseEvidence(text), { pos, len: Buffer.byteLength(text) + 1 });
      lines.push({ l, t: l.tsMs - shift(l.source) });
    }
    lines.sort((a, b) => a.t - b.t || byTimeThenPlace(a.l, b.l));

    const firstByClient = new Map<string, Candidate[]>();
    const k = this.keys;
    for (let row = 0; row < k.size; row++) {
      const client = k.client(row);
      if (client === null) continue;
      let arr = firstByClient.get(client);
      if (!arr) firstByClient.set(client, (arr = []));
      arr.push({ row, oid: k.id(row), tsMs: k.seenTs(row) - shift(k.seenSourceOf(row)) });
    }
    for (const arr of firstByClient.values()) arr.sort((a, b) => a.tsMs - b.tsMs || (a.oid < b.oid ? -1 : 1));

    const taken = new Set<string>();
    let joins = 0;
    for (const { l, t } of lines) {
      const cand = firstByClient.get(l.client!)?.find((c) => !taken.has(c.oid) && this.fits(l, t, c.row, c.tsMs));
      const join = cand ? this.join(l, t, cand) : null;
      const was = before.get(l.pos) ?? null;
      // The join made while reading stands when it is this one; otherwise it is taken back.
      const same = was !== null && join !== null && was.oid === join.oid && how(l, was) === how(l, join);
      if (was && !same) sink.retract(was.oid, withJoinedBy(this.readJson(l), how(l, was)));
      if (!join) {
        miss(l, UNMATCHED, this.readJson(l));
        continue;
      }
      taken.add(join.oid);
      joins++;
      if (!same) sink.addLate(join.oid, withJoinedBy(this.readJson(l), how(l, join)));
    }
    return joins;
  }

  /** What the walk keeps of a creation line parked at `at`; its client is the shared copy every order and line of that client points at. */
  private lineOf(e: Evidence, at: Block): ParkedLine {
    const client = this.clientOrders(`${e.fields.client_ip ?? ''}|${e.fields.user_agent ?? ''}`).client;
    return parkedLine(e, this.names, at, client, null);
  }

  private readJson(l: ParkedLine): string {
    return this.parked.read(l.at)[0]!;
  }

  private clientOrders(text: string): ClientOrders {
    let c = this.byClient.get(text);
    if (!c) this.byClient.set(text, (c = { client: text, rows: [] }));
    return c;
  }

  /** In the window after the line (logged at `lineTs`), and no amount against it. */
  private fits(l: ParkedLine, lineTs: number, row: number, seenTs: number): boolean {
    if (!(seenTs >= lineTs && seenTs - lineTs <= this.windowMs)) return false;
    if (Number.isNaN(l.amount)) return true;
    const a = this.keys.amount(row);
    return Number.isNaN(a) || Math.round(a * 100) === Math.round(l.amount * 100);
  }

  private join(l: ParkedLine, lineTs: number, order: Candidate): Join {
    const agrees = !Number.isNaN(l.amount) && !Number.isNaN(this.keys.amount(order.row));
    return { oid: order.oid, secs: Math.round((order.tsMs - lineTs) / 1000), agrees };
  }
}

const UNMATCHED = 'order creation with no order number, and no order seen from the same client (with an agreeing amount) soon after';

/** The note a join leaves on the evidence (and in the record's reasons). */
function how(l: ParkedLine, j: Join): string {
  return `client ${l.client!.slice(0, l.client!.indexOf('|'))} and user agent within ${j.secs} s${j.agrees ? `, amount ${l.amount} agrees` : ''}`;
}
