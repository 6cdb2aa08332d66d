// Stopping a run from outside, as a user does: Ctrl-C (SIGINT), kill (SIGTERM), a closed
// terminal (SIGHUP), or kill -9 of the pid they see (the launcher in bin/salvage.js). Each must
// end the run that does the work, say so, remove its scratch, and keep the previous outputs.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { childPids, isAlive, spawnCli, until } from '../support/spawn-cli';

const SHOP = join(__dirname, '..', '..', '..', 'samples', 'shop');
const root = mkdtempSync(join(tmpdir(), 'salvage-signals-'));
after(() => rmSync(root, { recursive: true, force: true }));
const out = join(root, 'out');
const args = ['reconstruct', join(SHOP, 'logs'), '--keys', join(SHOP, 'keys.json'), '--out', out];

function outputs(): Record<string, string> {
  const seen: Record<string, string> = {};
  for (const n of readdirSync(out).sort()) seen[n] = createHash('sha256').update(readFileSync(join(out, n))).digest('hex');
  return seen;
}

test('SIGINT, SIGTERM and SIGHUP to the launcher stop the run: 130/143/129, a message, no child, no scratch, previous outputs kept', { timeout: 120_000 }, async () => {
  const first = spawnCli([...args, '-q'], root);
  const done = await first.exit;
  assert.ok(done.code === 0 || done.code === 1, first.stderr());
  const before = outputs();
  assert.ok('report.json' in before);

  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    const run = spawnCli([...args, '--progress', '--workers', '1'], root);
    await run.waitFor(/\[salvage\] files/);
    const workers = childPids(run.child.pid!);
    assert.equal(workers.length, 1, 'the launcher runs one child');
    run.child.kill(sig);
    const end = await run.exit;
    assert.equal(end.code, code, `${sig}: ${run.stderr()}`);
    assert.match(run.stderr(), new RegExp(`received ${sig}; stopped.*/ 已停止`));
    assert.doesNotMatch(run.stderr(), /\n\s+at /, 'no stack trace');
    assert.ok(await until(() => !isAlive(workers[0]!), 3000), `${sig}: the child is gone`);
    assert.deepEqual(outputs(), before, `${sig}: previous outputs kept, no scratch, no lock left`);
  }
});

test('kill -9 of the launcher: the child notices, stops and cleans up instead of writing on as an orphan', { timeout: 60_000 }, async () => {
  const before = outputs();
  const run = spawnCli([...args, '--progress', '--workers', '1'], root);
  await run.waitFor(/\[salvage\] files/);
  const [worker] = childPids(run.child.pid!);
  assert.ok(worker);
  run.child.kill('SIGKILL');
  await run.exit;
  assert.ok(await until(() => !isAlive(worker), 5000), 'no orphan keeps running');
  assert.deepEqual(outputs(), before);
});
