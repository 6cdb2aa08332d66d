// Every output of a run is a Sink whose close() says what it wrote, and report.json shows those
// numbers (src/reconstruct/write.ts). They must be what the file holds: checked here by reading
// each file back, on records and rejects drawn at random.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Reject, Transaction } from '../../src/model/types';
import { LineWriter } from '../../src/sinks/line-writer';
import { TransactionsCsv } from '../../src/sinks/csv';
import { ReviewWriter } from '../../src/sinks/review-writer';
import { reviewTask } from '../../src/sinks/review';
import { RejectSpool } from '../../src/sinks/reject-spool';
import { RestoreScriptWriter } from '../../src/sinks/sql/restore-writer';
import { ZoneClock } from '../../parsers/time';
import { withTempDir } from '../support/temp-dir';

const FLAGS = ['bad_signature', 'paid_not_delivered', 'not_in_statement', 'expired', 'gap_suspected', 'in_baseline'];
const STATUSES = ['created', 'pending', 'paid', 'delivered', 'refunded', 'failed', 'unknown'] as const;

const record = fc.record({
  n: fc.nat(99_999),
  status: fc.constantFrom(...STATUSES),
  confidence: fc.constantFrom(0.2, 0.55, 0.85, 0.95, 0.999),
  flags: fc.subarray(FLAGS),
  amount: fc.option(fc.integer({ min: 1, max: 99_999 }).map((c) => c / 100)),
  tradeNo: fc.boolean(),
}).map(({ n, status, confidence, flags, amount, tradeNo }): Transaction => ({
  order_id: `O${n}`, status, amount, currency: 'CNY', channel: 'epay', created_at: '2026-11-21T10:00:00+08:00',
  paid_at: status === 'paid' || status === 'delivered' ? '2026-11-21T10:01:00+08:00' : null,
  buyer_email: 'b@example.com', goods_id: '3', trade_no: tradeNo ? `T${n}` : null, confidence, reasons: ['r, with "quotes"'], flags,
  conflicts: [], provenance: {}, evidence: [{ source: 'nginx', file: 'a.log', line: 1, offset: 0, rule: 'x', kind: 'payment_notified', ts: null }],
}));

/** Lines of a file, the last newline not counting as an empty line. */
function lines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

test('transactions.csv and a plain line file count what they hold; the csv header is not a row', async () => {
  await fc.assert(fc.asyncProperty(fc.array(record, { maxLength: 40 }), async (records) => withTempDir('salvage-sinks-', async (dir) => {
    const csv = new TransactionsCsv(join(dir, 'transactions.csv'), 0o600);
    const nd = new LineWriter(join(dir, 'transactions.ndjson'), 0o600);
    for (const t of records) {
      await csv.write(t);
      await nd.write(JSON.stringify(t));
    }
    assert.deepEqual(await csv.close(), { rows: records.length });
    assert.deepEqual(await nd.close(), { lines: records.length });
    assert.equal(lines(join(dir, 'transactions.csv')).length, records.length + 1);
    assert.equal(lines(join(dir, 'transactions.ndjson')).length, records.length);
  })), { numRuns: 25 });
});

test('review.csv: the counts close() returns are the rows in the file, by priority and by task', async () => {
  await fc.assert(fc.asyncProperty(fc.array(record, { maxLength: 60 }), fc.constantFrom(0.5, 0.9), async (records, below) => withTempDir('salvage-sinks-', async (dir) => {
    const path = join(dir, 'review.csv');
    const review = new ReviewWriter(path, below);
    for (const t of records) await review.write(t);
    const stats = await review.close();
    const rows = lines(path).slice(1);
    const listed = records.map((t) => reviewTask(t, below)).filter((i) => i !== null);
    assert.equal(stats.rows, rows.length);
    assert.equal(stats.rows, listed.length);
    assert.equal(stats.below, below);
    for (const p of ['high', 'medium', 'low'] as const) {
      assert.equal(stats[p], rows.filter((r) => r.startsWith(p + ',')).length, p);
    }
    const byTask: Record<string, number> = {};
    for (const i of listed) byTask[i.task] = (byTask[i.task] ?? 0) + 1;
    assert.deepEqual(stats.by_task, byTask);
  })), { numRuns: 25 });
});

test('restore.sql: inserts and skipped add up to the records, and match the statements written', async () => {
  await fc.assert(fc.asyncProperty(fc.array(record, { maxLength: 40 }), async (records) => withTempDir('salvage-sinks-', async (dir) => {
    const path = join(dir, 'restore.sql');
    const sql = new RestoreScriptWriter(path, { platform: 'dujiaoka', zone: new ZoneClock('Asia/Shanghai'), prefix: '', minConfidence: 0.8, revealCardKeys: false, generatedAtMs: null, source: 'test' });
    for (const t of records) await sql.write(t);
    const s = await sql.close();
    const text = lines(path);
    assert.equal(s.inserts + s.skipped, records.length);
    assert.equal(s.inserts, text.filter((l) => l.startsWith('INSERT INTO ')).length);
    assert.equal(s.skipped, text.filter((l) => l.startsWith('-- skipped (')).length);
  })), { numRuns: 25 });
});

test('rejects.ndjson: the spool writes the file on close, in the order of the inputs, and says how many lines it holds', async () => {
  const reject = fc.record({ file: fc.constantFrom('a.log', 'b.log', 'c.log', 'stray.log'), line: fc.nat(1000) })
    .map(({ file, line }): Reject => ({ file, line, offset: 0, reason: 'unparsed', head: `line ${line}` }));
  await fc.assert(fc.asyncProperty(fc.array(fc.array(reject, { maxLength: 5 }), { maxLength: 20 }), async (batches) => withTempDir('salvage-sinks-', async (dir) => {
    const path = join(dir, 'rejects.ndjson');
    const spool = new RejectSpool(dir, ['c.log', 'a.log', 'b.log'], path);
    for (const b of batches) spool.write(b);
    spool.fileDone('a.log');
    const stats = await spool.close();
    const written = lines(path).map((l) => JSON.parse(l) as Reject);
    assert.equal(stats.lines, batches.flat().length);
    assert.equal(written.length, stats.lines);
    const order = ['c.log', 'a.log', 'b.log', 'stray.log'];
    const expected = order.flatMap((f) => batches.flat().filter((r) => r.file === f));
    assert.deepEqual(written, expected);
  })), { numRuns: 25 });
});
