import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { REVIEW_COLUMNS, reviewPriority, reviewRow, reviewTask } from '../../src/sinks/review';
import { csvCell, reasonsCell } from '../../src/sinks/csv';
import { reasonZh } from '../../src/sinks/reasons-zh';
import { scoreRecord } from '../../src/score/score';
import type { Transaction } from '../../src/model/types';

function rec(over: Partial<Transaction>): Transaction {
  return {
    order_id: 'A1', status: 'paid', amount: 9.9, currency: 'CNY', channel: 'epay', created_at: '2026-11-21T10:00:00+08:00', paid_at: '2026-11-21T10:01:00+08:00',
    buyer_email: 'b@example.com', goods_id: '3', trade_no: 'T1', confidence: 0.99, reasons: [], flags: [], conflicts: [], provenance: {}, evidence: [], ...over,
  };
}

/** A review row parsed back into its columns (cells here hold no newlines). */
function cells(row: string): Record<string, string> {
  const out: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(row)) !== null && out.length < REVIEW_COLUMNS.length) {
    out.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!);
  }
  return Object.fromEntries(REVIEW_COLUMNS.map((c, i) => [c, out[i] ?? '']));
}

test('only what a person must act on is a task, and the priority says how urgent', () => {
  assert.equal(reviewTask(rec({}), 0.9), null, 'a confident clean paid record');
  assert.deepEqual(reviewTask(rec({ flags: ['bad_signature'] }), 0.9), { task: 'forged_callback', priority: 'high' });
  assert.deepEqual(reviewTask(rec({ flags: ['replayed_notify'] }), 0.9), { task: 'forged_callback', priority: 'high' });
  assert.deepEqual(reviewTask(rec({ status: 'pending', flags: ['amount_mismatch', 'expired'] }), 0.9), { task: 'forged_callback', priority: 'high' }, 'a tampered callback on an expired order stays');
  assert.deepEqual(reviewTask(rec({ flags: ['paid_not_delivered'] }), 0.9), { task: 'paid_not_delivered', priority: 'high' });
  assert.deepEqual(reviewTask(rec({ status: 'delivered', flags: ['delivered_without_payment_evidence'] }), 0.9), { task: 'delivered_unpaid', priority: 'high' });
  assert.deepEqual(reviewTask(rec({ flags: ['statement_only'] }), 0.9), { task: 'statement_mismatch', priority: 'high' });
  assert.deepEqual(reviewTask(rec({ flags: ['not_in_statement'] }), 0.9), { task: 'statement_mismatch', priority: 'high' });
  assert.deepEqual(reviewTask(rec({ conflicts: [{ field: 'amount', values: [] }] }), 0.9), { task: 'conflict', priority: 'high' }, 'a disagreement about money');
  assert.deepEqual(reviewTask(rec({ conflicts: [{ field: 'buyer_email', values: [] }] }), 0.9), { task: 'conflict', priority: 'medium' });
  assert.deepEqual(reviewTask(rec({ confidence: 0.6 }), 0.9), { task: 'payment_unproven', priority: 'medium' }, 'a doubtful payment claim');
  const callback = { source: 'nginx', file: 'a.log', line: 3, offset: 0, rule: 'callbacks.nginx.post-unlogged', kind: 'callback_seen' as const, ts: null };
  assert.deepEqual(reviewTask(rec({ status: 'pending', confidence: 0.6, paid_at: null, evidence: [callback] }), 0.9), { task: 'payment_unproven', priority: 'medium' }, 'a callback reached the shop, nothing shows it paid');
  assert.equal(reviewTask(rec({ status: 'pending', confidence: 0.6, paid_at: null }), 0.9), null, 'a checkout abandoned at the gateway page');
  assert.equal(reviewTask(rec({ buyer_email: null }), 0.9), null, 'a missing contact alone asks nothing');
  assert.deepEqual(reviewTask(rec({ trade_no: null }), 0.9), { task: 'missing_fields', priority: 'low' });
  assert.deepEqual(reviewTask(rec({ amount: null }), 0.9), { task: 'missing_fields', priority: 'low' });
  assert.equal(reviewTask(rec({ status: 'created', confidence: 0.6, paid_at: null }), 0.9), null, 'no money moved');
  assert.equal(reviewTask(rec({ status: 'pending', confidence: 0.5, paid_at: null, flags: ['expired'] }), 0.9), null, 'expired by the shop is not a task');
  assert.equal(reviewTask(rec({ flags: ['in_baseline'] }), 0.9), null);
  assert.equal(reviewPriority(rec({ flags: ['bad_signature'] }), 0.9), 'high');
});

