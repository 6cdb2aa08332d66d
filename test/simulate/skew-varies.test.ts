import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeDamagePlan } from '../../src/simulate/damage/plan';
import { Rng } from '../../src/simulate/prng';

// A real shop's clock is off by its own amount, either way: a drill that always puts +97 s on
// one host would let an estimator tuned to that one value pass.
test('the skewed host\'s clock is off by a seed-drawn amount, either way, within the profile\'s range', () => {
  const w = { startMs: Date.parse('2026-11-21T00:00:00+08:00'), endMs: Date.parse('2026-11-23T00:00:00+08:00'), orders: 1000, hosts: 2, appSink: 'app/laravel' };
  for (const [profile, lo, hi] of [['typical', 5, 300], ['severe', 120, 900]] as const) {
    const skews = Array.from({ length: 40 }, (_, i) => makeDamagePlan(profile, Rng.root(`skew-${i}`).fork('damage-plan'), w).skew!.ms / 1000);
    for (const s of skews) {
      assert.ok(Number.isInteger(s) && Math.abs(s) >= lo && Math.abs(s) <= hi, `${profile}: ${s} s`);
    }
    assert.ok(skews.some((s) => s < 0) && skews.some((s) => s > 0), `${profile}: both directions`);
    assert.ok(new Set(skews).size >= 30, `${profile}: amounts vary (${new Set(skews).size} distinct of 40)`);
  }
  assert.equal(makeDamagePlan('none', Rng.root('x'), w).skew, null);
});
