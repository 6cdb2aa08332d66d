// simulate builds the shop in memory: the launcher gives it a heap that fits the size asked for
// (issue 13: the 3-day drill died with a V8 stack trace at the default budget).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { simulateHeapMb } from '../../src/simulate/heap-budget';
import { packageRoot } from '../../src/util/package-root';

const tmp = mkdtempSync(join(tmpdir(), 'salvage-simheap-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the budget grows with orders and days, and is asked for only above the default', () => {
  assert.equal(simulateHeapMb(['simulate', '--out', 'x'], 256), null, 'the default drill fits');
  assert.equal(simulateHeapMb(['reconstruct', 'logs', '--orders', '900000'], 256), null, 'other commands keep their budget');
  const drill = simulateHeapMb(['simulate', '--orders', '30000', '--days', '3'], 256)!;
  assert.ok(drill >= 600, `${drill} MB for the 3-day drill (measured peak 504 MB)`);
  assert.equal(simulateHeapMb(['simulate', '--orders=30000', '--days=3'], 256), drill);
  assert.ok(simulateHeapMb(['simulate', '--orders', '120000', '--days', '9'], 256)! > 2 * drill);
});

test('simulate of 20,000 orders, which needs about 340 MB, runs from the launcher without SALVAGE_MAX_HEAP_MB', () => {
  const env = { ...process.env };
  delete env.SALVAGE_MAX_HEAP_MB;
  delete env.SALVAGE_NO_HEAP_LIMIT;
  const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'salvage.js'), 'simulate', '--out', join(tmp, 'shop'), '--orders', '20000', '--days', '2'], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  assert.match(r.stderr, /runs with a \d+ MB heap \(SALVAGE_MAX_HEAP_MB overrides\) \/ 此规模的模拟使用/);
  assert.match(r.stdout, /20000 orders/);
});
