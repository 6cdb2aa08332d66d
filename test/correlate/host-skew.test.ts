import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chooseReference, fitIsConvincing, fitOffset, GatewayTimeAgreement, HostSkewEstimator, orderBounds, Step, type StepSpan } from '../../src/correlate/host-skew';

// Two hosts, 1 and 2, behind a balancer; host 1's clock is `offset` seconds off host 2's. A
// synthetic buyer flow per order, each request sent to the buyer's usual host or, now and then,
// to the other, stamped by that host's clock and cut to whole seconds as nginx writes them.

interface Flow {
  sticky: 1 | 2;
  /** Per request: goes to the other host. */
  flips: boolean[];
  /** Gaps in ms between steps. */
  gaps: number[];
  polls: number;
}

const flowArb = fc.record({
  sticky: fc.constantFrom(1 as const, 2 as const),
  flips: fc.array(fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < 0.15), { minLength: 40, maxLength: 40 }),
  gaps: fc.array(fc.integer({ min: 300, max: 8000 }), { minLength: 6, maxLength: 6 }),
  polls: fc.integer({ min: 2, max: 20 }),
});

/** The spans one order's flow leaves in the two logs. */
function spansOf(f: Flow, offsetS: number, startMs: number): StepSpan[] {
  const spans = new Map<string, StepSpan>();
  let n = 0;
  const log = (step: Step, trueMs: number, host?: 1 | 2) => {
    const h = host ?? (f.flips[n++ % f.flips.length] ? (f.sticky === 1 ? 2 : 1) : f.sticky);
    const ts = Math.floor((trueMs + (h === 1 ? offsetS * 1000 : 0)) / 1000) * 1000;
    const key = `${h}:${step}`;
    const s = spans.get(key);
    if (!s) spans.set(key, { source: h, step, first: ts, last: ts });
    else {
      s.first = Math.min(s.first, ts);
      s.last = Math.max(s.last, ts);
    }
  };
  let t = startMs;
  log(Step.Bill, t);
  // Polls every ~5 s from the bill page until a little after the callback.
  const payAt = t + f.gaps[0]! + f.gaps[1]! + f.gaps[2]!;
  log(Step.Gateway, (t += f.gaps[0]!));
  log(Step.Handler, (t += 700));
  const notifyAt = payAt + f.gaps[3]!;
  // Callbacks come from the gateway: either host, evenly.
  log(Step.Notify, notifyAt, f.flips[39] ? 1 : 2);
  let poll = startMs + 5000;
  let paidSeen = false;
  for (let i = 0; i < f.polls || !paidSeen; i++, poll += 5000) {
    if (poll < notifyAt) log(Step.PollUnpaid, poll);
    else {
      log(Step.PollPaid, poll);
      paidSeen = true;
    }
  }
  return [...spans.values()];
}

test('host skew: for a random true offset in ±300 s and random flows, the estimate is within 3 s', () => {
  fc.assert(
    fc.property(fc.integer({ min: -300, max: 300 }), fc.array(flowArb, { minLength: 150, maxLength: 250 }), (offset, flows) => {
      const est = new HostSkewEstimator();
      flows.forEach((f, i) => est.visit(spansOf(f, offset, 1_700_000_000_000 + i * 600_000)));
      const got = est.finish();
      assert.equal(got.length, 1);
      const g = got[0]!;
      assert.deepEqual([g.x, g.y], [1, 2]);
      assert.ok(Math.abs(g.fit.offset_s - offset) <= 3, `true ${offset}, estimated ${g.fit.offset_s} (${g.fit.from_s}…${g.fit.to_s}, ${g.fit.violations} disagreeing)`);
    }),
    { numRuns: 40, seed: 20261205 },
  );
});

test('host skew: a few wrong bounds do not move the estimate; too few orders give none', () => {
  // 40 orders bound d to [95, 99] from both sides; three odd flows claim d ≥ 250 or d ≤ -40.
  const lower = [...Array(40)].map((_, i) => 95 - (i % 3));
  const upper = [...Array(40)].map((_, i) => 99 + (i % 4));
  const fit = fitOffset([...lower, 250, 260], [...upper, -40])!;
  assert.equal(fit.offset_s, 97);
  assert.equal(fit.violations, 3);
  assert.equal(fitOffset([1, 2], []), undefined);

  const est = new HostSkewEstimator();
  for (let i = 0; i < 19; i++) {
    est.visit([
      { source: 1, step: Step.Gateway, first: 100_000, last: 100_000 },
      { source: 2, step: Step.Handler, first: 4_000, last: 4_000 },
      { source: 2, step: Step.PollUnpaid, first: 10_000, last: 10_000 },
      { source: 1, step: Step.PollPaid, first: 110_000, last: 110_000 },
    ]);
  }
  assert.deepEqual(est.finish(), [], '19 orders is below the minimum sample');
});

test('orderBounds: a step logged on both hosts is not used; the direction of each bound', () => {
  const spans: StepSpan[] = [
    { source: 1, step: Step.Gateway, first: 100_000, last: 100_000 },
    { source: 2, step: Step.Handler, first: 2_000, last: 2_000 },
    { source: 1, step: Step.Bill, first: 90_000, last: 90_000 },
    { source: 2, step: Step.Bill, first: 95_000, last: 95_000 },
  ];
  // gateway (host 1) before handler (host 2): d ≥ 100 − 2 = 98. The bill is on both hosts: unused.
  assert.deepEqual(orderBounds(spans, 1, 2), { lower: [98], upper: [] });
  // The same order seen from the other side.
  assert.deepEqual(orderBounds(spans, 2, 1), { lower: [], upper: [-98] });
});

