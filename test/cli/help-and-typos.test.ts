// --version, -h, command suggestions and yargs' own messages in English and Chinese (issue 13).
// Run through bin/salvage.js from a folder outside the package, as a globally linked install would.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN } from '../support/spawn-cli';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: tmpdir(), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('--version prints the package version, from any folder', () => {
  const r = run(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('-h prints help like --help', () => {
  const r = run(['-h']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /reconstruct/);
  assert.match(r.stdout, /Show help \/ 显示帮助/);
});

test('a mistyped command gets a bilingual suggestion', () => {
  const r = run(['reconstuct', 'x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Did you mean reconstruct\? \/ 您是不是想输入 reconstruct？/);
});

test('an unknown option is reported in both languages', () => {
  const r = run(['reconstruct', '.', '--no-such-option']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown argument.*\/ 未知参数/);
});

test('option range errors are in both languages', () => {
  for (const [flag, value] of [['--workers', '0'], ['--sql-min-confidence', '2'], ['--review-below', '-1']]) {
    const r = run(['reconstruct', '.', '--out', join(tmpdir(), 'salvage-never-written'), flag, value]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${flag} must be .* / ${flag} 必须`));
  }
});
