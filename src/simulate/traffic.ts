// When things happen: a daily curve with a night-time dip, evening peak, and a little day-to-day variation.
import type { Rng } from './prng';
import { localDayIndex, localDayStartMs } from './time';

/** Relative activity per local hour 00–23 for a Chinese retail site. */
export const HOURLY_WEIGHTS: readonly number[] = [
  3.2, 2.0, 1.2, 0.7, 0.5, 0.5, 0.8, 1.6, 3.0, 4.6, 5.6, 5.9, 5.4, 5.2, 5.6, 5.7, 5.5, 5.3, 5.4, 6.1, 7.0, 7.6, 7.1, 5.3,
];

export interface Window {
  startMs: number;
  endMs: number;
}

/** Draws an instant inside the window following the hourly curve and a per-day factor. */
export function sampleInstant(rng: Rng, w: Window, dayFactor: (day: number) => number): number {
  const firstDay = localDayIndex(w.startMs);
  const lastDay = localDayIndex(w.endMs - 1);
  const dayWeights: number[] = [];
  for (let d = firstDay; d <= lastDay; d++) {
    const from = Math.max(w.startMs, localDayStartMs(d));
    const to = Math.min(w.endMs, localDayStartMs(d + 1));
    dayWeights.push(((to - from) / 86_400_000) * dayFactor(d));
  }
  for (;;) {
    const day = firstDay + rng.weightedIndex(dayWeights);
    const hour = rng.weightedIndex(HOURLY_WEIGHTS);
    const ms = localDayStartMs(day) + hour * 3_600_000 + Math.floor(rng.float() * 3_600_000);
    if (ms >= w.startMs && ms < w.endMs) return ms;
  }
}

/** A deterministic busier/quieter factor per local day (weekends a little busier). */
export function makeDayFactor(rng: Rng): (day: number) => number {
  const cache = new Map<number, number>();
  return (day: number) => {
    let f = cache.get(day);
    if (f === undefined) {
      const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
      f = (weekday === 0 || weekday === 6 ? 1.12 : 1) * rng.fork(`day${day}`).range(0.85, 1.15);
      cache.set(day, f);
    }
    return f;
  };
}

/** Relative activity at an instant (used to thin background noise along the curve). */
export function activityAt(ms: number): number {
  const hour = Math.floor(((ms + 8 * 3_600_000) % 86_400_000) / 3_600_000);
  return HOURLY_WEIGHTS[hour]! / 7.6;
}
