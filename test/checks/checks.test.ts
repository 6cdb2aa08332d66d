// Each check with a hand-made case that trips it and one that does not.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coverageGaps } from '../../src/checks/coverage';
import { relationChecks } from '../../src/checks/relations';
import { balanceChecks } from '../../src/checks/balances';
import { estimateSkew } from '../../src/correlate/clock-skew';
import { buildTransaction } from '../../src/correlate/build-transaction';
import type { Evidence, EvidenceFields, FileReport } from '../../src/model/types';
import { scoreRecord } from '../../src/score/score';

const H = 3600000;
const T0 = Date.parse('2026-11-21T00:00:00+08:00');

function file(name: string, format: string, hours: Record<number, number>): FileReport {
  const per_hour: Record<string, number> = {};
  for (const [h, c] of Object.entries(hours)) per_hour[String(T0 + Number(h) * H)] = c;
  return { file: name, bytes: 0, sha256: '', format, detect_confidence: 1, compressed: false, lines_total: 0, parsed: 0, rejected: 0, evidence_lines: 0, noise: 0, evidence_items: 0, collapsed_repeats: 0, damaged: false, errors: [], first_ts: null, last_ts: null, per_hour, by_rule: {} };
}

test('coverage: an hour missing from nginx while the app log kept writing is a hole', () => {
  const busy = (skip: number[]) => Object.fromEntries([0, 1, 2, 3, 4, 5].filter((h) => !skip.includes(h)).map((h) => [h, 50]));
  const r = coverageGaps([file('logs/nginx/access.log', 'nginx-combined', busy([2, 3])), file('logs/app/laravel.log', 'laravel', busy([]))]);
  assert.equal(r.gaps.length, 1);
  assert.equal(r.gaps[0]!.source, 'nginx-combined@logs/nginx');
  assert.equal(r.gaps[0]!.hours, 2);
  assert.equal(r.gaps[0]!.from, new Date(T0 + 2 * H).toISOString());
  assert.equal(r.gaps[0]!.to, new Date(T0 + 4 * H).toISOString());
  assert.equal(r.gaps[0]!.others_wrote, 100);
  const ok = coverageGaps([file('logs/nginx/access.log', 'nginx-combined', busy([])), file('logs/app/laravel.log', 'laravel', busy([]))]);
  assert.equal(ok.gaps.length, 0);
  // Rotated files of one log are one source: a day split over two files leaves no hole.
  const split = coverageGaps([file('logs/nginx/a.log', 'nginx-combined', { 0: 50, 1: 50, 2: 50 }), file('logs/nginx/a.log.1', 'nginx-combined', { 3: 50, 4: 50, 5: 50 }), file('logs/app/laravel.log', 'laravel', busy([]))]);
  assert.equal(split.gaps.length, 0);
});

let n = 0;
function ev(kind: Evidence['kind'], oid: string | undefined, fields: EvidenceFields = {}, at = 0, format = 'laravel', filePath = 'logs/app/laravel.log'): Evidence {
  n++;
  const tsMs = T0 + at * 1000;
  return { kind, rule: `t.${kind}`, weight: 0.5, format, ts: new Date(tsMs).toISOString(), tsMs, source: { file: filePath, line: n, lineEnd: n, offset: n }, fields: { ...(oid ? { order_id: oid } : {}), ...fields }, fingerprint: `f${n}` };
}

test('relations: one card key delivered to two orders; paid but not delivered; callback for an unknown order', () => {
  const byOrder = new Map<string, Evidence[]>([
    ['A', [ev('order_created', 'A', { amount: 5 }), ev('payment_confirmed', 'A', { amount: 5 }), ev('card_delivered', 'A', { card_key_hash: 'k1' })]],
    ['B', [ev('order_created', 'B', { amount: 5 }), ev('payment_confirmed', 'B', { amount: 5 }), ev('card_delivered', 'B', { card_key_hash: 'k1' })]],
    ['C', [ev('order_created', 'C', { amount: 7 }), ev('payment_confirmed', 'C', { amount: 7 })]],
    ['D', [ev('payment_notified', 'D', { amount: 9, gateway_success: 'yes' }, 0, 'nginx-combined')]],
    ['E', [ev('order_created', 'E', { amount: 3 }), ev('payment_confirmed', 'E', { amount: 3 }), ev('card_delivered', 'E', { card_key_hash: 'k2' })]],
  ]);
  const recs = [...byOrder].map(([id, l]) => buildTransaction(id, l, scoreRecord));
  const { findings, flags } = relationChecks(recs, byOrder);
  const of = (c: string) => findings.filter((f) => f.check === c).map((f) => f.order_ids.join('+')).sort();
  assert.deepEqual(of('card_key_reused'), ['A+B']);
  assert.deepEqual(of('paid_not_delivered'), ['C', 'D']);
  assert.deepEqual(of('callback_for_unknown_order'), ['D']);
  assert.equal(flags.get('E'), undefined, 'a clean order trips nothing');
});

