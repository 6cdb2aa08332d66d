// The inputs may be the only copy of the evidence: an --out that overlaps them is refused before
// any work, and a folder salvage wrote (it holds the marker) is never read back as evidence.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/run-cli';
import type { RunReport } from '../../src/sinks/report';

const root = mkdtempSync(join(tmpdir(), 'salvage-protect-'));
after(() => rmSync(root, { recursive: true, force: true }));

const ACCESS = '10.0.0.2 - - [21/Nov/2026:14:03:12 +0800] "GET /bill/AAAABBBBCCCCDDDD HTTP/1.1" 200 512 "-" "curl/8" "203.0.113.7"\n';

function evidenceFolder(name: string): string {
  const dir = join(root, name, 'logs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'access.log'), ACCESS);
  return dir;
}

function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('--out overlapping an input is refused with exit 2, before anything is written', () => {
  test('--out inside the input folder', async () => {
    const logs = evidenceFolder('inside');
    const before = snapshot(logs);
    const r = await runCli(['reconstruct', logs, '--out', join(logs, 'out')], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--out .* is inside the input folder .*输出目录位于输入目录之内/);
    assert.deepEqual(snapshot(logs), before, 'nothing written into the evidence');
  });

  test('--out equal to the input folder, also through a symlink', async () => {
    const logs = evidenceFolder('same');
    const link = join(root, 'same', 'link');
    symlinkSync(logs, link);
    const before = snapshot(logs);
    for (const out of [logs, link]) {
      const r = await runCli(['reconstruct', logs, '--out', out], root);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--out is the input .* itself/);
    }
    assert.deepEqual(snapshot(logs), before);
  });

  test('an input inside --out (--out is the parent of the evidence)', async () => {
    const logs = evidenceFolder('parent');
    const r = await runCli(['reconstruct', logs, '--out', join(root, 'parent')], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the input .* is inside --out/);
    assert.equal(existsSync(join(root, 'parent', '.salvage-output')), false);
  });
});

test('a folder holding the salvage marker is skipped as input, and the report says so', async () => {
  const logs = evidenceFolder('marked');
  // An earlier run's outputs were written among the logs (by hand, or by an older salvage).
  const first = await runCli(['reconstruct', logs, '--out', join(root, 'marked-out')], root);
  assert.equal(first.code, 0, first.stderr);
  const old = join(logs, 'old-run');
  mkdirSync(old);
  for (const n of readdirSync(join(root, 'marked-out'))) writeFileSync(join(old, n), readFileSync(join(root, 'marked-out', n)));
  writeFileSync(join(old, 'review.csv'), 'priority,order,email\nhigh,AAAABBBBCCCCDDDD,buyer@example.com\n');

  const out = join(root, 'marked-out-2');
  const r = await runCli(['reconstruct', logs, '--out', out], root);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /note: skipped .*old-run: a salvage output folder/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.deepEqual(report.inputs.map((f) => f.file.split('/').pop()), ['access.log']);
  assert.equal(report.input_skipped?.[0]?.path, old);
  assert.doesNotMatch(readFileSync(join(out, 'rejects.ndjson'), 'utf8'), /buyer@example\.com/);
});
