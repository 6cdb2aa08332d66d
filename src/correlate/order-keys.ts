import type { CallbackTime } from './clock-skew';
import type { Step, StepSpan } from './host-skew';

// What the correlator keeps of each order for the whole run, while the order's evidence goes
// to the OrderTable and, once quiet, to disk: the few values the end-of-run joins and the clock
// estimate need. It grows with the number of orders, so it is kept in columns (one typed
// array per number) rather than one object per order; on the 40,000-order bench corpus that
// took the live heap after reading from 67 MB to 55 MB. The callbacks and flow steps of an
// order, a short list each, are chained through shared typed arrays (see Chains) rather than
// kept as one small array per order: a JS array that grows by push reserves room for many
// more, and those arrays were ~14 MB of the live heap at the end of reading (issue 11).

/** Columns of times and amounts, per order: NaN when unknown. */
const SEEN = 0;
const AMOUNT_TS = 1;
const AMOUNT = 2;
const OBSERVED = 3;
const HANDLER_TS = 4;
const NUMBERS = 5;

export class OrderKeys {
  private readonly index = new Map<string, number>();
  /** Each order number once: every table in the correlator holds this copy. */
  private readonly ids: string[] = [];
  private numbers = new Float64Array(0);
  private taken = new Uint8Array(0);
  /** Where the first sighting and the first "paid" poll were logged (source numbers, from 1; 0 unknown): for clock correction. */
  private seenSource = new Int32Array(0);
  private observedSource = new Int32Array(0);
  /** First sighting by a browser: the shared copy of its `ip|user agent`. */
  private readonly clients: (string | null)[] = [];
  /** The pay handler the order used (unlogged-callback joins). */
  private readonly handlers: (string | null)[] = [];
  /** Callback times for the clock-skew estimate: (source code, time); a web source's code is negative. */
  private readonly callbacks = new Chains();
  /** Steps of the buyer's flow seen in web logs, for the host-to-host clock estimate:
   *  (source code, step, first time, last time), one per step and source. */
  private readonly steps = new Chains();

  get size(): number {
    return this.ids.length;
  }

  /** The order's row, made when first seen. */
  row(oid: string): number {
    let i = this.index.get(oid);
    if (i !== undefined) return i;
    i = this.ids.length;
    this.index.set(oid, i);
    this.ids.push(oid);
    this.clients.push(null);
    this.handlers.push(null);
    if (i >= this.taken.length) this.grow();
    return i;
  }

  id(i: number): string {
    return this.ids[i]!;
  }

  seenTs(i: number): number {
    return this.numbers[i * NUMBERS + SEEN]!;
  }

  client(i: number): string | null {
    return this.clients[i]!;
  }

  /** A first sighting, or an earlier one than known; `client` is the shared copy, `source` where it was logged. */
  setSeen(i: number, tsMs: number, client: string, source = 0): void {
    this.numbers[i * NUMBERS + SEEN] = tsMs;
    this.clients[i] = client;
    this.seenSource[i] = source;
  }

  seenSourceOf(i: number): number {
    return this.seenSource[i]!;
  }

  observedSourceOf(i: number): number {
    return this.observedSource[i]!;
  }

  /** A creation line was joined to this order while reading. */
  isTaken(i: number): boolean {
    return this.taken[i] === 1;
  }

  take(i: number): void {
    this.taken[i] = 1;
  }

  /** The amount the shop asked of the buyer, NaN when no line named one. */
  amount(i: number): number {
    return this.numbers[i * NUMBERS + AMOUNT]!;
  }

  /** Keeps the earliest amount; equal times keep the smaller, so the choice does not depend on arrival. True when it changed. */
  noteAmount(i: number, tsMs: number, amount: number): boolean {
    const n = this.numbers;
    const t = Number.isNaN(tsMs) ? Infinity : tsMs;
    const curTs = n[i * NUMBERS + AMOUNT_TS]!;
    const cur = Number.isNaN(curTs) ? Infinity : curTs;
    const a = n[i * NUMBERS + AMOUNT]!;
    if (!(Number.isNaN(a) || t < cur || (t === cur && amount < a))) return false;
    const changed = !(a === amount);
    n[i * NUMBERS + AMOUNT_TS] = tsMs;
    n[i * NUMBERS + AMOUNT] = amount;
    return changed;
  }

  /** When a status poll first answered "paid", NaN if none did. */
  observed(i: number): number {
    return this.numbers[i * NUMBERS + OBSERVED]!;
  }

  /** True when this is the earliest "paid" poll so far (the caller then says where it was logged). */
  noteObserved(i: number, tsMs: number): boolean {
    const cur = this.numbers[i * NUMBERS + OBSERVED]!;
    if (!(Number.isNaN(cur) || tsMs < cur)) return false;
    this.numbers[i * NUMBERS + OBSERVED] = tsMs;
    return true;
  }

