// What a bill row does to a record (status, field priority, paid_at, score) and the statement
// check (statement_only, not_in_statement): each with a case that trips it and one that does not.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTransaction } from '../../src/correlate/build-transaction';
import type { Evidence, Transaction } from '../../src/model/types';
import { scoreRecord } from '../../src/score/score';
import { StatementCheck } from '../../src/checks/statement';
import type { StatementSpan } from '../../src/sources/statements/read-statement';
import { evidenceFactory } from '../support/evidence';

const ev = evidenceFactory();

const created = (amount = 9.9) => ev('order_created', '2026-11-21T14:03:11+08:00', { order_id: 'A1', amount, goods_id: '3' }, { format: 'laravel' });
const viewed = () => ev('order_viewed', '2026-11-21T14:03:12+08:00', { order_id: 'A1' });
const notify = (amount = 9.9, ts = '2026-11-21T14:04:05+08:00', paidAt?: string) =>
  ev('payment_notified', ts, { order_id: 'A1', trade_no: 'CB-T1', amount, channel: 'alipay', gateway_success: 'yes', ...(paidAt ? { paid_at: paidAt } : {}) }, { signature: 'unverifiable' });
const shopConfirmed = (ts = '2026-11-21T14:04:06+08:00') => ev('payment_confirmed', ts, { order_id: 'A1' }, { format: 'laravel' });
const billRow = (amount = 9.9, at = '2026-11-21T14:04:01+08:00') =>
  ev('payment_confirmed', at, { order_id: 'A1', trade_no: 'BILL-T1', amount, channel: 'alipay', paid_at: at, buyer_account: 'b***@x.cn', statement: 'yes' },
    { format: 'statement-alipay', rule: 'statement.alipay.trade', weight: 1, source: { file: 'bill.csv', line: 6, lineEnd: 6, offset: 500 } });
const billRefund = (at = '2026-11-21T16:00:00+08:00') =>
  ev('refunded', at, { order_id: 'A1', trade_no: 'BILL-T1', refund_amount: 9.9, channel: 'alipay', statement: 'yes' }, { format: 'statement-alipay', rule: 'statement.alipay.refund', weight: 1 });

test('a bill row alone makes the order paid, with the bill time as paid_at and a high score', () => {
  const t = buildTransaction('A1', [billRow()], scoreRecord);
  assert.equal(t.status, 'paid');
  assert.equal(t.amount, 9.9);
  assert.equal(t.trade_no, 'BILL-T1');
  assert.equal(t.channel, 'alipay');
  assert.equal(t.paid_at, '2026-11-21T14:04:01+08:00');
  assert.ok(t.reasons.some((r) => r.startsWith("+6.0 the gateway's own bill")), t.reasons.join('\n'));
  assert.ok(t.confidence > 0.98, String(t.confidence));
});

test('without a bill row nothing changes: pending stays pending, no bill term', () => {
  const t = buildTransaction('A1', [created(), viewed()], scoreRecord);
  assert.equal(t.status, 'created');
  assert.ok(!t.reasons.some((r) => r.includes('bill')));
});

test("the bill's amount and trade number take priority over callbacks; a disagreeing callback is flagged", () => {
  const t = buildTransaction('A1', [created(9.9), notify(9.9), billRow(9.9)], scoreRecord);
  assert.equal(t.trade_no, 'BILL-T1', 'bill trade no beats the callback');
  const u = buildTransaction('A1', [notify(5), billRow(9.9)], scoreRecord);
  assert.equal(u.amount, 9.9, 'bill amount beats the callback');
  assert.ok(u.flags.includes('amount_mismatch'));
  assert.equal(u.status, 'paid', 'the bill says it was paid');
});

test("paid_at: the shop's own confirmation first, then the bill, then a callback's gateway time", () => {
  assert.equal(buildTransaction('A1', [created(), notify(), shopConfirmed(), billRow()], scoreRecord).paid_at, '2026-11-21T14:04:06+08:00');
  assert.equal(buildTransaction('A1', [created(), notify(9.9, '2026-11-21T14:04:05+08:00', '2026-11-21T14:04:03+08:00'), billRow()], scoreRecord).paid_at, '2026-11-21T14:04:01+08:00');
  assert.equal(buildTransaction('A1', [created(), notify(9.9, '2026-11-21T14:04:05+08:00', '2026-11-21T14:04:03+08:00')], scoreRecord).paid_at, '2026-11-21T14:04:03+08:00');
});

