// End to end on what dujiaoka itself writes: simulate --logging platform (exception frames with
// cut arguments, the queue worker's output) → reconstruct → evaluate. Every order the truth marks
// recoverable must be recovered, the exception lines must have joined orders by their prefix, and
// the queue log must be read (all noise, none rejected).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';
import { withTempDir } from '../support/temp-dir';

test('simulate --logging platform → reconstruct → evaluate: recall over recoverable paid orders is 1', async () => {
  await withTempDir('salvage-dujiaoka-platform-', async (dir) => {
    const sim = await runCli(['simulate', '--out', join(dir, 'sim'), '--orders', '300', '--days', '1', '--logging', 'platform', '--damage', 'none', '--seed', '7'], dir);
    assert.equal(sim.code, 0, sim.stderr);
    const queueLog = readFileSync(join(dir, 'sim/logs/app/queue-worker.log'), 'utf8');
    assert.match(queueLog, /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\]\[[A-Za-z0-9]{32}\] Processing: App\\Jobs\\OrderExpired$/m);
    const appLog = readFileSync(join(dir, 'sim/logs/app/laravel.log'), 'utf8');
    assert.match(appLog, /->completedOrder\('[A-Z0-9]{15}\.\.\.', [0-9.]+, '/);

    const rec = await runCli(['reconstruct', join(dir, 'sim/logs'), '--out', join(dir, 'out'), '--keys', join(dir, 'sim/keys.json'), '--workers', '1', '-q'], dir);
    assert.ok(rec.code === 0 || rec.code === 1, rec.stderr);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
    const queue = report.inputs.find((f: { file: string }) => f.file.endsWith('queue-worker.log'));
    assert.equal(queue.format, 'laravel-queue');
    assert.equal(queue.rejected, 0);
    assert.equal(queue.noise, queue.lines_total);
    const app = report.inputs.find((f: { file: string }) => f.file.endsWith('laravel.log'));
    assert.ok((app.by_rule['dujiaoka.app.exception.already-completed'] ?? 0) > 0, 'the duplicate-callback exceptions are evidence');
    const prefixMisses = Object.keys(report.unjoined.by_reason).filter((k) => k.includes('prefix'));
    assert.deepEqual(prefixMisses, [], 'every cut order number joined one order');

    const ev = await runCli(['evaluate', '--truth', join(dir, 'sim/truth'), '--recovered', join(dir, 'out'), '--json'], dir);
    const e = JSON.parse(ev.stdout);
    assert.ok(e.recall.paid_recoverable.denominator > 0);
    assert.equal(e.recall.paid_recoverable.value, 1, JSON.stringify(e.missed).slice(0, 500));
  });
});
