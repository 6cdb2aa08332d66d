// simulate --platform acg-faka --logging platform writes what acg-faka itself writes, and
// salvage reads it back: the request log, the real refusal body, the code's runtime.log wording.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveOptions } from '../../src/simulate/options';
import { simulate } from '../../src/simulate/simulate';
import { runCli } from '../support/run-cli';
import { repoRoot } from '../support/realdata';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('acg-faka platform logging: request log and real refusal bodies, recovered end to end', async () => {
  const out = mkdtempSync(join(tmpdir(), 'salvage-acg-platform-'));
  dirs.push(out);
  simulate(resolveOptions({ out, orders: 120, days: 1, seed: '5', platform: 'acg-faka', logging: 'platform', damage: 'none' }));
  const reqDir = join(out, 'logs/runtime/request');
  const [md5dir] = readdirSync(reqDir);
  assert.match(md5dir!, /^[0-9a-f]{32}$/);
  const lines = readdirSync(join(reqDir, md5dir!)).flatMap((f) => {
    assert.match(f, /^\d{4}-\d{2}-\d{2}\.log$/);
    return readFileSync(join(reqDir, md5dir!, f), 'utf8').split('\n').filter((l) => l !== '');
  });
  const recs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(recs.some((r) => String(r.uri).startsWith('/user/api/order/callback.')));
  for (const r of recs) assert.deepEqual(Object.keys(r), ['time', 'ip', 'method', 'uri', 'user_agent', 'referer', 'get', 'post', 'json', 'raw_body', 'cookies', 'headers']);
  // Refusals are the 23-byte JSON, never a bare `fail`.
  const nginx = readFileSync(join(out, 'logs/nginx/web1/shop.example.log'), 'utf8');
  assert.ok(!/callback\.\d{18}[^"]* HTTP\/1\.1" 200 4 /.test(nginx));

  const rec = join(out, 'rec');
  const r = await runCli(['reconstruct', join(out, 'logs'), '--keys', join(out, 'keys.json'), '--out', rec, '--workers', '1'], repoRoot());
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const e = await runCli(['evaluate', '--truth', join(out, 'truth'), '--recovered', rec, '--json'], repoRoot());
  const m = JSON.parse(e.stdout) as { meta?: unknown; inputs: { meta: { logging: string } }; recall: { paid_recoverable: { numerator: number; denominator: number; value: number } } };
  assert.equal(m.inputs.meta.logging, 'platform');
  assert.ok(m.recall.paid_recoverable.denominator > 20);
  assert.ok(m.recall.paid_recoverable.value >= 0.95, JSON.stringify(m.recall));
});