test('a refund row in the bill makes the order refunded, even without its payment row', () => {
  assert.equal(buildTransaction('A1', [created(), billRow(), billRefund()], scoreRecord).status, 'refunded');
  assert.equal(buildTransaction('A1', [created(), billRefund()], scoreRecord).status, 'refunded');
});

test('score: the statement term is +6.0 on payment claims only', () => {
  const base = {
    status: 'paid' as const, verifiedNotify: false, unverifiableNotify: false, badSignature: false, notifyCopies: 0, confirmedLine: false, observedPaid: false,
    deliveredLine: false, refundLine: false, orderCreatedLine: false, browserTrail: false, independentFormats: 1, amountConflict: false, fuzzyJoin: false,
    amountKnown: true, clockDoubt: false,
  };
  const without = scoreRecord(base);
  const withBill = scoreRecord({ ...base, statementLine: true });
  const logit = (p: number) => Math.log(p / (1 - p));
  assert.ok(Math.abs(logit(withBill.confidence) - logit(without.confidence) - 6.0) < 0.05);
  assert.ok(!scoreRecord({ ...base, status: 'created', statementLine: true }).reasons.some((r) => r.includes('bill')));
});

// ---- the statement check ---------------------------------------------------------------------

const SPAN: StatementSpan = {
  file: 'bill.csv', format: 'statement-alipay', channel: 'alipay',
  fromMs: Date.parse('2026-11-21T00:00:00+08:00'), toMs: Date.parse('2026-11-21T23:59:59+08:00'), payments: 1, refunds: 0, other: {},
};

function record(id: string, evidence: Evidence[]): [Transaction, Evidence[]] {
  const e = evidence.map((x) => ({ ...x, fields: { ...x.fields, order_id: id } }));
  return [buildTransaction(id, e, scoreRecord), e];
}

test('statement_only: trips when the bill is the only payment evidence, not when a callback also shows it', () => {
  const c = new StatementCheck([SPAN]);
  c.visit(...record('ONLYBILL', [billRow()]));
  c.visit(...record('TRAILBILL', [created(), viewed(), billRow()]));
  c.visit(...record('BOTH', [created(), notify(), billRow()]));
  const { report, flags } = c.finish();
  assert.deepEqual(flags.get('ONLYBILL'), ['statement_only']);
  assert.deepEqual(flags.get('TRAILBILL'), ['statement_only']);
  assert.equal(flags.get('BOTH'), undefined);
  assert.equal(report.orders_in_statement, 3);
  assert.deepEqual(report.statement_only, { count: 2, no_other_trace: 1, order_ids: ['ONLYBILL', 'TRAILBILL'] });
});

test('not_in_statement: trips for a paid record of the bill\'s gateway inside its period, not outside it, not for another gateway, not when listed', () => {
  const c = new StatementCheck([SPAN]);
  c.visit(...record('MISSING', [created(), notify()]));
  c.visit(...record('LATER', [created(), notify(9.9, '2026-11-22T10:00:00+08:00')]));
  const [epay, epayEv] = record('EPAY', [created(), notify()]);
  c.visit({ ...epay, channel: 'epay' }, epayEv);
  c.visit(...record('UNPAID', [created(), viewed()]));
  c.visit(...record('LISTED', [created(), notify(), billRow()]));
  const { report, flags } = c.finish((ms) => new Date(ms).toISOString());
  assert.deepEqual(flags.get('MISSING'), ['not_in_statement']);
  for (const id of ['LATER', 'EPAY', 'UNPAID', 'LISTED']) assert.equal(flags.get(id), undefined, id);
  assert.deepEqual(report.not_in_statement, { count: 1, order_ids: ['MISSING'] });
  assert.equal(report.files[0]!.from, '2026-11-20T16:00:00.000Z');
});