test('chooseReference: gateway times decide when present, else more lines', () => {
  const g = new GatewayTimeAgreement();
  for (let i = 0; i < 5; i++) {
    g.note(1, 1_000_000 + 98_000, 1_000_000); // host 1 logs callbacks 98 s after the gateway paid
    g.note(2, 1_000_000 + 1_000, 1_000_000);
  }
  assert.deepEqual(chooseReference(1, 2, g, (s) => (s === 1 ? 10 : 1)), { reference: 2, why: 'agrees with gateway payment times' });
  // Retries, an hour after the payment, say nothing about the clock and are left out.
  for (let i = 0; i < 20; i++) g.note(2, 1_000_000 + 3_600_000, 1_000_000);
  assert.equal(g.medianLag(2), 1);
  const none = new GatewayTimeAgreement();
  assert.deepEqual(chooseReference(1, 2, none, (s) => (s === 1 ? 10 : 1)), { reference: 1, why: 'has more lines' });
  assert.deepEqual(chooseReference(1, 2, none, (s) => (s === 1 ? 1 : 10)), { reference: 2, why: 'has more lines' });
});

test('host skew: a fit that about half the bounds disagree with is not convincing; a few odd flows are', () => {
  const lower = [...Array(40)].map((_, i) => 95 - (i % 3));
  const upper = [...Array(40)].map((_, i) => 99 + (i % 4));
  const good = fitOffset([...lower, 250, 260], [...upper, -40])!;
  assert.equal(fitIsConvincing(good, 83), true);
  // Bounds from requests that do not follow the assumed flow: half point one way, half the other.
  const half = fitOffset([...Array(50)].map((_, i) => (i % 2 ? 10 : 500)), [...Array(50)].map((_, i) => (i % 2 ? 20 : -300)))!;
  assert.equal(fitIsConvincing(half, 100), false);
});

/**
 * An acg-faka buyer: the pay page first, then, after paying (10 s to 3 min), the gateway's
 * callback and the buyer's return with the signed parameters, each to either host. The query
 * page the return lands on is opened after paying, so it gives no Bill step.
 */
function acgSpansOf(f: Flow, offsetS: number, startMs: number): StepSpan[] {
  const spans: StepSpan[] = [];
  const at = (step: Step, trueMs: number, h: 1 | 2) => {
    const ts = Math.floor((trueMs + (h === 1 ? offsetS * 1000 : 0)) / 1000) * 1000;
    spans.push({ source: h, step, first: ts, last: ts });
  };
  const other = (h: 1 | 2): 1 | 2 => (h === 1 ? 2 : 1);
  at(Step.Gateway, startMs, f.sticky);
  const paidAt = startMs + 10_000 + f.gaps.reduce((a, b) => a + b, 0) * 4;
  at(Step.Notify, paidAt + (f.gaps[0]! % 900), f.flips[0] ? 1 : 2);
  at(Step.Return, paidAt + f.gaps[1]!, f.flips[1] ? other(f.sticky) : f.sticky);
  return spans;
}

test('host skew without bill pages or polls (acg-faka): pay page before callback and return bound the offset within 10 s', () => {
  fc.assert(
    fc.property(fc.integer({ min: -300, max: 300 }), fc.array(flowArb, { minLength: 300, maxLength: 400 }), (offset, flows) => {
      const est = new HostSkewEstimator();
      flows.forEach((f, i) => est.visit(acgSpansOf(f, offset, 1_700_000_000_000 + i * 600_000)));
      const got = est.finish();
      assert.equal(got.length, 1, 'an estimate is made');
      const g = got[0]!;
      assert.ok(fitIsConvincing(g.fit, g.bounds), `${g.fit.violations} of ${g.bounds} bounds disagree`);
      assert.ok(Math.abs(g.fit.offset_s - offset) <= 10, `true ${offset}, estimated ${g.fit.offset_s} (${g.fit.from_s}…${g.fit.to_s})`);
    }),
    { numRuns: 30, seed: 20261206 },
  );
});

test('orderBounds: a buyer\'s return is its own step, so a callback on the other host still bounds the offset', () => {
  const spans: StepSpan[] = [
    { source: 1, step: Step.Gateway, first: 100_000, last: 100_000 },
    { source: 2, step: Step.Notify, first: 40_000, last: 40_000 },
    { source: 1, step: Step.Return, first: 150_000, last: 150_000 },
  ];
  // pay page (host 1) before callback (host 2): d ≥ 100 − 40 = 60; the return is on host 1 too.
  assert.deepEqual(orderBounds(spans, 1, 2), { lower: [60], upper: [] });
});

test('host skew: the fit is the offset range the fewest bounds disagree with, checked against counting every candidate', () => {
  // The oracle counts disagreements at every bound value directly; the sweep must find the same
  // fewest count, starting at a lower bound where that count holds, and run to the next upper bound.
  const bound = fc.integer({ min: -50, max: 50 });
  fc.assert(
    fc.property(fc.array(bound, { minLength: 1, maxLength: 40 }), fc.array(bound, { minLength: 1, maxLength: 40 }), (lower, upper) => {
      const fit = fitOffset(lower, upper)!;
      const disagree = (d: number) => lower.filter((v) => d < v).length + upper.filter((v) => d > v).length;
      const fewest = Math.min(...lower.map(disagree));
      assert.equal(fit.violations, fewest);
      assert.equal(disagree(fit.from_s), fewest);
      assert.ok(lower.includes(fit.from_s));
      const after = upper.filter((v) => v >= fit.from_s);
      assert.equal(fit.to_s, after.length ? Math.min(...after) : fit.from_s);
    }),
    { numRuns: 300 },
  );
});
