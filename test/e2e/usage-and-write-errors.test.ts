// Problems found before any work are usage errors (exit 2, nothing written); problems writing
// the outputs are one clear line and exit 5, never a stack trace; anything unexpected is one
// line and a file holding the trace (exit 6).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PassThrough } from 'node:stream';
import { runCli } from '../support/run-cli';
import { spawnCli } from '../support/spawn-cli';
import { explainFailure } from '../../src/cli/main';

const SHOP = join(__dirname, '..', '..', '..', 'samples', 'shop');
const root = mkdtempSync(join(tmpdir(), 'salvage-usage-'));
const mounts: string[] = [];
after(() => {
  for (const m of mounts) try { execFileSync('umount', [m]); } catch { /* left to the system */ }
  rmSync(root, { recursive: true, force: true });
});
const logs = join(root, 'logs');
mkdirSync(logs);
writeFileSync(join(logs, 'access.log'), '10.0.0.2 - - [21/Nov/2026:14:03:12 +0800] "GET /bill/AAAABBBBCCCCDDDD HTTP/1.1" 200 512 "-" "curl/8" "203.0.113.7"\n');

const NO_TRACE = /\n\s+at .*:\d+:\d+/;

describe('usage errors are found before any work: exit 2, one message, --out not even created', () => {
  const cases: [string, string[], RegExp][] = [
    ['--es notaurl', ['--es', 'notaurl'], /--es notaurl is not a URL .*不是有效的网址/],
    ['--es with another scheme', ['--es', 'ftp://localhost:9200'], /must start with http:\/\/ or https:\/\//],
  ];
  for (const [name, extra, re] of cases) {
    test(name, async () => {
      const out = join(root, `out-${name.replace(/\W+/g, '-')}`);
      const r = await runCli(['reconstruct', logs, '--out', out, ...extra], root);
      assert.equal(r.code, 2);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, NO_TRACE);
      assert.equal(existsSync(out), false);
    });
  }

  test('inputs of which none exists: a missing path, an empty glob', async () => {
    for (const input of [join(root, 'nope'), join(root, 'nope-*.log')]) {
      const out = join(root, 'out-missing');
      const r = await runCli(['reconstruct', input, '--out', out], root);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /nothing to read: none of the inputs holds a file/);
      assert.equal(existsSync(out), false);
    }
  });

  test('an --out that is a file', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'precious');
    const r = await runCli(['reconstruct', logs, '--out', file], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--out .* is a file, not a folder/);
    assert.equal(readFileSync(file, 'utf8'), 'precious');
  });
});

/** A folder on a tiny tmpfs when this process may mount one; otherwise null. */
function tinyDisk(): string | null {
  const dir = join(root, 'tiny');
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
    return dir;
  } catch {
    return null;
  }
}

test('a full disk under --out: one bilingual line, exit 5, no stack trace, previous outputs and inputs untouched', { timeout: 60_000 }, async () => {
  const disk = tinyDisk();
  const out = join(disk ?? root, 'out');
  // The previous outputs (small) fit; the new run's (the sample shop) do not.
  const first = await runCli(['reconstruct', logs, '--out', out], root);
  assert.equal(first.code, 0, first.stderr);
  const before = readFileSync(join(out, 'report.json'), 'utf8');
  const env = disk ? {} : { NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'enospc-preload.js')}`, SALVAGE_TEST_ENOSPC_UNDER: out + '/.salvage-run-' };
  const run = spawnCli(['reconstruct', join(SHOP, 'logs'), '--out', out, '-q'], root, { env });
  const end = await run.exit;
  assert.equal(end.code, 5, run.stderr());
  assert.match(run.stderr(), /cannot write .*: the disk is full \(ENOSPC\) \/ 无法写入输出：磁盘已满/);
  assert.doesNotMatch(run.stderr(), NO_TRACE);
  assert.equal(readFileSync(join(out, 'report.json'), 'utf8'), before);
  assert.equal(existsSync(join(out, '.salvage-lock')), false);
});

test('an unexpected error: one line with the cause and where the full trace is (exit 6)', () => {
  const err = new PassThrough();
  let text = '';
  err.on('data', (c: Buffer) => { text += c.toString(); });
  const code = explainFailure(new TypeError('cannot read properties of undefined'), { stderr: err });
  assert.equal(code, 6);
  const m = /^salvage: internal error: cannot read properties of undefined \(full trace in (\S+) /.exec(text);
  assert.ok(m, text);
  assert.equal(text.trim().split('\n').length, 1);
  assert.match(readFileSync(m[1]!, 'utf8'), /TypeError: cannot read properties of undefined\n\s+at /);
  rmSync(m[1]!);
});
