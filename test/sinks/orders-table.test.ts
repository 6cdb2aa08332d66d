// The row a record becomes, for any record: only a delivered order is completed, every NOT NULL
// column without a default has a value, and placeholders are the only values not from the record.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TRANSACTION_STATUSES, type Transaction } from '../../src/model/types';
import { orderRow } from '../../src/sinks/sql/orders-table';
import { ZoneClock } from '../../parsers/time';

const zone = new ZoneClock('Asia/Shanghai');
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const record: fc.Arbitrary<Transaction> = fc.record({
  order_id: fc.stringMatching(/^[A-Z0-9]{16,18}$/),
  status: fc.constantFrom(...TRANSACTION_STATUSES),
  amount: maybe(fc.integer({ min: 0, max: 1_000_000 }).map((f) => f / 100)),
  created_at: maybe(fc.constant('2026-11-21T10:00:00+08:00')),
  paid_at: maybe(fc.constant('2026-11-21T02:01:00Z')),
  buyer_email: maybe(fc.string()),
  goods_id: maybe(fc.oneof(fc.nat().map(String), fc.string())),
  trade_no: maybe(fc.string()),
  flags: fc.subarray(['expired', 'paid_not_delivered', 'bad_signature']),
}).map((r) => ({ currency: 'CNY', channel: null, confidence: 0.9, reasons: [], conflicts: [], provenance: {}, evidence: [], ...r }));

// NOT NULL without a default, from the vendored schemas (test/fixtures/schemas).
const REQUIRED = {
  dujiaoka: ['order_sn', 'goods_id', 'title', 'email', 'buy_ip'],
  'acg-faka': ['trade_no', 'amount', 'commodity_id', 'pay_id', 'create_time', 'create_ip', 'create_device'],
} as const;

for (const platform of ['dujiaoka', 'acg-faka'] as const) {
  test(`${platform}: completed only when delivered; required columns always present`, () => {
    fc.assert(fc.property(record, (t) => {
      const r = orderRow(platform, t, { zone, prefix: 'acg_', revealCardKeys: false });
      if ('skip' in r) {
        assert.ok(t.status === 'unknown' || t.created_at === null, r.skip);
        return;
      }
      const v = new Map(r.row.values);
      for (const c of REQUIRED[platform]) assert.ok(v.has(c) && v.get(c) !== 'NULL', `${c} has a value`);
      for (const c of r.row.placeholders) assert.ok(!r.row.fromEvidence.includes(c));
      if (platform === 'dujiaoka') {
        assert.equal(v.get('status') === '4', t.status === 'delivered');
        if (t.status === 'refunded' || t.status === 'failed') assert.equal(v.get('status'), '5');
      } else {
        assert.equal(v.get('status') === '1', t.status === 'paid' || t.status === 'delivered');
        assert.equal(v.get('delivery_status') === '1', t.status === 'delivered');
      }
    }));
  });
}

test('times are written on the shop clock, whatever offset the record carries', () => {
  const t = fc.sample(record, { numRuns: 1, seed: 1 })[0]!;
  const r = orderRow('acg-faka', { ...t, status: 'paid', created_at: '2026-11-21T10:00:00+08:00', paid_at: '2026-11-21T02:01:00Z' }, { zone, prefix: 'acg_', revealCardKeys: false });
  assert.ok('row' in r);
  const v = new Map(r.row.values);
  assert.equal(v.get('create_time'), "'2026-11-21 10:00:00'");
  assert.equal(v.get('pay_time'), "'2026-11-21 10:01:00'");
});
