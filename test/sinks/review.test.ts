import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reviewPriority, reviewRow } from '../../src/sinks/review';
import type { Transaction } from '../../src/model/types';

function rec(over: Partial<Transaction>): Transaction {
  return {
    order_id: 'A1', status: 'paid', amount: 9.9, currency: 'CNY', channel: 'epay', created_at: '2026-11-21T10:00:00+08:00', paid_at: '2026-11-21T10:01:00+08:00',
    buyer_email: 'b@example.com', goods_id: '3', trade_no: 'T1', confidence: 0.99, reasons: [], flags: [], conflicts: [], provenance: {}, evidence: [], ...over,
  };
}

test('review priority: money at stake first, informational flags alone ask nothing', () => {
  assert.equal(reviewPriority(rec({}), 0.9), null, 'a confident clean paid record');
  assert.equal(reviewPriority(rec({ confidence: 0.6 }), 0.9), 'high', 'a doubtful payment claim');
  assert.equal(reviewPriority(rec({ flags: ['bad_signature'] }), 0.9), 'high');
  assert.equal(reviewPriority(rec({ conflicts: [{ field: 'amount', values: [] }] }), 0.9), 'high');
  assert.equal(reviewPriority(rec({ status: 'pending', confidence: 0.6, paid_at: null }), 0.9), 'medium', 'payment started, never shown: maybe a lost payment');
  assert.equal(reviewPriority(rec({ status: 'created', confidence: 0.6, paid_at: null }), 0.9), 'low');
  assert.equal(reviewPriority(rec({ status: 'created', confidence: 0.95, flags: ['expired'] }), 0.9), null, 'an expired order is not a task');
  assert.equal(reviewPriority(rec({ status: 'pending', confidence: 0.5, paid_at: null, flags: ['expired'] }), 0.9), null, 'expired by the shop, even below the threshold, is not a task');
  assert.equal(reviewPriority(rec({ status: 'pending', confidence: 0.5, paid_at: null, flags: ['expired', 'bad_signature'] }), 0.9), 'high', 'a forged callback on an expired order stays');
  assert.equal(reviewPriority(rec({ flags: ['in_baseline'] }), 0.9), null);
});

test('review row says why, what is missing and whom to contact', () => {
  const row = reviewRow(rec({ confidence: 0.6, buyer_email: null, trade_no: null }), 0.9);
  assert.match(row, /^high,A1,paid,0\.6,9\.90,/);
  assert.match(row, /confidence 0\.6 < 0\.9/);
  assert.match(row, /buyer contact, gateway trade no/);
  assert.match(row, /search the epay bill for order A1/);
});