test('balances: a break in the chain is found, with the paid order that explains it', () => {
  const m = { merchant_id: 'M1' };
  const events = [
    ev('balance_changed', 'A', { ...m, before: 100, change: 5, after: 105 }, 10),
    ev('balance_changed', 'B', { ...m, before: 105, change: 5, after: 110 }, 20),
    // order C (7.00) paid at t=25 left no balance line: the next line starts at 117.
    ev('balance_changed', 'E', { ...m, before: 117, change: 3, after: 120 }, 30),
    ev('balance_changed', 'F', { ...m, before: 120, change: 1, after: 122 }, 40),
  ];
  const c = buildTransaction('C', [ev('payment_confirmed', 'C', { amount: 7 }, 25)], scoreRecord);
  const r = balanceChecks(events, [c]);
  assert.equal(r.breaks.length, 1);
  assert.equal(r.breaks[0]!.missing_amount, 7);
  assert.deepEqual(r.breaks[0]!.candidates.map((x) => [x.order_id, x.exact]), [['C', true]]);
  assert.equal(r.inconsistent.length, 1, '120 + 1 ≠ 122');
  const clean = balanceChecks(events.slice(0, 2), []);
  assert.equal(clean.breaks.length, 0);
  assert.equal(clean.inconsistent.length, 0);
});

test('clocks: a host 97 s fast is estimated from callbacks seen in both logs', () => {
  const byOrder = new Map<string, Evidence[]>();
  for (let i = 0; i < 9; i++) {
    const id = `O${i}`;
    byOrder.set(id, [
      ev('payment_notified', id, {}, i * 100 + 97, 'nginx-combined', 'logs/nginx-b/access.log'),
      ev('payment_notified', id, {}, i * 100, 'laravel', 'logs/app/laravel.log'),
    ]);
  }
  const k = estimateSkew(byOrder);
  assert.equal(k.length, 1);
  assert.equal(k[0]!.median_offset_s, 97);
  assert.equal(k[0]!.pairs, 9);
  assert.equal(k[0]!.corrected, true);
  const none = new Map([...byOrder].slice(0, 3));
  assert.equal(estimateSkew(none).length, 0, 'too few pairs to say anything');
});

test('relations: replayed and refused callbacks are listed, a plain paid order is not', () => {
  const paid = (id: string, status: string, at: number) =>
    ev('payment_notified', id, { amount: 5, trade_no: `T${id}`, gateway_success: 'yes', http_status: status }, at, 'nginx-combined', 'logs/nginx/access.log');
  const byOrder = new Map<string, Evidence[]>([
    // acknowledged at t=0, the same callback again two hours later
    ['R', [ev('order_created', 'R', { amount: 5 }), paid('R', '200', 0), paid('R', '500', 7200)]],
    // every copy answered 500: the shop never took the payment
    ['F', [ev('order_created', 'F', { amount: 5 }), paid('F', '500', 0), paid('F', '500', 60)]],
    ['OK', [ev('order_created', 'OK', { amount: 5 }), paid('OK', '200', 0)]],
  ]);
  const recs = [...byOrder].map(([id, l]) => buildTransaction(id, l, scoreRecord));
  assert.equal(recs.find((r) => r.order_id === 'F')!.status, 'pending');
  const { findings } = relationChecks(recs, byOrder);
  const of = (c: string) => findings.filter((f) => f.check === c).map((f) => f.order_ids.join('+'));
  assert.deepEqual(of('replayed_notify'), ['R']);
  assert.deepEqual(of('notify_refused_by_shop'), ['F']);
  assert.equal(findings.filter((f) => f.order_ids.includes('OK')).length, 0);
});