test('a row says what to ask, whom, why and which lines to bring, in English and Chinese', () => {
  const t = rec({
    flags: ['paid_not_delivered'], trade_no: null,
    reasons: ['-1.5 prior for a claimed payment', '+5.0 gateway callback with a verified signature', 'created_at estimated from the first sighting of the order'],
    evidence: [
      { source: 'laravel', file: 'app.log', line: 7, offset: 0, rule: 'x.created', kind: 'order_created', ts: null },
      { source: 'laravel', file: 'app.log', line: 9, offset: 0, rule: 'epay.app.notify', kind: 'payment_notified', ts: null },
    ],
  });
  const c = cells(reviewRow(t, 0.9));
  assert.equal(c.priority, 'high');
  assert.equal(c.task, 'paid_not_delivered');
  assert.equal(c.whom, 'buyer');
  assert.match(c.contact!, /b@example\.com/);
  assert.match(c.ask!, /card arrived/);
  assert.match(c.ask_zh!, /卡密/);
  assert.match(c.why!, /paid_not_delivered/);
  assert.match(c.why_zh!, /已付款未发卡/);
  assert.equal(c.missing, 'gateway trade no');
  assert.equal(c.missing_zh, '支付平台交易号');
  assert.equal(c.evidence, 'app.log:9 app.log:7', 'the payment line first');
  assert.equal(c.reasons, 'prior for a claimed payment (-1.5) | gateway callback with a verified signature (+5.0) | created_at estimated from the first sighting of the order');
  assert.equal(c.reasons_zh, '声称已付款的先验 (-1.5) | 支付回调签名验证通过 (+5.0) | created_at 按订单首次出现的时间估计');
  for (const v of Object.values(c)) assert.ok(!v.startsWith("'"), `cell starts with ': ${v}`);
});

test('whom to ask: the gateway by trade number when there is one, else by order number', () => {
  assert.match(cells(reviewRow(rec({ flags: ['bad_signature'] }), 0.9)).contact!, /epay merchant console, trade no 交易号 T1/);
  assert.match(cells(reviewRow(rec({ flags: ['bad_signature'], trade_no: null }), 0.9)).contact!, /epay bill, search order 搜索订单号 A1/);
});

test('every reason the scorer writes has a Chinese reading', () => {
  const flags = fc.record({
    status: fc.constantFrom('created', 'pending', 'paid', 'delivered', 'refunded'), verifiedNotify: fc.boolean(), unverifiableNotify: fc.boolean(), notifyCopies: fc.integer({ min: 0, max: 5 }),
    confirmedLine: fc.boolean(), inferredPaidLine: fc.boolean(), statementLine: fc.boolean(), observedPaid: fc.boolean(), deliveredLine: fc.boolean(), inferredDeliveredLine: fc.boolean(),
    refundLine: fc.boolean(), independentFormats: fc.integer({ min: 0, max: 3 }), orderCreatedLine: fc.boolean(), browserTrail: fc.boolean(), amountKnown: fc.boolean(),
    amountConflict: fc.boolean(), badSignature: fc.boolean(), fuzzyJoin: fc.boolean(), clockDoubt: fc.boolean(),
  });
  fc.assert(fc.property(flags, (f) => {
    for (const r of scoreRecord(f as Parameters<typeof scoreRecord>[0]).reasons) {
      const zh = reasonZh(r);
      assert.notEqual(zh, r, r);
      assert.match(zh, /[\u4e00-\u9fff]/, r);
    }
  }), { numRuns: 300 });
});

test('CSV cells: text salvage writes never gets a leading apostrophe; only formula-like values from the logs are neutralised', () => {
  assert.equal(csvCell('prior for a claimed payment (-1.5)'), 'prior for a claimed payment (-1.5)');
  assert.equal(csvCell('-1.5'), '-1.5');
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvCell('+86 138'), "'+86 138");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.ok(!reasonsCell(['-1.5 prior', '+5.0 callback']).match(/^[=+\-@]/));
  fc.assert(fc.property(fc.array(fc.tuple(fc.double({ min: -9, max: 9, noNaN: true }), fc.string({ minLength: 1 }).filter((s) => !/^[=+\-@\t\r]/.test(s)))), (terms) => {
    const text = reasonsCell(terms.map(([w, s]) => `${w >= 0 ? '+' : ''}${w.toFixed(1)} ${s}`));
    // nothing added: the cell is the text itself, quoted only where CSV needs it
    const cell = csvCell(text);
    return (cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell) === text;
  }));
});
