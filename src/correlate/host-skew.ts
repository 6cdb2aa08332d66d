// Clock skew between two web servers behind one load balancer, when no application-log line can
// be paired with them (default logging: nginx is the only witness). A buyer's requests for one
// order happen in a known order — the bill page, then the pay button (/pay-gateway/…), then the
// handler it redirects to (/pay/<handler>/…), then the gateway's callback, then the first status
// poll that answers "paid" — and the balancer sends some of them to the other host. Each such
// pair split across hosts X and Y bounds d = (X's clock − Y's clock) on one side:
//   a before b, a on X, b on Y:  a − dX < b − dY  ⇒  d ≥ a_X − b_Y   (a lower bound)
//   a before b, a on Y, b on X:                ⇒  d ≤ b_X − a_Y   (an upper bound)
// The redirect follows the pay button within about a second and polls come every few seconds,
// so over many orders the bounds close in on d from both sides. A bound can be wrong (a lost
// line hides the real first bill view, a buyer opens the bill twice), so the estimate is the
// offset that the fewest bounds disagree with, not the tightest bounds taken on trust.
//
// Steps and why they are ordered (dujiaoka's flow: assimon/dujiaoka routes/common/web.php —
// /bill/{orderSN} renders the page whose script polls /check-order-status/{orderSN} and whose pay
// button is /pay-gateway/{handle}/{payway}/{orderSN}, which redirects to the handler's route):
//   first bill view < first poll, first pay button, first "paid" poll
//   first pay button < first handler request < first callback < first "paid" poll
//   last "unpaid" poll < last callback (the shop turns paid on the callback that succeeds)
//   first pay button (or handler request) < first callback, and < the buyer's first return from
//   the gateway (a browser request with the gateway's signed parameters): true of every shop,
//   and the only relations left on one whose order page is a query page opened after paying
//   (acg-faka's /user/index/query, its rule marks it `flow_step: after_payment`, so it is no Bill).
// A step is used for an order only when all its lines for that order come from one host: the
// first of the step is then the first on that host.

/** Steps of a buyer's flow, as the correlator tags web evidence. */
export const enum Step {
  Bill = 0,
  Gateway = 1,
  Handler = 2,
  Notify = 3,
  PollUnpaid = 4,
  PollPaid = 5,
  /** The buyer's browser coming back from the gateway with its signed parameters (copy: return). */
  Return = 6,
}

/** Where a step's lines for one order were logged, and their first and last times (ms). */
export interface StepSpan {
  source: number;
  step: Step;
  first: number;
  last: number;
}

type End = 'first' | 'last';
/** [a, end of a, b, end of b]: that end of step a happened before that end of step b. */
const RELATIONS: readonly [Step, End, Step, End][] = [
  [Step.Bill, 'first', Step.PollUnpaid, 'first'],
  [Step.Bill, 'first', Step.Gateway, 'first'],
  [Step.Bill, 'first', Step.PollPaid, 'first'],
  [Step.Gateway, 'first', Step.Handler, 'first'],
  [Step.Gateway, 'first', Step.PollPaid, 'first'],
  [Step.Handler, 'first', Step.Notify, 'first'],
  [Step.Handler, 'first', Step.PollPaid, 'first'],
  [Step.Notify, 'first', Step.PollPaid, 'first'],
  [Step.PollUnpaid, 'last', Step.Notify, 'last'],
  [Step.Gateway, 'first', Step.Notify, 'first'],
  [Step.Gateway, 'first', Step.Return, 'first'],
  [Step.Handler, 'first', Step.Return, 'first'],
];

/** Orders with bounds on both sides needed before an estimate is made: fewer and a handful of
 *  odd flows could decide it. */
export const MIN_HOST_ORDERS = 20;
/** And at least this many bounds on each side. */
export const MIN_HOST_BOUNDS = 5;

export interface HostPairBounds {
  /** In seconds: d ≥ each lower, d ≤ each upper (d = x's clock − y's clock). */
  lower: number[];
  upper: number[];
  orders: number;
}

