// The mentions audit: noise lines that name orders the run recovered are counted per file and
// template, shown with a masked sample, and past the threshold make the run exit 1. The
// laravel.log below uses a wording no pack knows and carries no order keys and no lifecycle
// words, so only a custom rule could read it; its order numbers also appear in an nginx log the
// dujiaoka pack reads (/bill/{order_sn}), which is how the run comes to know them.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';
import type { RunReport } from '../../src/sinks/report';
import { laravelUnknown, nginxBills, orderNumbers } from './fixtures';

const root = mkdtempSync(join(tmpdir(), 'salvage-audit-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function run(name: string, files: Record<string, string>, workers = '2'): Promise<{ code: number; stdout: string; report: RunReport }> {
  const dir = join(root, name, 'logs');
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  const out = join(root, name, 'out');
  const r = await runCli(['reconstruct', dir, '--out', out, '--workers', workers], join(root, name));
  return { code: r.code, stdout: r.stdout + r.stderr, report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport };
}

function accountsHold(report: RunReport): void {
  assert.equal(report.accounting.ok, true, report.accounting.problems.join('\n'));
  for (const f of report.inputs) {
    assert.equal(f.lines_total, f.parsed + f.rejected, f.file);
    assert.equal(f.parsed, f.evidence_lines + f.noise, f.file);
    assert.equal((f as { noise_mentions?: unknown }).noise_mentions, undefined, 'the tally stays out of report.json');
  }
}

test('audit: 30 unread lines naming recovered orders are counted, templated, masked, and make exit 1', async () => {
  const orders = orderNumbers(30, 7);
  assert.equal(new Set(orders).size, 30);
  const { code, stdout, report } = await run('known', { 'access.log': nginxBills(orders), 'laravel.log': laravelUnknown(orders) });
  accountsHold(report);
  assert.equal(code, 1, stdout);
  assert.equal(report.records.total, 30);
  const lv = report.inputs.find((f) => f.file.endsWith('laravel.log'))!;
  assert.equal(lv.noise, 40);
  assert.equal(lv.evidence_lines, 0);
  assert.equal(report.mentions_audit.length, 1, JSON.stringify(report.mentions_audit));
  const a = report.mentions_audit[0]!;
  assert.match(a.file, /laravel\.log$/);
  assert.equal(a.noise_lines_mentioning_known_orders, 30);
  assert.equal(a.needs_attention, true);
  assert.equal(a.untracked_lines, 0);
  assert.deepEqual(a.templates.map((t) => [t.template, t.count]), [['处理中 ref=<*> node=<*>', 30]]);
  const s = a.templates[0]!.sample_line;
  assert.equal(s.line, 1);
  assert.equal(s.offset, 0);
  assert.ok(s.text.includes(orders[0]!), s.text);
  assert.ok(!s.text.includes('buyer.one@example.com') && !s.text.includes('SECRETKEY-777-XYZ'), s.text);
  assert.match(stdout, /laravel\.log: 30 lines mention known orders but matched no rule; top templates: "处理中 ref=<\*> node=<\*>" ×30 \/ 30 行提及已知订单却未匹配任何规则/);
  assert.match(stdout, /salvage rules suggest \S*laravel\.log/);
  assert.match(stdout, /exit 1: finished, needs attention: lines naming recovered orders matched no rule/);
});

test('audit: the same wording naming orders the run does not know leaves no entry, and exit 0', async () => {
  const orders = orderNumbers(30, 7);
  const others = orderNumbers(30, 99);
  assert.ok(others.every((o) => !orders.includes(o)));
  const { code, stdout, report } = await run('unknown', { 'access.log': nginxBills(orders), 'laravel.log': laravelUnknown(others) }, '1');
  accountsHold(report);
  assert.deepEqual(report.mentions_audit, []);
  assert.equal(code, 0, stdout);
  assert.doesNotMatch(stdout, /rules suggest/);
});

test('audit: below the threshold (19 lines) the file is listed but the run still exits 0', async () => {
  const orders = orderNumbers(30, 7);
  const { code, stdout, report } = await run('few', { 'access.log': nginxBills(orders), 'laravel.log': laravelUnknown(orders.slice(0, 19)) });
  accountsHold(report);
  assert.equal(report.mentions_audit.length, 1);
  assert.equal(report.mentions_audit[0]!.noise_lines_mentioning_known_orders, 19);
  assert.equal(report.mentions_audit[0]!.needs_attention, false);
  assert.equal(code, 0, stdout);
});
