// `salvage report <out>` and the report.html step of `reconstruct`, through the CLI: written
// owner-only with the run's outputs, rebuilt on demand, opening in the language asked for.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/run-cli';

const SHOP = join(__dirname, '..', '..', '..', 'samples', 'shop');
const root = mkdtempSync(join(tmpdir(), 'salvage-report-cmd-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('reconstruct writes report.html (0600, Chinese under a Chinese locale); salvage report rebuilds it; a folder without a run is a usage error', { timeout: 60_000 }, async () => {
  const out = join(root, 'out');
  const run = await runCli(['reconstruct', join(SHOP, 'logs'), '--keys', join(SHOP, 'keys.json'), '--out', out, '--workers', '1'], root, { LANG: 'zh_CN.UTF-8' });
  assert.equal(run.code, 1, run.stderr);
  const page = join(out, 'report.html');
  assert.equal((statSync(page).mode & 0o777).toString(8), '600');
  const first = readFileSync(page, 'utf8');
  assert.match(first, /<html class="lang-zh"/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { records: { total: number } };
  assert.match(first, new RegExp(`id="card-records"><div class="v">${report.records.total}<`));
  assert.doesNotMatch(first, /[A-Za-z0-9._%+-]{2,}@(qq|163|gmail|outlook)\.com/, 'no contact in full');

  unlinkSync(page);
  const again = await runCli(['report', out, '--lang', 'en'], root, { LANG: 'zh_CN.UTF-8' });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.trim(), page);
  const rebuilt = readFileSync(page, 'utf8');
  assert.match(rebuilt, /<html class="lang-en"/);
  // Same run, same page: only the language it opens in differs.
  assert.equal(rebuilt.replace(/lang-en" lang="en"/, ''), first.replace(/lang-zh" lang="zh-CN"/, ''));
  assert.deepEqual(existsSync(join(out, '.salvage-lock')), false, 'the lock is let go');

  const empty = await runCli(['report', root], root);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /holds no report\.json.*没有 report\.json/);
});