/** The bounds one order's spans put on d(x − y). */
export function orderBounds(spans: readonly StepSpan[], x: number, y: number): { lower: number[]; upper: number[] } {
  const lower: number[] = [];
  const upper: number[] = [];
  // A step counts only if one host logged all of it.
  const at = new Map<Step, StepSpan | null>();
  for (const s of spans) {
    if (s.source !== x && s.source !== y) continue;
    const cur = at.get(s.step);
    if (cur === undefined) at.set(s.step, s);
    else if (cur !== null && cur.source !== s.source) at.set(s.step, null);
  }
  for (const [sa, ea, sb, eb] of RELATIONS) {
    const a = at.get(sa);
    const b = at.get(sb);
    if (!a || !b || a.source === b.source) continue;
    const ta = ea === 'first' ? a.first : a.last;
    const tb = eb === 'first' ? b.first : b.last;
    if (a.source === x) lower.push((ta - tb) / 1000);
    else upper.push((tb - ta) / 1000);
  }
  return { lower, upper };
}

export interface OffsetFit {
  /** The middle of the offsets the fewest bounds disagree with, in whole seconds. */
  offset_s: number;
  /** That range of offsets, and how many bounds disagree with it. */
  from_s: number;
  to_s: number;
  violations: number;
}

/** The offset d that the fewest bounds disagree with (d ≥ lower, d ≤ upper; equal counts as agreeing). */
export function fitOffset(lower: readonly number[], upper: readonly number[]): OffsetFit | undefined {
  if (lower.length === 0 || upper.length === 0) return undefined;
  // Sweep candidate offsets at the bounds themselves: below every lower bound all of them are
  // violated; each lower bound passed is one fewer, each upper bound passed one more.
  type Ev = { at: number; lower: boolean };
  const evs: Ev[] = [];
  for (const v of lower) evs.push({ at: v, lower: true });
  for (const v of upper) evs.push({ at: v, lower: false });
  // At equal values, a lower bound is satisfied from its value on and an upper bound up to its
  // value: take lowers first so the point itself counts as agreeing with both.
  evs.sort((a, b) => a.at - b.at || (a.lower === b.lower ? 0 : a.lower ? -1 : 1));
  // The next upper bound after each event, found once from the end: asking per event made the
  // sweep quadratic when many lower bounds come before the first upper one (2.5 s of a 40k-order run).
  const nextUpperAt = new Float64Array(evs.length);
  let upcoming = NaN;
  for (let i = evs.length - 1; i >= 0; i--) {
    nextUpperAt[i] = upcoming;
    if (!evs[i]!.lower) upcoming = evs[i]!.at;
  }
  let violations = lower.length;
  let best = Infinity;
  let from = NaN;
  let to = NaN;
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i]!;
    if (e.lower) {
      violations--;
      if (violations < best) {
        best = violations;
        from = e.at;
        // The range runs to the next upper bound, or is the point itself when none follows.
        const next = nextUpperAt[i]!;
        to = Number.isNaN(next) ? e.at : next;
      }
    } else {
      violations++;
    }
  }
  if (!Number.isFinite(best)) return undefined;
  return { offset_s: Math.round((from + to) / 2), from_s: from, to_s: to, violations: best };
}

/**
 * The most bounds that may disagree with a fit before it is not trusted to correct anything.
 * Real splits of one buyer's flow disagree rarely (a lost line, a bill opened twice); when
 * about half disagree, the flow is not the one the steps describe (another platform's routes,
 * say) and the "best" offset is noise: on an acg-faka drill, 54 of 98 bounds disagreed and the
 * fit was −158,390 s. Such a fit is reported, not applied.
 */
export const MAX_DISAGREEING_SHARE = 0.25;

export function fitIsConvincing(fit: OffsetFit, bounds: number): boolean {
  return bounds > 0 && fit.violations <= MAX_DISAGREEING_SHARE * bounds;
}

/** Collects bounds order by order for every pair of web sources. */
export class HostSkewEstimator {
  private readonly pairs = new Map<string, HostPairBounds>();

