import type { CallbackTime } from './clock-skew';

// What the correlator keeps of each order for the whole run, while the order's evidence goes
// to the OrderTable and, once quiet, to disk: the few values the end-of-run joins and the clock
// estimate need. One small object per order with a fixed shape, so it stays cheap at scale.

export class OrderKeys {
  constructor(
    /** The order number: the one copy the correlator's tables share. */
    readonly id: string,
  ) {}

  /** First sighting by a browser (for fuzzy joins): its time and the shared copy of the client text. */
  seenTs = NaN;
  client: string | null = null;
  /** A creation line was joined to this order while reading. */
  taken = false;
  /** The amount the shop asked of the buyer, from the earliest line that names one. */
  amountTs = NaN;
  amount = NaN;
  /** When a status poll first answered "paid", and the pay handler the order used (unlogged-callback joins). */
  observed = NaN;
  handler: string | null = null;
  /** Callback times for the clock-skew estimate: pairs of (source code, time); a web source's code is negative. */
  callbacks: number[] | null = null;

  /** Keeps the earliest amount; equal times keep the smaller, so the choice does not depend on arrival. */
  noteAmount(tsMs: number, amount: number): void {
    const t = Number.isNaN(tsMs) ? Infinity : tsMs;
    const cur = Number.isNaN(this.amountTs) ? Infinity : this.amountTs;
    if (Number.isNaN(this.amount) || t < cur || (t === cur && amount < this.amount)) {
      this.amountTs = tsMs;
      this.amount = amount;
    }
  }

  noteObserved(tsMs: number): void {
    if (Number.isNaN(this.observed) || tsMs < this.observed) this.observed = tsMs;
  }

  noteCallback(sourceCode: number, tsMs: number): void {
    // A new array of just the right size: push would reserve room for many more.
    this.callbacks = this.callbacks === null ? [sourceCode, tsMs] : [...this.callbacks, sourceCode, tsMs];
  }

  /** The callbacks as the skew estimator takes them; `sources` turns a code back into a source name. */
  callbackTimes(sources: readonly string[]): CallbackTime[] {
    const out: CallbackTime[] = [];
    const c = this.callbacks ?? [];
    for (let i = 0; i < c.length; i += 2) {
      const code = c[i]!;
      out.push({ source: sources[Math.abs(code) - 1]!, web: code < 0, tsMs: c[i + 1]! });
    }
    return out;
  }
}
