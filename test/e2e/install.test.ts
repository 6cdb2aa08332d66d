// salvage installed for use from any folder (issue 13): the packed tarball, installed into a
// private prefix as `npm install -g` would, runs from another folder, finds its own rule packs
// and schemas beside itself, and reads inputs relative to the folder it is run in.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { packageRoot } from '../../src/util/package-root';

const root = packageRoot();
const tmp = mkdtempSync(join(tmpdir(), 'salvage-install-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** npm as a user runs it: none of the npm_* variables of an `npm test` around us. */
function npm(args: string[], cwd: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
}

test('npm pack → npm install -g --prefix → salvage --version and a reconstruct from another folder', (t) => {
  // dist/ is already built (the tests run from it): pack it as it is, without the build step.
  const packed = npm(['pack', '--ignore-scripts', '--pack-destination', tmp, '--json'], root);
  assert.equal(packed.status, 0, packed.stderr);
  const info = (JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[])[0]!;
  const paths = new Set(info.files.map((f) => f.path));
  for (const p of ['bin/salvage.js', 'dist/src/cli/main.js', 'dist/src/pipeline/worker.js', 'dist/src/simulate/heap-budget.js', 'rules/packs/dujiaoka.yaml', 'rules/schema/rule-pack.schema.json', 'rules/shape/vocabulary.yaml', 'package.json']) {
    assert.ok(paths.has(p), `${p} is not in the tarball`);
  }
  assert.ok(![...paths].some((p) => p.startsWith('dist/test/') || p.startsWith('samples/')), 'tests and samples stay out of the tarball');

  const prefix = join(tmp, 'prefix');
  const tgz = join(tmp, info.filename);
  const installed = npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tgz], tmp);
  let bin = join(prefix, 'bin', 'salvage');
  if (installed.status !== 0) {
    // No registry and no cache (an offline machine): lay the package out as `npm install -g`
    // does, with the dependencies of this checkout, so the rest is still checked.
    t.diagnostic(`npm install -g failed (${installed.stderr.trim().split('\n').slice(-1)[0]}); laid out by hand instead`);
    const lib = join(prefix, 'lib', 'node_modules');
    mkdirSync(lib, { recursive: true });
    assert.equal(spawnSync('tar', ['-xzf', tgz, '-C', lib]).status, 0);
    const pkg = join(lib, 'salvage');
    cpSync(join(lib, 'package'), pkg, { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
    mkdirSync(join(prefix, 'bin'), { recursive: true });
    bin = join(prefix, 'bin', 'salvage');
    symlinkSync(join(pkg, 'bin', 'salvage.js'), bin);
  }
  assert.ok(existsSync(bin), 'the salvage command is installed');

  // A folder that has nothing of salvage's: the inputs are relative to it.
  const work = join(tmp, 'work');
  cpSync(join(root, 'samples', 'shop'), join(work, 'samples', 'shop'), { recursive: true });
  const run = (args: string[]) => spawnSync(bin, args, { cwd: work, encoding: 'utf8', timeout: 120_000 });

  const version = run(['--version']);
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);

  const rec = run(['reconstruct', 'samples/shop/logs', '--keys', 'samples/shop/keys.json', '--out', 'out']);
  assert.equal(rec.status, 1, rec.stderr); // the sample is damaged on purpose
  assert.match(rec.stdout, /records 记录: 300 /);
  assert.match(rec.stdout, /review\.csv 待办清单/);
  assert.ok(existsSync(join(work, 'out', 'report.json')));
  assert.equal(statSync(join(work, 'out', 'review.csv')).mode & 0o777, 0o600);
  const report = JSON.parse(readFileSync(join(work, 'out', 'report.json'), 'utf8')) as { inputs: { file: string }[] };
  assert.ok(report.inputs.every((f) => f.file.startsWith('samples/shop/')), 'inputs are named relative to the folder it was run in');
});
