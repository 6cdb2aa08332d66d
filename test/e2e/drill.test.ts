// A recovery drill end to end, as the README describes it: simulate a shop with typical damage,
// reconstruct it, and score the result with evaluate. The figures asserted are the ones salvage
// reaches today (see the issue notes); raise them as it improves, never lower them to pass.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/run-cli';

const tmp = mkdtempSync(join(tmpdir(), 'salvage-drill-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Eval {
  recall: { paid: { value: number }; paid_recoverable: { value: number } };
  thresholds: { min_confidence: number; precision: number | null; claims: number }[];
  calibration: { lo: number; claims: number; correct: number }[];
  forged: { orders: number; flagged: number; wrongly_paid: number } | null;
  fields: Record<string, { accuracy: number | null }>;
}

async function drill(logging: 'operator' | 'default'): Promise<Eval> {
  const dir = join(tmp, logging);
  const sim = await runCli(['simulate', '--out', dir, '--orders', '2000', '--days', '2', '--seed', '11', '--damage', 'typical', '--logging', logging], tmp);
  assert.equal(sim.code, 0, sim.stderr);
  const rec = await runCli(['reconstruct', join(dir, 'logs'), '--keys', join(dir, 'keys.json'), '--out', join(dir, 'out'), '-q'], tmp);
  assert.ok(rec.code === 0 || rec.code === 1, rec.stderr);
  const ev = await runCli(['evaluate', '--truth', join(dir, 'truth'), '--recovered', join(dir, 'out', 'transactions.ndjson'), '--json'], tmp);
  assert.equal(ev.code, 0, ev.stderr);
  return JSON.parse(ev.stdout) as Eval;
}

function precisionAt(e: Eval, c: number): number {
  return e.thresholds.find((t) => t.min_confidence === c)!.precision!;
}

/** At confidence 0.9 and above, at least 99% of paid claims must be right (issue: calibration). */
function assertCalibrated(e: Eval): void {
  const high = e.calibration.filter((b) => b.lo >= 0.9);
  const claims = high.reduce((a, b) => a + b.claims, 0);
  const correct = high.reduce((a, b) => a + b.correct, 0);
  assert.ok(claims > 100, `${claims} claims at ≥ 0.9`);
  assert.ok(correct / claims >= 0.99, `${correct}/${claims} correct at ≥ 0.9`);
}

describe('drill: simulate → reconstruct → evaluate (2,000 orders, typical damage)', () => {
  test('a shop that logs more (operator lines in laravel.log)', async () => {
    const e = await drill('operator');
    assert.equal(e.recall.paid_recoverable.value, 1);
    assert.equal(precisionAt(e, 0.9), 1);
    assertCalibrated(e);
    assert.equal(e.forged!.wrongly_paid, 0);
    assert.ok(e.forged!.flagged >= 3, `flagged ${e.forged!.flagged} of ${e.forged!.orders} forged`);
    for (const f of ['amount', 'paid_at', 'buyer_email', 'goods_id']) assert.equal(e.fields[f]!.accuracy, 1, f);
  });

  test('a shop that logs only what dujiaoka logs by default (nginx, exceptions)', async () => {
    const e = await drill('default');
    assert.ok(e.recall.paid_recoverable.value >= 0.985, `recall over recoverable ${e.recall.paid_recoverable.value}`);
    assert.equal(precisionAt(e, 0.9), 1);
    assertCalibrated(e);
    assert.equal(e.forged!.wrongly_paid, 0);
    assert.equal(e.fields.amount!.accuracy, 1);
  });
});
