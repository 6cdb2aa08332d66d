// The bundled sample shop (samples/shop, made by `salvage simulate`, see samples/README.md):
// what `npm start` runs. Checked against the sample's own ground truth.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/run-cli';
import { packageRoot } from '../../src/util/package-root';
import type { Transaction } from '../../src/model/types';
import type { RunReport } from '../../src/sinks/report';

const repo = packageRoot();
const tmp = mkdtempSync(join(tmpdir(), 'salvage-samples-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Truth {
  order_id: string;
  paid: boolean;
  recoverable: boolean;
  amount: number;
  paid_at: string | null;
  status: string;
}

const readLines = <T>(p: string): T[] => readFileSync(p, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as T);

describe('samples/shop, as npm start runs it', () => {
  let code = -1;
  let txs: Transaction[] = [];
  let report: RunReport;
  before(async () => {
    const r = await runCli(['reconstruct', 'samples/shop/logs', '--keys', 'samples/shop/keys.json', '--out', join(tmp, 'a')], repo);
    code = r.code;
    txs = readLines<Transaction>(join(tmp, 'a', 'transactions.ndjson'));
    report = JSON.parse(readFileSync(join(tmp, 'a', 'report.json'), 'utf8')) as RunReport;
  });

  test('finishes with exit 1: the sample has damaged input on purpose, and the accounts add up', () => {
    assert.equal(code, 1);
    assert.equal(report.accounting.ok, true, report.accounting.problems.join('\n'));
    assert.ok(report.inputs.some((f) => f.compressed), 'a rotated .gz file is read');
    assert.ok(report.inputs.some((f) => f.errors.some((e) => /gzip stream damaged/.test(e))));
    assert.ok(report.totals.rejected > 0, 'damaged lines are rejected, not dropped');
  });

  test('the report says how much memory the run took, against the budget', () => {
    const m = report.run.memory!;
    assert.ok(m, 'report.json → run.memory');
    assert.equal(m.budget_mb, 256);
    // The CLI runs in this test's process (runCli): its peak is at least the heap it holds now.
    assert.ok(m.peak_rss_mb >= 20 && m.peak_rss_mb < 4096, `peak ${m.peak_rss_mb} MB`);
    assert.equal(m.within_budget, m.peak_rss_mb <= m.budget_mb);
  });

  test('every paid order whose payment line survived is recovered, with the right amount and paid time', () => {
    const truth = readLines<Truth>(join(repo, 'samples/shop/truth/recoverable.ndjson'));
    const byId = new Map(txs.map((t) => [t.order_id, t]));
    const due = truth.filter((t) => t.paid && t.recoverable);
    assert.ok(due.length > 50, `the sample has ${due.length} recoverable paid orders`);
    const problems: string[] = [];
    for (const t of due) {
      const r = byId.get(t.order_id);
      if (!r) { problems.push(`${t.order_id}: no record`); continue; }
      if (!['paid', 'delivered', 'refunded'].includes(r.status)) problems.push(`${t.order_id}: status ${r.status}`);
      if (r.amount === null || Math.round(r.amount * 100) !== Math.round(t.amount * 100)) problems.push(`${t.order_id}: amount ${r.amount} ≠ ${t.amount}`);
      if (!r.paid_at || Math.abs(Date.parse(r.paid_at) - Date.parse(t.paid_at!)) > 1000) problems.push(`${t.order_id}: paid_at ${r.paid_at} ≠ ${t.paid_at}`);
    }
    assert.deepEqual(problems, []);
  });

  test('no unpaid order is claimed as paid', () => {
    const truth = new Map(readLines<Truth>(join(repo, 'samples/shop/truth/recoverable.ndjson')).map((t) => [t.order_id, t]));
    const wrong = txs.filter((r) => ['paid', 'delivered', 'refunded'].includes(r.status) && !truth.get(r.order_id)?.paid);
    assert.deepEqual(wrong.map((r) => r.order_id), []);
  });

  test('the result does not depend on file order or worker count', async () => {
    const files = report.inputs.map((f) => f.file).reverse();
    const r = await runCli(['reconstruct', ...files, '--keys', 'samples/shop/keys.json', '--out', join(tmp, 'b'), '--workers', '1'], repo);
    assert.equal(r.code, 1);
    assert.equal(readFileSync(join(tmp, 'b', 'transactions.ndjson'), 'utf8'), readFileSync(join(tmp, 'a', 'transactions.ndjson'), 'utf8'));
  });
});
