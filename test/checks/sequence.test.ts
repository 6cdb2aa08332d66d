import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SequenceCheck } from '../../src/checks/sequence';
import { buildTransaction } from '../../src/correlate/build-transaction';
import type { Evidence } from '../../src/model/types';
import { scoreRecord } from '../../src/score/score';

function ev(orderId: string, pk?: number): Evidence {
  return { kind: 'order_created', rule: 't', weight: 1, format: 'laravel', ts: '2026-11-21T10:00:00+08:00', tsMs: Date.parse('2026-11-21T10:00:00+08:00'), source: { file: 'a', line: 1, lineEnd: 1, offset: 0 }, fields: { order_id: orderId, ...(pk !== undefined ? { order_pk: pk } : {}) }, fingerprint: orderId };
}

function run(items: Evidence[]) {
  const c = new SequenceCheck();
  for (const e of items) c.visit(buildTransaction(e.fields.order_id!, [e], scoreRecord), [e]);
  return c.finish();
}

test('sequence: auto-increment ids 100–130 with 104, 105 and 120 missing', () => {
  const ids = Array.from({ length: 31 }, (_, i) => 100 + i).filter((n) => ![104, 105, 120].includes(n));
  const r = run(ids.map((n) => ev(`SN${n}X`, n)));
  assert.equal(r.basis, 'order_pk');
  assert.deepEqual(r.range, [100, 130]);
  assert.deepEqual(r.missing, [[104, 105], [120, 120]]);
  assert.equal(r.missing_count, 3);
});

test('sequence: a complete run has no gaps', () => {
  const r = run(Array.from({ length: 25 }, (_, i) => ev(String(5000 + i))));
  assert.equal(r.basis, 'order_id');
  assert.equal(r.missing_count, 0);
});

test('sequence: acg-faka trade numbers (18 digits, time-based) are not taken as a sequence', () => {
  const r = run(Array.from({ length: 30 }, (_, i) => ev(`${100 + i * 7}2611211403${String(10 + i)}${100 + i}`)));
  assert.equal(r.basis, null);
  assert.equal(r.missing_count, 0);
});

test('sequence: sparse numeric order numbers are reported as not sequential, with no gaps', () => {
  const r = run(Array.from({ length: 30 }, (_, i) => ev(String(100000 + i * 997))));
  assert.equal(r.basis, 'order_id');
  assert.equal(r.missing_count, 0);
  assert.match(r.note, /not sequential/);
});

test('sequence: random order numbers give no basis at all', () => {
  const r = run(Array.from({ length: 30 }, (_, i) => ev(`K3J9QX2M7PLA0B${String(i).padStart(2, '0')}`)));
  assert.equal(r.basis, null);
});