  visit(spans: readonly StepSpan[]): void {
    const sources = [...new Set(spans.map((s) => s.source))].sort((a, b) => a - b);
    for (let i = 0; i < sources.length; i++) {
      for (let j = i + 1; j < sources.length; j++) {
        const x = sources[i]!;
        const y = sources[j]!;
        const b = orderBounds(spans, x, y);
        if (b.lower.length === 0 && b.upper.length === 0) continue;
        const key = `${x}:${y}`;
        let p = this.pairs.get(key);
        if (!p) this.pairs.set(key, (p = { lower: [], upper: [], orders: 0 }));
        for (const v of b.lower) p.lower.push(v);
        for (const v of b.upper) p.upper.push(v);
        p.orders++;
      }
    }
  }

  /** d(x − y) for each pair with enough evidence, most-supported first. */
  finish(minOrders = MIN_HOST_ORDERS, minBounds = MIN_HOST_BOUNDS): { x: number; y: number; orders: number; bounds: number; fit: OffsetFit }[] {
    const out: { x: number; y: number; orders: number; bounds: number; fit: OffsetFit }[] = [];
    for (const [key, p] of this.pairs) {
      if (p.orders < minOrders || p.lower.length < minBounds || p.upper.length < minBounds) continue;
      const fit = fitOffset(p.lower, p.upper);
      if (!fit) continue;
      const [x, y] = key.split(':').map(Number) as [number, number];
      out.push({ x, y, orders: p.orders, bounds: p.lower.length + p.upper.length, fit });
    }
    return out.sort((a, b) => b.orders - a.orders || a.x - b.x || a.y - b.y);
  }
}

/** Callbacks logged further than this from the gateway's payment time are retries (or a clock
 *  further off than the ±5 min this estimate is meant for). */
const MAX_GATEWAY_LAG_MS = 900_000;

/** Per web source: how far its callback times sit after the gateway's own payment times
 *  (Alipay gmt_payment, WeChat time_end: the gateway's clock just before it sends the notify). */
export class GatewayTimeAgreement {
  private readonly diffs = new Map<number, number[]>();

  note(source: number, loggedMs: number, gatewayMs: number): void {
    if (!Number.isFinite(loggedMs) || !Number.isFinite(gatewayMs)) return;
    // A retry comes minutes to hours after the payment (NOTES §4e): only first attempts say
    // anything about the clock.
    if (Math.abs(loggedMs - gatewayMs) > MAX_GATEWAY_LAG_MS) return;
    let d = this.diffs.get(source);
    if (!d) this.diffs.set(source, (d = []));
    d.push((loggedMs - gatewayMs) / 1000);
  }

  /** The median lag of a source behind gateway time, if it has at least `min` callbacks with one. */
  medianLag(source: number, min = 3): number | undefined {
    const d = this.diffs.get(source);
    if (!d || d.length < min) return undefined;
    const s = [...d].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  }
}

/**
 * Which of two hosts keeps the right time. The one whose callbacks sit closest after the
 * gateway's own times, when both have such callbacks; else the one with more lines (the other
 * is then the odd one out by default, and the report says which was chosen and why).
 */
export function chooseReference(
  x: number,
  y: number,
  gateway: GatewayTimeAgreement,
  lines: (source: number) => number,
): { reference: number; why: string } {
  const lx = gateway.medianLag(x);
  const ly = gateway.medianLag(y);
  if (lx !== undefined && ly !== undefined && lx !== ly) {
    return Math.abs(lx) <= Math.abs(ly)
      ? { reference: x, why: 'agrees with gateway payment times' }
      : { reference: y, why: 'agrees with gateway payment times' };
  }
  if (lx !== undefined && ly === undefined && Math.abs(lx) < 30) return { reference: x, why: 'agrees with gateway payment times' };
  if (ly !== undefined && lx === undefined && Math.abs(ly) < 30) return { reference: y, why: 'agrees with gateway payment times' };
  return lines(x) >= lines(y) ? { reference: x, why: 'has more lines' } : { reference: y, why: 'has more lines' };
}
