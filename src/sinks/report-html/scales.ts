// The arithmetic under the report's charts: scales, tick steps, histogram bins and time buckets.
// Pure and small, so each can be property-tested on its own (test/report-html/scales.test.ts).

/** A linear map from a domain to a range; a domain of one point maps to the range's middle. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  if (d0 === d1) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (x) => r0 + (x - d0) * k;
}

/** A step of 1, 2 or 5 × 10^k that splits [0, span] into at most about `count` parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / mag;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * mag;
}

/** Ticks from 0 to the first multiple of a nice step at or above `max` (≥ max, so bars never overflow). */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const step = niceStep(max, count);
  const n = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  // Built from integers so 0.1 + 0.2 never shows up as a tick label.
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  for (let i = 0; i <= n; i++) ticks.push(Number((i * step).toFixed(digits)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number(((n + 1) * step).toFixed(digits)));
  return ticks;
}

/**
 * The bin of `x` among `n` equal bins over [lo, hi]; `hi` itself falls in the last bin (a
 * confidence of exactly 1 is the commonest value). Outside [lo, hi], or NaN: -1.
 */
export function binIndex(x: number, n: number, lo: number, hi: number): number {
  if (!(x >= lo && x <= hi) || n < 1 || !(hi > lo)) return -1;
  const i = Math.floor(((x - lo) / (hi - lo)) * n);
  return Math.min(n - 1, i);
}

/** Counts of values per bin (values outside [lo, hi] are not counted). */
export function histogram(values: Iterable<number>, n: number, lo: number, hi: number): number[] {
  const bins = new Array<number>(n).fill(0);
  for (const v of values) {
    const i = binIndex(v, n, lo, hi);
    if (i >= 0) bins[i]!++;
  }
  return bins;
}

export const HOUR_MS = 3_600_000;

/**
 * Whole hours per bucket so that [firstMs, lastMs] fits in at most `maxBuckets` buckets: an hour
 * each on runs of a few days, several on long ones (so the page stays small).
 */
export function bucketHours(firstMs: number, lastMs: number, maxBuckets: number): number {
  const hours = Math.floor((lastMs - firstMs) / HOUR_MS) + 1;
  return Math.max(1, Math.ceil(hours / Math.max(1, maxBuckets)));
}

/** The bucket starts from the hour of `firstMs` to the bucket holding `lastMs`. */
export function bucketStarts(firstMs: number, lastMs: number, bucketMs: number): number[] {
  const first = Math.floor(firstMs / HOUR_MS) * HOUR_MS;
  const out: number[] = [];
  for (let s = first; s <= lastMs; s += bucketMs) out.push(s);
  return out;
}

/** Index of the bucket holding `ms`, given the first bucket's start. */
export function bucketOf(ms: number, firstStart: number, bucketMs: number): number {
  return Math.floor((ms - firstStart) / bucketMs);
}
