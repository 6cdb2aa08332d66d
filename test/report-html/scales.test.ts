// The chart arithmetic of report.html, property-tested: scales, ticks, bins and time buckets.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { binIndex, bucketHours, bucketOf, bucketStarts, histogram, HOUR_MS, linearScale, niceStep, niceTicks } from '../../src/sinks/report-html/scales';

const finite = fc.integer({ min: -1e6, max: 1e6 });

test('linearScale maps the domain ends onto the range ends and keeps order', () => {
  fc.assert(fc.property(finite, finite, finite, finite, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (d0, d1, r0, r1, a, b) => {
    fc.pre(d1 !== d0);
    const s = linearScale(d0, d1, r0, r1);
    const tol = 1e-6 * (1 + Math.abs(r0) + Math.abs(r1));
    assert.ok(Math.abs(s(d0) - r0) <= tol && Math.abs(s(d1) - r1) <= tol);
    const xa = d0 + (d1 - d0) * a;
    const xb = d0 + (d1 - d0) * b;
    // Monotone: a point further from d0 (towards d1) lands further from r0 (towards r1).
    const dir = Math.sign(r1 - r0);
    if (a < b && dir !== 0) assert.ok((s(xb) - s(xa)) * dir >= -tol);
  }));
  assert.equal(linearScale(3, 3, 10, 20)(3), 15, 'a single-point domain maps to the middle');
});

test('niceTicks start at 0, rise in equal 1/2/5×10^k steps, reach the maximum and stay few', () => {
  fc.assert(fc.property(fc.double({ min: 1e-3, max: 1e9, noNaN: true }), fc.integer({ min: 1, max: 10 }), (max, count) => {
    const ticks = niceTicks(max, count);
    assert.equal(ticks[0], 0);
    assert.ok(ticks[ticks.length - 1]! >= max, `${ticks} must reach ${max}`);
    const step = niceStep(max, count);
    const mant = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
    assert.ok([1, 2, 5, 10].some((m) => Math.abs(mant - m) < 1e-6), `step ${step}`);
    for (let i = 1; i < ticks.length; i++) assert.ok(Math.abs(ticks[i]! - ticks[i - 1]! - step) <= step * 1e-6, `${ticks}`);
    assert.ok(ticks.length <= 2 * count + 2, `${ticks.length} ticks for ${count}`);
  }));
  assert.deepEqual(niceTicks(0), [0, 1], 'all-zero data still gets an axis');
  assert.deepEqual(niceTicks(100, 4), [0, 50, 100]);
});

test('binIndex puts every value of [lo, hi] in exactly the bin that holds it, hi in the last', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (n, lo, width, f) => {
    const hi = lo + width;
    const x = Math.min(hi, lo + width * f);
    const i = binIndex(x, n, lo, hi);
    assert.ok(i >= 0 && i < n);
    const w = (hi - lo) / n;
    assert.ok(x >= lo + i * w - 1e-9 * width, `${x} below bin ${i}`);
    if (i < n - 1) assert.ok(x < lo + (i + 1) * w + 1e-9 * width, `${x} above bin ${i}`);
    assert.equal(binIndex(hi, n, lo, hi), n - 1);
    assert.equal(binIndex(lo - width, n, lo, hi), -1);
    assert.equal(binIndex(hi + width, n, lo, hi), -1);
    assert.equal(binIndex(NaN, n, lo, hi), -1);
  }));
});

test('histogram counts each value in range once and nothing else', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -0.5, max: 1.5, noNaN: true }), { maxLength: 300 }), fc.integer({ min: 1, max: 30 }), (values, n) => {
    const bins = histogram(values, n, 0, 1);
    assert.equal(bins.length, n);
    assert.equal(bins.reduce((a, b) => a + b, 0), values.filter((v) => v >= 0 && v <= 1).length);
  }));
});

test('time buckets: at most maxBuckets, whole hours, and every hour of the span has its bucket', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 0, max: 24 * 400 }), fc.integer({ min: 1, max: 300 }), (h0, span, maxBuckets) => {
    const first = h0 * HOUR_MS;
    const last = first + span * HOUR_MS;
    const per = bucketHours(first, last, maxBuckets);
    assert.ok(Number.isInteger(per) && per >= 1);
    const starts = bucketStarts(first, last, per * HOUR_MS);
    assert.ok(starts.length <= maxBuckets, `${starts.length} buckets for at most ${maxBuckets}`);
    for (const h of [first, last, first + Math.floor(span / 2) * HOUR_MS]) {
      const b = bucketOf(h, starts[0]!, per * HOUR_MS);
      assert.ok(b >= 0 && b < starts.length && starts[b]! <= h && h < starts[b]! + per * HOUR_MS);
    }
  }));
});
