// The output folder's own guarantees, below the CLI: a commit killed half-way is finished by
// the next run (report.json is never left beside files of another run), leftovers are removed
// with a note, and a run's private folder is gone once it lets go.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OutputFolder, OutputWriteError } from '../../src/sinks/output-folder';
import { withTempDir } from '../support/temp-dir';

test('a run commits its staged files, report.json last, and leaves only them, the marker and nothing else', () =>
  withTempDir('salvage-of-', (root) => {
    const out = join(root, 'out');
    const { folder, notes } = OutputFolder.open(out);
    assert.deepEqual(notes, []);
    assert.equal(statSync(out).mode & 0o777, 0o700);
    for (const n of ['a.ndjson', 'report.json']) writeFileSync(folder.staged(n), n, { mode: 0o600 });
    folder.commit(['report.json', 'a.ndjson']);
    folder.release();
    folder.release();
    assert.deepEqual(readdirSync(out).sort(), ['.salvage-output', 'a.ndjson', 'report.json']);
  }));

test('a commit cut short (journal written, old report.json gone, some files moved) is finished by the next run', () =>
  withTempDir('salvage-of-', (root) => {
    const out = join(root, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'a.ndjson'), 'old a');
    writeFileSync(join(out, 'b.ndjson'), 'old b');
    // The killed run had staged new files and moved a.ndjson before it died.
    const staging = join(out, '.salvage-run-dead', 'staging');
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(out, 'a.ndjson'), 'new a');
    writeFileSync(join(staging, 'b.ndjson'), 'new b');
    writeFileSync(join(staging, 'report.json'), 'new report');
    writeFileSync(join(out, '.salvage-commit'), JSON.stringify({ from: staging, files: ['a.ndjson', 'b.ndjson', 'report.json'] }));
    const { folder, notes } = OutputFolder.open(out);
    folder.release();
    assert.match(notes.join('\n'), /finished writing the outputs of a run that was killed/);
    assert.match(notes.join('\n'), /removed 1 staging\/scratch folder\(s\) left by an interrupted run/);
    assert.equal(readFileSync(join(out, 'b.ndjson'), 'utf8'), 'new b');
    assert.equal(readFileSync(join(out, 'report.json'), 'utf8'), 'new report');
    assert.equal(existsSync(join(out, '.salvage-commit')), false);
    assert.equal(existsSync(join(out, '.salvage-run-dead')), false);
  }));

test('--out naming a file is refused as a write problem, not a stack trace', () =>
  withTempDir('salvage-of-', (root) => {
    const f = join(root, 'file');
    writeFileSync(f, 'x');
    assert.throws(() => OutputFolder.open(f), (e) => e instanceof OutputWriteError && /names a file/.test(e.message));
    rmSync(f);
  }));
