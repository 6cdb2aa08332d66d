// What a damage profile does, decided up front from the run's seed.
import type { DamageProfile } from '../options';
import type { Rng } from '../prng';

export interface DamagePlan {
  profile: DamageProfile;
  /** Clock offset of one nginx host. */
  skew: { host: number; ms: number } | null;
  /** Hours missing from one source: [sink, fromMs, toMs). */
  missing: { sink: string; fromMs: number; toMs: number }[];
  forgedCallbacks: number;
  garbageLines: number;
  cutLines: number;
  truncatedGz: number;
  corruptedGz: number;
  duplicateFiles: number;
  copytruncate: number;
  gbk: boolean;
}

export function makeDamagePlan(
  profile: DamageProfile,
  rng: Rng,
  w: { startMs: number; endMs: number; orders: number; hosts: number; appSink: string | null },
): DamagePlan {
  const none: DamagePlan = {
    profile,
    skew: null,
    missing: [],
    forgedCallbacks: 0,
    garbageLines: 0,
    cutLines: 0,
    truncatedGz: 0,
    corruptedGz: 0,
    duplicateFiles: 0,
    copytruncate: 0,
    gbk: false,
  };
  if (profile === 'none') return none;
  const severe = profile === 'severe';
  const span = w.endMs - w.startMs;
  const hourAt = (): number => {
    const hours = Math.max(1, Math.floor(span / 3_600_000) - 1);
    return w.startMs + rng.int(0, hours - 1) * 3_600_000;
  };
  const missing: DamagePlan['missing'] = [];
  const host = rng.int(0, w.hosts - 1);
  const first = hourAt();
  missing.push({ sink: `nginx/web${host + 1}`, fromMs: first, toMs: Math.min(w.endMs, first + (severe ? 2 : 1) * 3_600_000) });
  if (severe) {
    const other = hourAt();
    missing.push({ sink: `nginx/web${((host + 1) % w.hosts) + 1}`, fromMs: other, toMs: Math.min(w.endMs, other + 3_600_000) });
    if (w.appSink) {
      const app = hourAt();
      missing.push({ sink: w.appSink, fromMs: app, toMs: Math.min(w.endMs, app + 3_600_000) });
    }
  }
  return {
    profile,
    skew: { host: rng.int(0, w.hosts - 1), ms: skewMs(rng.fork('skew-size'), severe) },
    missing,
    forgedCallbacks: severe ? Math.min(40, Math.max(8, Math.round(w.orders / 150))) : Math.min(12, Math.max(3, Math.round(w.orders / 500))),
    garbageLines: severe ? 30 : 4,
    cutLines: severe ? 30 : 4,
    truncatedGz: severe ? 2 : 1,
    corruptedGz: severe ? 1 : 0,
    duplicateFiles: severe ? 1 : 0,
    copytruncate: severe ? 2 : 1,
    gbk: true,
  };
}

/**
 * How far the skewed host's clock is off: a real shop's servers drift by seconds to minutes
 * either way, so the drill does too (from its own fork, so the other draws stay as they were).
 * Whole seconds, as nginx writes them; never under 5 s, where a skew is within the noise.
 */
function skewMs(rng: Rng, severe: boolean): number {
  const [lo, hi] = severe ? [120, 900] : [5, 300];
  return (rng.float() < 0.5 ? -1 : 1) * rng.int(lo, hi) * 1000;
}
