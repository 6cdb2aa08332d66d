// A reader thread that goes quiet must not leave the run waiting for ever (issue 10): the
// run stops with a message naming the file and how far it got, exit 7, and the previous
// outputs are left whole.

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/run-cli';
import { spawnCli } from '../support/spawn-cli';

const SHOP = join(__dirname, '..', '..', '..', 'samples', 'shop');
const root = mkdtempSync(join(tmpdir(), 'salvage-stall-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a worker that hangs on a file: exit 7 within the stall limit, a bilingual message naming the file, previous outputs kept', { timeout: 120_000 }, async () => {
  const logs = join(root, 'logs');
  mkdirSync(logs);
  cpSync(join(SHOP, 'logs', 'app'), join(logs, 'app'), { recursive: true });
  cpSync(join(SHOP, 'logs', 'nginx', 'web1', 'shop.example.log'), join(logs, 'stuck-access.log'));
  const out = join(root, 'out');
  const first = await runCli(['reconstruct', 'logs', '--out', out, '--workers', '2', '-q'], root);
  assert.ok(first.code === 0 || first.code === 1, first.stderr);
  const before = readFileSync(join(out, 'report.json'), 'utf8');

  const started = Date.now();
  // A real process: the hook and the limit are read from the environment by the worker threads.
  const run = spawnCli(['reconstruct', 'logs', '--out', out, '--workers', '2', '-q'], root, {
    env: { SALVAGE_TEST_STALL_FILE: 'stuck-access', SALVAGE_STALL_SECONDS: '2' },
  });
  const deadline = setTimeout(() => run.child.kill('SIGKILL'), 90_000);
  const { code } = await run.exit;
  clearTimeout(deadline);
  const r = { code, stderr: run.stderr() };
  const took = (Date.now() - started) / 1000;
  assert.equal(r.code, 7, `exit ${r.code}\n${r.stderr}`);
  assert.ok(took < 60, `stopped after ${took} s`);
  assert.match(r.stderr, /sent nothing for 2 s while reading .*stuck-access\.log/);
  assert.match(r.stderr, /读取线程 2 秒无响应/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(readFileSync(join(out, 'report.json'), 'utf8'), before, 'the previous outputs are whole');
});

test('without the hook the same files finish: the watch does not fire on a healthy run with a short limit', { timeout: 120_000 }, async () => {
  const out = join(root, 'out-healthy');
  const run = spawnCli(['reconstruct', join(SHOP, 'logs'), '--out', out, '--workers', '2', '-q'], root, { env: { SALVAGE_STALL_SECONDS: '5' } });
  const { code } = await run.exit;
  const r = { code, stderr: run.stderr() };
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}\n${r.stderr}`);
});
