// Every command's --help ends with examples, its exit codes and the environment variables it
// reads, in English and Chinese; required lists show no `[default: []]` (issue 13).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENV_MEANINGS } from '../../src/cli/help';
import { packageRoot } from '../../src/util/package-root';
import { BIN } from '../support/spawn-cli';

const help = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args, '--help'], { cwd: tmpdir(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

const COMMANDS = [['reconstruct'], ['evaluate'], ['simulate'], ['inspect'], ['export'], ['rules'], ['rules', 'test'], ['rules', 'suggest'], []];

for (const cmd of COMMANDS) {
  test(`salvage ${cmd.join(' ') || '(top)'} --help: examples, exit codes and environment, in both languages`, () => {
    const out = help(cmd);
    assert.match(out, /Examples \/ 示例:\n {2}salvage /);
    assert.match(out, /Exit codes \/ 退出码:\n {2}0 +success\n +成功/);
    assert.match(out, /\n {2}2 +usage or configuration error/);
    assert.match(out, /Environment \/ 环境变量:\n {2}SALVAGE_MAX_HEAP_MB +heap budget/);
    assert.doesNotMatch(out, / \?\n/, 'an exit code or variable without a meaning');
    assert.match(out, /Options \/ 选项:/);
  });
}

test('the inputs of reconstruct and rules suggest are required, with no default shown', () => {
  assert.match(help(['reconstruct']), /inputs +log files[^[]*\[array\] \[required 必需\]\n/);
  assert.match(help(['rules', 'suggest']), /files +log files[^[]*\[array\] \[required 必需\]\n/);
});

test('reconstruct names the Elasticsearch credentials it reads, simulate its timing switch', () => {
  const r = help(['reconstruct']);
  for (const v of ['ELASTIC_API_KEY', 'ELASTIC_USERNAME', 'ELASTIC_PASSWORD', 'ELASTIC_CREDENTIALS_FILE']) assert.match(r, new RegExp(`\\n  ${v} `));
  assert.match(r, /\n {2}3 +files written, but Elasticsearch/);
  assert.match(help(['simulate']), /\n {2}SALVAGE_SIM_TIMING /);
  assert.match(help(['evaluate']), /\n {2}1 +below --min-recall or --min-precision/);
});

test('every environment variable the code reads is documented for --help', () => {
  const root = packageRoot();
  const files: string[] = [join(root, 'bin', 'salvage.js')];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  for (const d of ['src', 'rules', 'parsers']) walk(join(root, d));
  const read = new Set<string>();
  for (const f of files) {
    // code lines only: a comment may quote a log format's `env.LEVEL`
    const code = readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join('\n');
    for (const m of code.matchAll(/\b(?:process\.env|io\.env|env)\.([A-Z][A-Z0-9_]+)/g)) read.add(m[1]!);
  }
  assert.ok(read.has('SALVAGE_MAX_HEAP_MB') && read.has('ELASTIC_CREDENTIALS_FILE'), [...read].join(', '));
  // SALVAGE_TEST_* are test hooks, inert unless a test sets them: not for users, so not in the help.
  for (const v of read) if (!v.startsWith('SALVAGE_TEST_')) assert.ok(v in ENV_MEANINGS, `${v} is read but not in the help`);
});
