// One run per --out: a second run into the same folder while the first is going must refuse
// (exit 2) instead of interleaving its outputs; a lock left by a dead run is taken over.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/run-cli';
import { BIN, isAlive, spawnCli, until } from '../support/spawn-cli';

const SHOP = join(__dirname, '..', '..', '..', 'samples', 'shop');

const root = mkdtempSync(join(tmpdir(), 'salvage-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));

const logs = join(root, 'logs');
mkdirSync(logs);
writeFileSync(join(logs, 'access.log'), '10.0.0.2 - - [21/Nov/2026:14:03:12 +0800] "GET /bill/AAAABBBBCCCCDDDD HTTP/1.1" 200 512 "-" "curl/8" "203.0.113.7"\n');

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

test('a second run into the same --out while the first is going refuses with exit 2; the first finishes whole', { timeout: 90_000 }, async () => {
  const out = join(root, 'busy');
  const args = ['reconstruct', join(SHOP, 'logs'), '--keys', join(SHOP, 'keys.json'), '--out', out];
  const first = spawnCli([...args, '-q'], root);
  // Hold the first run still while it owns --out (the pid in the lock is the process doing the
  // work), so the second surely meets it however fast or slow this machine is.
  const lock = join(out, '.salvage-lock');
  assert.ok(await until(() => existsSync(lock) && readFileSync(lock, 'utf8').endsWith('\n'), 30_000), 'the first run takes the lock');
  const holder = (JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid;
  process.kill(holder, 'SIGSTOP');
  const second = spawnCli([...args, '-q'], root);
  const refused = await second.exit;
  assert.equal(refused.code, 2, second.stderr());
  assert.match(second.stderr(), new RegExp(`in use by another salvage run \\(pid ${holder}.*/ 另一个 salvage 正在写入`));
  process.kill(holder, 'SIGCONT');
  const done = await first.exit;
  assert.ok(done.code === 0 || done.code === 1, first.stderr());
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { outputs: { 'rejects.ndjson': number } };
  const rejects = readFileSync(join(out, 'rejects.ndjson'), 'utf8').split('\n').filter(Boolean);
  for (const l of rejects) JSON.parse(l);
  assert.equal(rejects.length, report.outputs['rejects.ndjson']);
  assert.equal(existsSync(join(out, '.salvage-lock')), false, 'the lock is let go');
});

test('a lock left by a process that is gone is taken over, with a note', async () => {
  const out = join(root, 'stale');
  mkdirSync(out);
  const pid = deadPid();
  writeFileSync(join(out, '.salvage-lock'), JSON.stringify({ pid, host: hostname(), started: '2026-12-01T00:00:00Z' }) + '\n');
  const r = await runCli(['reconstruct', logs, '--out', out], root);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`took over a stale lock left by salvage pid ${pid}`));
  assert.ok(existsSync(join(out, 'report.json')));
  assert.equal(existsSync(join(out, '.salvage-lock')), false);
});

test('a lock whose process is a zombie, or whose pid now names another process, is taken over', { timeout: 60_000 }, async () => {
  // A zombie answers kill(pid, 0) like a live process. Here bash forks a short child, then becomes
  // `sleep`, which never reaps it: the child stays a zombie while sleep runs (a killed run in a
  // container whose init does not reap looks the same).
  const holder = spawn('bash', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const zombie = await new Promise<number>((resolve) => holder.stdout!.once('data', (b: Buffer) => resolve(Number(String(b).trim()))));
    assert.ok(await until(() => /\) Z /.test(readFileSafe(`/proc/${zombie}/stat`)), 10_000), 'the child became a zombie');
    assert.doesNotThrow(() => process.kill(zombie, 0), 'kill(0) alone would call it alive');
    const out = join(root, 'zombie');
    mkdirSync(out);
    writeFileSync(join(out, '.salvage-lock'), JSON.stringify({ pid: zombie, host: hostname(), started: '2026-12-01T00:00:00Z' }) + '\n');
    const r = await runCli(['reconstruct', logs, '--out', out], root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`took over a stale lock left by salvage pid ${zombie}`));
  } finally {
    holder.kill('SIGKILL');
  }

  // A live pid with another start time: the lock's process ended and the pid was given again.
  const out = join(root, 'reused');
  mkdirSync(out);
  writeFileSync(join(out, '.salvage-lock'), JSON.stringify({ pid: process.ppid, host: hostname(), started: '2026-12-01T00:00:00Z', start_ticks: '1' }) + '\n');
  const r = await runCli(['reconstruct', logs, '--out', out], root);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`took over a stale lock left by salvage pid ${process.ppid}`));
});

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

