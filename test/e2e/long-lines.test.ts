// Lines of many megabytes with a raised --max-line-bytes (issue 10): a 50 MB line used to end
// the file's reading with "Maximum call stack size exceeded" (a regex backtracking per
// character), losing the rest of the file and breaking the accounting. Every kind of long line
// here must be read, and the lines after it too.

import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { spawnCli } from '../support/spawn-cli';
import type { RunReport } from '../../src/sinks/report';

const SHOP = join(__dirname, '..', '..', '..', 'samples', 'shop', 'logs');
const root = mkdtempSync(join(tmpdir(), 'salvage-longlines-'));
after(() => rmSync(root, { recursive: true, force: true }));
const MB = 1 << 20;

function linesOf(path: string, from: number, to: number): string {
  return readFileSync(path, 'utf8').split('\n').slice(from, to).join('\n') + '\n';
}

/** Writes `head`, then each long line built in pieces of `piece` repeated, then `tail`. */
function writeFile(path: string, head: string, long: { open: string; piece: string; times: number; close: string }[], tail: string): number {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    for (const l of long) {
      writeSync(fd, l.open);
      const block = Buffer.from(l.piece.repeat(Math.max(1, Math.floor(MB / l.piece.length))));
      const per = Math.floor(MB / l.piece.length);
      for (let done = 0; done < l.times; done += per) writeSync(fd, done + per <= l.times ? block : Buffer.from(l.piece.repeat(l.times - done)));
      writeSync(fd, l.close + '\n');
    }
    writeSync(fd, tail);
  } finally {
    closeSync(fd);
  }
  return (head.match(/\n/g)?.length ?? 0) + long.length + (tail.match(/\n/g)?.length ?? 0);
}

test('lines of 8 to 50 MB, nginx and application logs, are read with the rest of their file, and the accounting adds up', { timeout: 120_000 }, async () => {
  const inDir = join(root, 'in');
  mkdirSync(inDir);
  const nginxLog = join(SHOP, 'nginx', 'web2', 'shop.example.log');
  const nginxTail = linesOf(nginxLog, 20, 40);
  const nginxLines = writeFile(join(inDir, 'shop.example.log'), linesOf(nginxLog, 0, 20), [
    // A request of 50 MB inside its quotes: the combined regex ran out of stack on it.
    { open: '10.0.0.2 - - [21/Nov/2026:23:50:40 +0800] "GET /check-order-status/K?', piece: 'k=v&', times: 50 * MB / 4, close: ' HTTP/1.1" 200 32 "-" "curl/8" "1.2.3.4"' },
    { open: '10.0.0.2 - - [21/Nov/2026:23:50:40 +0800] "GET / HTTP/1.1" 200 32 "-" "', piece: 'x', times: 8 * MB, close: '" "1.2.3.4"' },
  ], nginxTail);
  const laravelLog = join(SHOP, 'app', 'laravel-2026-11-22.log');
  const laravelTail = linesOf(laravelLog, 20, 60);
  const laravelLines = writeFile(join(inDir, 'laravel-2026-11-22.log'), linesOf(laravelLog, 0, 20), [
    // A context of 40 MB of small objects, a line of 32 MB of one character, deep nesting.
    { open: '[2026-11-22 00:02:09] local.INFO: 易支付回调 {"pid":"8521","items":[', piece: '{"order_sn":"K1","v":"xxxxxxxxxxxxxxxxxxxxxxxx"},', times: 40 * MB / 48, close: '{}]} ' },
    { open: '', piece: '7', times: 32 * MB, close: '' },
    { open: '[2026-11-22 00:02:10] local.INFO: 易支付回调 {"a":', piece: '[', times: 8 * MB, close: '' },
  ], laravelTail);

  const out = join(root, 'out');
  const run = spawnCli(['reconstruct', inDir, '--out', out, '--workers', '1', '--max-line-bytes', '100000000', '-q'], root);
  const end = await run.exit;
  assert.ok(end.code === 0 || end.code === 1, `exit ${end.code}: ${run.stderr()}`);
  assert.doesNotMatch(run.stderr(), /call stack|heap/i);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(report.accounting.ok, true, report.accounting.problems.join('\n'));
  const byName = new Map(report.inputs.map((f) => [f.file.split('/').pop()!, f]));
  const n = byName.get('shop.example.log')!;
  const l = byName.get('laravel-2026-11-22.log')!;
  assert.equal(n.lines_total, nginxLines);
  assert.equal(l.lines_total, laravelLines);
  for (const f of [n, l]) {
    assert.deepEqual(f.errors.filter((e) => /stack|read error/i.test(e)), [], f.file);
    assert.equal(f.rejected, 0, `${f.file}: nothing rejected`);
  }
  // The lines after the long ones were read: each file's latest time is that of its last line.
  const lastNginx = [...nginxTail.matchAll(/\[(\d\d)\/Nov\/2026:(\d\d:\d\d:\d\d) \+0800\]/g)].pop()!;
  assert.equal(n.last_ts, `2026-11-${lastNginx[1]}T${lastNginx[2]}+08:00`);
  const lastLaravel = [...laravelTail.matchAll(/^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\]/gm)].pop()!;
  assert.equal(l.last_ts, `${lastLaravel[1]}T${lastLaravel[2]}+08:00`);
});

test('--max-line-bytes above 256 MiB is a usage error, in both languages', async () => {
  const run = spawnCli(['reconstruct', SHOP, '--out', join(root, 'never'), '--max-line-bytes', String(256 * MB + 1)], root);
  const end = await run.exit;
  assert.equal(end.code, 2);
  assert.match(run.stderr(), /--max-line-bytes must be a whole number of bytes from 1024 to 268435456 \(256 MiB\).* \/ --max-line-bytes 须为/);
});
