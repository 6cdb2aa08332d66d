// A run without damage streams (src/simulate/stream.ts): its bytes are those of the whole-run path,
// however many runs its events are cut into, and its memory does not grow with its size.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { resolveOptions, type RawSimulateOptions } from '../../src/simulate/options';
import { simulateWhole } from '../../src/simulate/simulate';
import { simulateStreaming } from '../../src/simulate/stream';
import { packageRoot } from '../../src/util/package-root';

const tmp = mkdtempSync(join(tmpdir(), 'salvage-simstream-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const CASES: [string, RawSimulateOptions][] = [
  ['dujiaoka default logging', { orders: 400, days: 2, seed: 's1' }],
  ['dujiaoka operator logging, daily app logs and balance lines', { orders: 300, days: 3, seed: 's2', logging: 'operator' }],
  ['dujiaoka operator lines worded by vocabulary 2 (multi-line dumps)', { orders: 300, days: 2, seed: 's3', logging: 'operator', vocabulary: '2' }],
  ['dujiaoka platform logging with TokenPay', { orders: 300, days: 2, seed: 's4', logging: 'platform', tokenpay: true }],
  ['acg-faka platform logging (request logs by day)', { orders: 300, days: 2, seed: 's5', platform: 'acg-faka', logging: 'platform' }],
];

for (const [name, over] of CASES) {
  test(`streaming writes the bytes of the whole-run path, events cut into runs of 700: ${name}`, async () => {
    const whole = join(tmp, `whole-${over.seed}`);
    const streamed = join(tmp, `streamed-${over.seed}`);
    simulateWhole(resolveOptions({ ...over, damage: 'none', out: whole }));
    const r = await simulateStreaming(resolveOptions({ ...over, damage: 'none', out: streamed }), () => {}, 700);
    const a = walk(whole).map((p) => relative(whole, p)).sort();
    const b = walk(streamed).map((p) => relative(streamed, p)).sort();
    assert.deepEqual(b, a, 'the same files (and no spill left behind)');
    for (const p of a) assert.ok(readFileSync(join(streamed, p)).equals(readFileSync(join(whole, p))), `${p} differs`);
    assert.ok(r.totalLines > 700 * 10, `${r.totalLines} lines: enough for many runs`);
  });
}

test('a run without damage holds no more for more orders: 16,000 orders over two days run in a 64 MB heap', () => {
  // The whole-run path died here with exit 4 (12,000 orders in 64 MB, checked on f9250e6); the
  // streaming path holds a run of events and a few bytes per order, whatever the size.
  const out = join(tmp, 'small-heap');
  const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'salvage.js'), 'simulate', '--out', out, '--orders', '16000', '--days', '2', '--damage', 'none'], {
    env: { ...process.env, SALVAGE_MAX_HEAP_MB: '64' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  assert.match(r.stdout, /16000 orders/);
  assert.deepEqual(readdirSync(out).sort(), ['keys.json', 'logs', 'truth'], 'the spill folder is gone');
});
