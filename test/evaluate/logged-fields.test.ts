// evaluate's `logged_fields`: accuracy over the recovered orders whose surviving logs carry a field
// (truth written by `simulate --vocabulary`), where a missing value counts against the recovery.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeReport } from '../../src/evaluate/metrics';
import { parseTruthLine } from '../../src/evaluate/read-truth';
import type { RecoveredRecord, TruthOrder } from '../../src/evaluate/types';

function truthOrder(o: Partial<TruthOrder> & { order_id: string }): TruthOrder {
  return { status: 'paid', paid: true, amount: 1, paid_at: null, buyer_email: 'a@qq.com', goods_id: '3', recoverable: true, ...o };
}

function record(o: Partial<RecoveredRecord> & { order_id: string }): RecoveredRecord {
  return { status: 'paid', confidence: 0.9, amount: 1, paid_at: null, buyer_email: null, goods_id: null, flags: [], forgery_signals: [], line: 1, ...o };
}

test('counts only orders whose logs carry the field, and a missing value as a miss', () => {
  const truth = new Map(
    [
      truthOrder({ order_id: 'A', logged: ['buyer_email', 'goods_id'] }),
      truthOrder({ order_id: 'B', logged: ['buyer_email', 'goods_id'] }),
      truthOrder({ order_id: 'C', logged: ['buyer_email'] }),
      truthOrder({ order_id: 'D', logged: [] }),
      truthOrder({ order_id: 'E', logged: ['buyer_email', 'goods_id'] }),
    ].map((t) => [t.order_id, t]),
  );
  const records = [
    record({ order_id: 'A', buyer_email: 'A@qq.com', goods_id: '3' }),
    record({ order_id: 'B', buyer_email: null, goods_id: '4' }),
    record({ order_id: 'C', buyer_email: 'a@qq.com', goods_id: null }),
    record({ order_id: 'D', buyer_email: null, goods_id: null }),
    record({ order_id: 'E', status: 'created' }),
  ];
  const r = computeReport(truth, records, null);
  assert.deepEqual(r.logged_fields, {
    buyer_email: { n: 3, correct: 2, wrong: 0, missing: 1, accuracy: 2 / 3 },
    goods_id: { n: 2, correct: 1, wrong: 1, missing: 0, accuracy: 1 / 2 },
  });
  // the older measure leaves missing values out
  assert.equal(r.fields.buyer_email.accuracy, 1);
});

test('truth without `logged` gives no logged_fields; a malformed `logged` is an input error', () => {
  const t = truthOrder({ order_id: 'A' });
  assert.equal(computeReport(new Map([['A', t]]), [record({ order_id: 'A' })], null).logged_fields, null);
  const line = (logged: unknown) => JSON.stringify({ order_id: 'A', status: 'paid', paid: true, recoverable: true, logged });
  const ok = parseTruthLine(line(['buyer_email']));
  assert.ok(ok.ok && ok.order.logged?.[0] === 'buyer_email');
  assert.equal(parseTruthLine(line('buyer_email')).ok, false);
  assert.equal(parseTruthLine(line([1])).ok, false);
});