  /**
   * Keeps the handler of the earliest payment start that named one; equal times keep the
   * smaller name, so the choice does not depend on which file was read first.
   */
  noteHandler(i: number, tsMs: number, h: string): void {
    const t = Number.isNaN(tsMs) ? Infinity : tsMs;
    const curTs = this.numbers[i * NUMBERS + HANDLER_TS]!;
    const cur = this.handlers[i];
    const known = Number.isNaN(curTs) ? Infinity : curTs;
    if (cur !== null && cur !== undefined && !(t < known || (t === known && h < cur))) return;
    this.numbers[i * NUMBERS + HANDLER_TS] = tsMs;
    this.handlers[i] = h;
  }

  setObservedSource(i: number, source: number): void {
    this.observedSource[i] = source;
  }

  handler(i: number): string | null {
    return this.handlers[i]!;
  }


  noteCallback(i: number, sourceCode: number, tsMs: number): void {
    this.callbacks.append(i, sourceCode, 0, tsMs, NaN);
  }

  hasCallbacks(i: number): boolean {
    return this.callbacks.has(i);
  }

  /** The callbacks as the skew estimator takes them, in the order noted; `sources` turns a code back into a source name. */
  callbackTimes(i: number, sources: readonly string[]): CallbackTime[] {
    const out: CallbackTime[] = [];
    const c = this.callbacks;
    for (let e = c.first(i); e !== 0; e = c.next(e)) {
      const code = c.a(e);
      out.push({ source: sources[Math.abs(code) - 1]!, web: code < 0, tsMs: c.x(e) });
    }
    return out;
  }

  /** A web line of the buyer's flow: widens that step's span on that source. */
  noteStep(i: number, source: number, step: Step, tsMs: number): void {
    const s = this.steps;
    for (let e = s.first(i); e !== 0; e = s.next(e)) {
      if (s.a(e) !== source || s.b(e) !== step) continue;
      if (tsMs < s.x(e)) s.setX(e, tsMs);
      if (tsMs > s.y(e)) s.setY(e, tsMs);
      return;
    }
    s.append(i, source, step, tsMs, tsMs);
  }

  hasSteps(i: number): boolean {
    return this.steps.has(i);
  }

  /** The order's step spans, in the order first seen. */
  stepSpans(i: number): StepSpan[] {
    const out: StepSpan[] = [];
    const s = this.steps;
    for (let e = s.first(i); e !== 0; e = s.next(e)) out.push({ source: s.a(e), step: s.b(e) as Step, first: s.x(e), last: s.y(e) });
    return out;
  }

  private grow(): void {
    const cap = Math.max(1024, this.taken.length * 2);
    this.numbers = widened(this.numbers, cap * NUMBERS, NaN);
    this.taken = widened(this.taken, cap);
    this.seenSource = widened(this.seenSource, cap);
    this.observedSource = widened(this.observedSource, cap);
  }
}

/**
 * Short lists per order, all in a few shared typed arrays: each entry holds two small integers
 * (a, b) and two times (x, y) and the number of the next entry of its order (0 ends the list;
 * entry 0 is never used). Entries are only ever added, at the end of their order's list.
 */
class Chains {
  private head = new Int32Array(0);
  private tail = new Int32Array(0);
  private link = new Int32Array(1024);
  private as = new Int32Array(1024);
  private bs = new Int32Array(1024);
  private xs = new Float64Array(1024);
  private ys = new Float64Array(1024);
  private used = 1;

  has(row: number): boolean {
    return row < this.head.length && this.head[row] !== 0;
  }

  first(row: number): number {
    return row < this.head.length ? this.head[row]! : 0;
  }

  next(e: number): number {
    return this.link[e]!;
  }

  a(e: number): number {
    return this.as[e]!;
  }

  b(e: number): number {
    return this.bs[e]!;
  }

  x(e: number): number {
    return this.xs[e]!;
  }

  y(e: number): number {
    return this.ys[e]!;
  }

  setX(e: number, v: number): void {
    this.xs[e] = v;
  }

  setY(e: number, v: number): void {
    this.ys[e] = v;
  }

  append(row: number, a: number, b: number, x: number, y: number): void {
    if (row >= this.head.length) this.growRows(row);
    if (this.used === this.link.length) this.growEntries();
    const e = this.used++;
    this.as[e] = a;
    this.bs[e] = b;
    this.xs[e] = x;
    this.ys[e] = y;
    const last = this.tail[row]!;
    if (last === 0) this.head[row] = e;
    else this.link[last] = e;
    this.tail[row] = e;
  }

  private growRows(row: number): void {
    const cap = Math.max(1024, row + 1, this.head.length * 2);
    this.head = widened(this.head, cap);
    this.tail = widened(this.tail, cap);
  }

  private growEntries(): void {
    const cap = this.link.length * 2;
    this.link = widened(this.link, cap);
    this.as = widened(this.as, cap);
    this.bs = widened(this.bs, cap);
    this.xs = widened(this.xs, cap);
    this.ys = widened(this.ys, cap);
  }
}

/** A longer copy of a column: the old values first, the new room set to `fill` (else 0). */
function widened<T extends Float64Array | Int32Array | Uint8Array>(old: T, length: number, fill?: number): T {
  const out = new (old.constructor as new (n: number) => T)(length);
  if (fill !== undefined) out.fill(fill);
  out.set(old);
  return out;
}
