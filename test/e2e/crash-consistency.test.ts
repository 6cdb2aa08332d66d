// kill -9 at seeded random moments while reading and while writing: --out must always hold
// either the previous complete run or the new one (report.json present ⇒ the set is complete),
// and the next run must clean up and end with exactly what an uninterrupted run writes.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/run-cli';
import { spawnCli, type Spawned } from '../support/spawn-cli';
import { Rng } from '../../src/simulate/prng';
import { lockHolderAlive } from '../../src/sinks/process-liveness';

const OUTPUTS = ['rejects.ndjson', 'transactions.ndjson', 'unjoined.ndjson', 'transactions.csv', 'restore.sql', 'review.csv', 'report.json'];
/** Committed with the set, but not fingerprinted: the page shows the run's time and folder. */
const COMMITTED = [...OUTPUTS, 'report.html'];
const root = mkdtempSync(join(tmpdir(), 'salvage-crash-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** What an output set says, without what legitimately differs between runs (times, the folder's name). */
function fingerprint(dir: string): string {
  const h = createHash('sha256');
  for (const n of OUTPUTS) {
    let text = readFileSync(join(dir, n), 'utf8');
    if (n === 'report.json') {
      // Only `run` may differ between runs of the same inputs (time, folder, timings): see determinism.test.ts.
      const r = JSON.parse(text) as Record<string, unknown>;
      delete r.run;
      text = JSON.stringify(r);
    }
    h.update(n).update('\0').update(text).update('\0');
  }
  return h.digest('hex');
}

async function kill(run: Spawned, out: string): Promise<void> {
  // The whole process group, launcher and child at once, as a power cut or the OOM killer would.
  try {
    process.kill(-run.child.pid!, 'SIGKILL');
  } catch { /* already ended */ }
  await run.exit;
  // The launcher's end is reported first; the child, killed too, may take a moment more to be
  // gone (after a power cut nothing is left running). Wait for the lock's holder, as judged by
  // salvage itself, to be gone, so that the next run meets a stale lock and not a live one.
  const lock = join(out, '.salvage-lock');
  const deadline = Date.now() + 10_000;
  for (;;) {
    let held: { pid: number; start_ticks?: string } | null = null;
    try {
      held = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; start_ticks?: string };
    } catch { /* no lock, or half written by the killed run */ }
    if (!held || !lockHolderAlive(held.pid, held.start_ticks)) return;
    assert.ok(Date.now() < deadline, `pid ${held.pid} still holds ${lock} 10 s after SIGKILL`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// 20 kills and reruns take 25-85 s alone; with several full suites sharing two cores they took
// over 150 s (six helpers' runs on 2026-12-06), so the limit leaves room for a shared machine.
test('SIGKILL at 20 seeded points while reading and writing leaves the previous or the new outputs, and a rerun ends as an uninterrupted run', { timeout: 300_000 }, async () => {
  const shop = join(root, 'shop');
  const sim = await runCli(['simulate', '--out', shop, '--orders', '300', '--days', '1', '--seed', 'crash-consistency'], root);
  assert.equal(sim.code, 0, sim.stderr);
  const args = (out: string) => ['reconstruct', join(shop, 'logs'), '--keys', join(shop, 'keys.json'), '--out', out, '--workers', '1'];

  const t0 = Date.now();
  const ref = spawnCli([...args(join(root, 'ref')), '-q'], root);
  const refEnd = await ref.exit;
  const full = Date.now() - t0;
  assert.ok(refEnd.code === 0 || refEnd.code === 1, ref.stderr());
  const fresh = fingerprint(join(root, 'ref'));

  const out = join(root, 'out');
  const prevRun = spawnCli([...args(out), '-q', '--sql-min-confidence', '0.5'], root);
  await prevRun.exit;
  const previous = fingerprint(out);
  assert.notEqual(previous, fresh, 'the previous run must be told apart from the new one');

  // Kill runs alternate between the two option sets, so that what a run would write always
  // differs from what --out holds before it: a mix of the two could not pass for either.
  const rng = Rng.root('crash-points');
  const seen = { kept: 0, replaced: 0, midCommit: 0 };
  let current = previous;
  for (let i = 0; i < 20; i++) {
    const writing = i % 3 === 2;
    const aimed = current === previous ? fresh : previous;
    const extra = aimed === previous ? ['--sql-min-confidence', '0.5'] : [];
    const run = spawnCli([...args(out), ...extra, '--progress'], root, { detached: true });
    if (writing) {
      // Into the writing stage, then a little further: staging files are being filled.
      await run.waitFor(/\[salvage\] (writing|joining)/).catch(() => undefined);
      await new Promise((r) => setTimeout(r, rng.float() * 300));
    } else {
      await new Promise((r) => setTimeout(r, rng.float() * full));
    }
    await kill(run, out);
    const names = readdirSync(out);
    if (names.includes('report.json')) {
      for (const n of COMMITTED) assert.ok(names.includes(n), `kill ${i}: report.json stands beside a missing ${n}`);
      const fp = fingerprint(out);
      assert.ok(fp === current || fp === aimed, `kill ${i} (${writing ? 'writing' : 'any time'}): --out holds neither the previous run nor the new one`);
      seen[fp === current ? 'kept' : 'replaced']++;
      current = fp;
    } else {
      assert.ok(names.includes('.salvage-commit'), `kill ${i}: no report.json and no commit journal: ${names.join(', ')}`);
      seen.midCommit++;
      current = aimed;
    }
  }

  const leftovers = readdirSync(out).filter((n) => n.startsWith('.salvage-run-'));
  const last = spawnCli(args(out), root);
  const end = await last.exit;
  assert.ok(end.code === 0 || end.code === 1, last.stderr());
  if (leftovers.length) assert.match(last.stderr(), /removed \d+ staging\/scratch folder\(s\) left by an interrupted run/);
  assert.equal(fingerprint(out), fresh, 'the rerun writes what an uninterrupted run writes');
  assert.deepEqual(readdirSync(out).filter((n) => n.startsWith('.')).sort(), ['.salvage-output'], 'no lock, journal, staging or scratch left');
  // Kills must have landed inside runs for the test to mean anything.
  assert.ok(seen.kept >= 10, JSON.stringify(seen));
  process.stdout.write(`# kills: ${JSON.stringify(seen)}; an uninterrupted run took ${full} ms\n`);
  assert.ok(existsSync(join(out, 'report.json')));
});
