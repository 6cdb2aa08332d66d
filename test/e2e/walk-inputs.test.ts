// Walking the inputs (issue 10): a symlink loop is entered once, FIFOs/sockets/devices in a folder
// are listed as skipped (a FIFO is never opened), and a FIFO named on the command line, or
// matched by a glob given there, is refused.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/run-cli';
import type { RunReport } from '../../src/sinks/report';

const root = mkdtempSync(join(tmpdir(), 'salvage-walk-'));
after(() => rmSync(root, { recursive: true, force: true }));

const line = (i: number) => `10.0.0.2 - - [21/Nov/2026:14:03:1${i} +0800] "GET /bill/AAAABBBBCCCC000${i} HTTP/1.1" 200 512 "-" "curl/8" "203.0.113.7"\n`;

test('a symlink loop (ln -s .. loop) is followed once: 7 files are read for 7, and the loop is listed as skipped', async () => {
  const logs = join(root, 'loop', 'logs');
  mkdirSync(join(logs, 'sub'), { recursive: true });
  for (let i = 0; i < 7; i++) writeFileSync(join(logs, i < 4 ? '' : 'sub', `access-${i}.log`), line(i));
  symlinkSync('..', join(logs, 'sub', 'loop'));
  const out = join(root, 'loop-out');
  const r = await runCli(['reconstruct', logs, '--out', out], root);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(report.inputs.length, 7);
  const skip = report.input_skipped?.find((k) => k.path === join(logs, 'sub', 'loop'));
  assert.ok(skip, JSON.stringify(report.input_skipped));
  assert.match(skip.reason, /already visited/);
  assert.match(r.stdout + r.stderr, /skipped 已跳过: 1 directories already visited/);
});

test('a FIFO inside a folder is listed as skipped with its reason, and never opened', async () => {
  const logs = join(root, 'fifo', 'logs');
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, 'access.log'), line(1));
  execFileSync('mkfifo', [join(logs, 'pipe')]);
  const out = join(root, 'fifo-out');
  // Opening the FIFO would block this run forever; finishing at all shows it was not opened.
  const r = await runCli(['reconstruct', logs, '--out', out], root);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.deepEqual(report.inputs.map((f) => f.file.split('/').pop()), ['access.log']);
  const skip = report.input_skipped?.find((k) => k.path === join(logs, 'pipe'));
  assert.ok(skip, JSON.stringify(report.input_skipped));
  assert.match(skip.reason, /FIFO/);
  assert.match(r.stdout + r.stderr, /skipped 已跳过: 1 FIFOs/);
});

test('a FIFO named on the command line is a usage error (exit 2), not opened', async () => {
  const fifo = join(root, 'named.pipe');
  execFileSync('mkfifo', [fifo]);
  const r = await runCli(['reconstruct', fifo, '--out', join(root, 'named-out')], root);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /FIFO/);
});

test('a glob that matches a FIFO names it: a usage error (exit 2) before any work, the FIFO not opened', async () => {
  const logs = join(root, 'glob-fifo', 'logs');
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, 'access.log'), line(1));
  execFileSync('mkfifo', [join(logs, 'access.pipe')]);
  const out = join(root, 'glob-fifo-out');
  const r = await runCli(['reconstruct', join(logs, 'access.*'), '--out', out], root);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /access\.pipe is a FIFO \(named pipe\), matched by a pattern.* \/ .*是命名管道/);
  assert.ok(!existsSync(out), 'nothing was written');
  // A pattern that does not match the FIFO reads the rest, and does not list the FIFO.
  const r2 = await runCli(['reconstruct', join(logs, '*.log'), '--out', out], root);
  assert.equal(r2.code, 0, r2.stderr);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.deepEqual(report.inputs.map((f) => f.file.split('/').pop()), ['access.log']);
  assert.equal(report.input_skipped, undefined);
});

test('a unix socket inside a folder is listed as skipped with its reason, and never opened', async () => {
  const logs = join(root, 'socket', 'logs');
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, 'access.log'), line(1));
  const path = join(logs, 'app.sock');
  const server = createServer();
  let connections = 0;
  server.on('connection', (c) => { connections++; c.destroy(); });
  await new Promise<void>((ok) => server.listen(path, ok));
  try {
    const out = join(root, 'socket-out');
    const r = await runCli(['reconstruct', logs, '--out', out], root);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    assert.deepEqual(report.inputs.map((f) => f.file.split('/').pop()), ['access.log']);
    const skip = report.input_skipped?.find((k) => k.path === path);
    assert.ok(skip, JSON.stringify(report.input_skipped));
    assert.equal(skip.kind, 'socket');
    assert.match(skip.reason, /socket.*\/ 套接字/);
    assert.equal(connections, 0, 'nothing connected to the socket');
  } finally {
    await new Promise<void>((ok) => server.close(() => ok()));
  }
});

test('a device node inside a folder is listed as skipped with its reason, and never opened', async (t) => {
  const logs = join(root, 'device', 'logs');
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, 'access.log'), line(1));
  const dev = join(logs, 'zero');
  // /dev/zero's numbers (char 1 5): read, it never ends, so finishing at all shows it was not opened.
  try {
    execFileSync('mknod', [dev, 'c', '1', '5'], { stdio: 'pipe' });
  } catch (e) {
    t.skip(`mknod is not permitted here (needs root and CAP_MKNOD): ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  const out = join(root, 'device-out');
  const r = await runCli(['reconstruct', logs, '--out', out], root);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.deepEqual(report.inputs.map((f) => f.file.split('/').pop()), ['access.log']);
  const skip = report.input_skipped?.find((k) => k.path === dev);
  assert.ok(skip, JSON.stringify(report.input_skipped));
  assert.equal(skip.kind, 'device');
  assert.match(skip.reason, /character device/);
});

test('a byte-identical copy under another name is read once and listed as a copy of the first; the accounts add up', async () => {
  const logs = join(root, 'copies', 'logs');
  mkdirSync(logs, { recursive: true });
  const body = line(1) + line(2) + 'not a log line at all\n';
  writeFileSync(join(logs, 'access.log'), body);
  writeFileSync(join(logs, 'backup-access.log'), body);
  // Same size, different bytes: not a copy.
  writeFileSync(join(logs, 'other.log'), body.replace('AAAABBBBCCCC0001', 'AAAABBBBCCCC0009'));
  const out = join(root, 'copies-out');
  const r = await runCli(['reconstruct', logs, '--out', out], root);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(report.accounting.ok, true, JSON.stringify(report.accounting));
  const copy = report.inputs.find((f) => f.file.endsWith('backup-access.log'));
  assert.ok(copy);
  assert.match(copy.copy_of ?? '', /\/access\.log$/);
  assert.equal(copy.parsed + copy.rejected, 0);
  assert.equal(copy.copy_lines, 3);
  assert.equal(copy.lines_total, 3);
  assert.equal(report.inputs.find((f) => f.file.endsWith('other.log'))?.copy_of, undefined);
  // Each line is counted once in the totals: 3 in access.log and 3 in other.log.
  assert.equal(report.totals.lines_total, 6);
  assert.equal(readFileSync(join(out, 'rejects.ndjson'), 'utf8').trim().split('\n').length, 2);
  assert.match(r.stdout + r.stderr, /copies 重复文件: 1 byte-identical/);
});