test('a lock held by a live process, or by another host, makes the run refuse with exit 2 and leaves the lock alone', async () => {
  const out = join(root, 'held');
  mkdirSync(out);
  const lock = JSON.stringify({ pid: process.ppid, host: hostname(), started: '2026-12-01T00:00:00Z' }) + '\n';
  writeFileSync(join(out, '.salvage-lock'), lock);
  const r = await runCli(['reconstruct', logs, '--out', out], root);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`in use by another salvage run \\(pid ${process.ppid}`));
  assert.equal(readFileSync(join(out, '.salvage-lock'), 'utf8'), lock);
  assert.equal(existsSync(join(out, 'report.json')), false);

  writeFileSync(join(out, '.salvage-lock'), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', started: 'x' }));
  const r2 = await runCli(['reconstruct', logs, '--out', out], root);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /in use by salvage on host elsewhere\.example/);
});

test('two runs started together against a stale lock: exactly one takes it over, the other refuses with exit 2', { timeout: 60_000 }, async () => {
  const out = join(root, 'race');
  mkdirSync(out);
  const stale = JSON.stringify({ pid: deadPid(), host: hostname(), started: '2026-12-01T00:00:00Z' }) + '\n';
  writeFileSync(join(out, '.salvage-lock'), stale);
  // Both read standard input, which stays open: a run that takes --out holds it until its input
  // ends. The pause widens the window between checking the stale lock and removing it, where
  // two runs that both judged it stale would both take it over without the takeover guard.
  const env = { ...process.env, SALVAGE_TEST_TAKEOVER_PAUSE_MS: '400' };
  const runs = [0, 1].map(() => {
    const child = spawn(process.execPath, [BIN, 'reconstruct', '-', '--format', 'nginx-combined', '--out', out], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
    const exit = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    let ended = false;
    void exit.then(() => { ended = true; });
    return { child, exit, stderr: () => err, ended: () => ended };
  });
  // Whatever an assertion below says, no child may outlive the test (its open stdin would keep
  // the test process waiting for ever).
  // The whole process group: bin/salvage.js re-executes itself, and the inner process is the
  // one holding the lock and the open stdin.
  const killAll = () => {
    for (const r of runs) {
      if (r.ended()) continue;
      r.child.stdin.destroy();
      try { process.kill(-r.child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }
  };
  try {
    await raceChecks(runs, out, stale);
  } finally {
    killAll();
  }
});

type RaceRun = { child: import('node:child_process').ChildProcessWithoutNullStreams; exit: Promise<number | null>; stderr: () => string; ended: () => boolean };

async function raceChecks(runs: RaceRun[], out: string, stale: string): Promise<void> {
  assert.ok(await until(() => runs.some((r) => r.ended()), 20_000), `one run refuses: ${runs.map((r) => r.stderr()).join('\n')}`);
  // Give the other time to refuse too, if it (wrongly) would.
  await new Promise((r) => setTimeout(r, 1500));
  const refused = runs.filter((r) => r.ended());
  assert.equal(refused.length, 1, `exactly one run refuses: ${runs.map((r) => r.stderr()).join('\n---\n')}`);
  assert.equal(await refused[0]!.exit, 2, refused[0]!.stderr());
  assert.match(refused[0]!.stderr(), /in use by another salvage run|being taken by another salvage run/);
  const winner = runs.find((r) => !r.ended())!;
  const held = JSON.parse(readFileSync(join(out, '.salvage-lock'), 'utf8')) as { pid: number };
  assert.ok(held.pid !== (JSON.parse(stale) as { pid: number }).pid && isAlive(held.pid), 'the lock is the live run\'s');
  winner.child.stdin.end('10.0.0.2 - - [21/Nov/2026:14:03:12 +0800] "GET /bill/AAAABBBBCCCCDDDD HTTP/1.1" 200 512 "-" "curl/8" "203.0.113.7"\n');
  const code = await winner.exit;
  assert.ok(code === 0 || code === 1, winner.stderr());
  assert.match(winner.stderr(), /took over a stale lock left by salvage pid/);
  assert.ok(existsSync(join(out, 'report.json')));
  assert.equal(existsSync(join(out, '.salvage-lock')), false, 'the lock is let go');
}
