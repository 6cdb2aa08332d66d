// The record builder and the scorer are pure: hand-made evidence in, a record out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildTransaction } from '../../src/correlate/build-transaction';
import { Correlator } from '../../src/correlate/correlator';
import type { Evidence } from '../../src/model/types';
import { scoreRecord } from '../../src/score/score';
import { evidenceFactory } from '../support/evidence';

const ev = evidenceFactory();

const created = () => ev('order_created', '2026-11-21T14:03:11+08:00', { order_id: 'A1', amount: 9.9, buyer_email: 'b@x.cn', goods_id: '3' }, { format: 'laravel' });
const notify = (amount: number, sig: Evidence['signature'], ts = '2026-11-21T14:04:02+08:00') =>
  ev('payment_notified', ts, { order_id: 'A1', trade_no: 'T1', amount, channel: 'epay', gateway_success: 'yes' }, { signature: sig });

test('a verified callback that matches the order makes it paid, with the callback time as paid_at', () => {
  const t = buildTransaction('A1', [created(), notify(9.9, 'verified')], scoreRecord);
  assert.equal(t.status, 'paid');
  assert.equal(t.amount, 9.9);
  assert.equal(t.paid_at, '2026-11-21T14:04:02+08:00');
  assert.equal(t.created_at, '2026-11-21T14:03:11+08:00');
  assert.equal(t.trade_no, 'T1');
  assert.deepEqual(t.flags, []);
  assert.ok(t.confidence > 0.95, String(t.confidence)); // prior -1.5 + verified +5.0 + creation logged +0.5
});

test('a callback with a bad signature never makes an order paid, and is flagged', () => {
  const t = buildTransaction('A1', [created(), notify(9.9, 'bad_signature')], scoreRecord);
  assert.notEqual(t.status, 'paid');
  assert.ok(t.flags.includes('bad_signature'));
});

test('a callback whose amount differs from the order is flagged and not taken as payment', () => {
  const t = buildTransaction('A1', [created(), notify(0.01, 'unverifiable')], scoreRecord);
  assert.notEqual(t.status, 'paid');
  assert.ok(t.flags.includes('amount_mismatch'));
  assert.equal(t.amount, 9.9, 'the order amount stands');
  const c = t.conflicts.find((x) => x.field === 'amount');
  assert.ok(c && c.values.length === 2);
});

test('retried callbacks collapse into one payment and the first one sets paid_at', () => {
  const t = buildTransaction('A1', [created(), notify(9.9, 'verified', '2026-11-21T14:05:02+08:00'), notify(9.9, 'verified', '2026-11-21T14:04:02+08:00')], scoreRecord);
  assert.equal(t.status, 'paid');
  assert.equal(t.paid_at, '2026-11-21T14:04:02+08:00');
  assert.ok(!t.flags.includes('multiple_payments'));
  assert.equal(t.evidence.length, 3);
});

test('status never claims more than the evidence: delivery without payment is flagged', () => {
  const t = buildTransaction('A1', [ev('card_delivered', '2026-11-21T14:06:00+08:00', { order_id: 'A1' }, { format: 'laravel' })], scoreRecord);
  assert.equal(t.status, 'delivered');
  assert.ok(t.flags.includes('delivered_without_payment_evidence'));
  const viewed = buildTransaction('B', [ev('order_viewed', '2026-11-21T14:06:00+08:00', { order_id: 'B' })], scoreRecord);
  assert.equal(viewed.status, 'created');
  assert.equal(viewed.paid_at, null);
});

test('the record does not depend on the order evidence arrives in (property)', () => {
  const base = [created(), notify(9.9, 'unverifiable'), notify(9.9, 'unverifiable', '2026-11-21T14:09:00+08:00'),
    ev('order_viewed', '2026-11-21T14:03:12+08:00', { order_id: 'A1', client_ip: '1.2.3.4' }),
    ev('card_delivered', '2026-11-21T14:04:03+08:00', { order_id: 'A1', card_key_hash: 'h' }, { format: 'laravel' })];
  const expected = JSON.stringify(buildTransaction('A1', base, scoreRecord));
  fc.assert(fc.property(fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }), (perm) => {
    assert.equal(JSON.stringify(buildTransaction('A1', perm, scoreRecord)), expected);
  }));
});

test('correlator: a keyless creation joins the first order seen from the same client, visibly', () => {
  const c = new Correlator(scoreRecord, { fuzzyWindowMs: 30_000 });
  const post = ev('order_created', '2026-11-21T14:03:11+08:00', { client_ip: '9.9.9.9', user_agent: 'UA' });
  const bill = ev('order_viewed', '2026-11-21T14:03:12+08:00', { order_id: 'Z9', client_ip: '9.9.9.9', user_agent: 'UA' });
  const otherClient = ev('order_created', '2026-11-21T14:03:11+08:00', { client_ip: '8.8.8.8', user_agent: 'UA' });
  c.add([bill, otherClient, post]);
  const r = c.finish();
  assert.equal(r.fuzzyJoins, 1);
  const t = [...r.records.sorted()][0]!;
  assert.equal(t.created_at, '2026-11-21T14:03:11+08:00');
  assert.ok(t.reasons.some((x) => /joined .* by client 9\.9\.9\.9/.test(x)), t.reasons.join('\n'));
  assert.equal(r.unjoined.length, 1);
  assert.match(r.unjoined[0]!.why, /no order seen from the same client/);
});

test('correlator: a creation line that names an amount skips an order from the same client whose amount differs', () => {
  const run = (creationAmount: number | undefined) => {
    const c = new Correlator(scoreRecord, { fuzzyWindowMs: 30_000 });
    const client = { client_ip: '7.7.7.7', user_agent: 'UA' };
    c.add([
      ev('order_created', '2026-11-21T14:03:11+08:00', creationAmount === undefined ? client : { ...client, amount: creationAmount }),
      // Two orders from one client (a shared NAT, or a buyer with two tabs): the nearer one is 9.90.
      ev('order_viewed', '2026-11-21T14:03:13+08:00', { order_id: 'NEAR', amount: 9.9, ...client }),
      ev('order_viewed', '2026-11-21T14:03:20+08:00', { order_id: 'FAR', amount: 19.8, ...client }),
    ]);
    const r = c.finish();
    const recs = [...r.records.sorted()];
    r.records.dispose();
    const joined = recs.filter((t) => t.reasons.some((x) => /joined .* by client 7\.7\.7\.7/.test(x)));
    return { ids: joined.map((t) => t.order_id), reasons: joined.flatMap((t) => t.reasons) };
  };
  const withAmount = run(19.8);
  assert.deepEqual(withAmount.ids, ['FAR']);
  assert.ok(withAmount.reasons.some((x) => /amount 19\.8 agrees/.test(x)), withAmount.reasons.join('\n'));
  assert.deepEqual(run(9.9).ids, ['NEAR']);
  assert.deepEqual(run(undefined).ids, ['NEAR'], 'without an amount the nearest order in time is taken');
  assert.deepEqual(run(5).ids, [], 'an amount no order agrees with joins nothing');
});

test('correlator: copies of one line in two files are used once', () => {
  const c = new Correlator(scoreRecord);
  const a = notify(9.9, 'verified');
  const copy = { ...a, source: { ...a.source, file: 'g.log' } };
  c.add([created(), a, copy]);
  const r = c.finish();
  assert.equal(r.duplicateCopies, 1);
  assert.equal([...r.records.sorted()][0]!.evidence.length, 2);
});

test('score: terms add up to the confidence (property)', () => {
  fc.assert(fc.property(fc.record({
    verifiedNotify: fc.boolean(), unverifiableNotify: fc.boolean(), badSignature: fc.boolean(), notifyCopies: fc.nat(5),
    confirmedLine: fc.boolean(), observedPaid: fc.boolean(), deliveredLine: fc.boolean(), refundLine: fc.boolean(), orderCreatedLine: fc.boolean(),
    browserTrail: fc.boolean(), independentFormats: fc.nat(3), amountConflict: fc.boolean(), fuzzyJoin: fc.boolean(),
    amountKnown: fc.boolean(), clockDoubt: fc.boolean(), status: fc.constantFrom('paid', 'created', 'delivered', 'pending') as fc.Arbitrary<'paid'>,
  }), (f) => {
    const s = scoreRecord(f);
    const x = s.reasons.map((r) => Number.parseFloat(r.split(' ')[0]!)).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(s.confidence - 1 / (1 + Math.exp(-x))) < 1e-3);
    assert.ok(s.confidence > 0 && s.confidence < 1);
  }));
});

test('correlator: spilling evidence to disk gives the same records as holding it in memory, and cleans up', () => {
  const { mkdtempSync, readdirSync, rmSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const items: Evidence[] = [];
  for (let i = 0; i < 300; i++) {
    const id = `O${String(i).padStart(4, '0')}`;
    items.push(ev('order_viewed', `2026-11-21T10:${String(i % 60).padStart(2, '0')}:00+08:00`, { order_id: id, client_ip: `10.0.${i % 7}.1`, user_agent: 'UA' }));
    if (i % 3 === 0) items.push(ev('payment_notified', `2026-11-21T10:${String(i % 60).padStart(2, '0')}:30+08:00`, { order_id: id, trade_no: `T${i}`, amount: i / 4, channel: 'epay', gateway_success: 'yes' }, { signature: 'unverifiable' }));
    if (i % 5 === 0) items.push(ev('refunded', `2026-11-21T11:00:00+08:00`, { trade_no: `T${i}` }, { format: 'laravel' }));
  }
  const parent = mkdtempSync(join(tmpdir(), 'salvage-spill-test-'));
  try {
    const mem = new Correlator(scoreRecord);
    mem.add(items);
    const a = mem.finish();
    const disk = new Correlator(scoreRecord, { maxInMemory: 10, spillParent: parent });
    // Arrival order must not matter either.
    disk.add([...items].reverse());
    const b = disk.finish();
    assert.ok(b.spilledEvidence > 0);
    assert.equal(a.spilledEvidence, 0);
    const ta = [...a.records.sorted()];
    assert.equal(JSON.stringify([...b.records.sorted()]), JSON.stringify(ta));
    assert.ok(ta.some((t) => t.status === 'refunded'), 'refunds joined by trade no');
    a.records.dispose();
    b.records.dispose();
    assert.deepEqual(readdirSync(parent), [], 'spill files are removed');
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('record spool: past its bound, records go to disk and still come back in order', () => {
  const { RecordSpool } = require('../../src/correlate/record-spool') as typeof import('../../src/correlate/record-spool');
  const mk = (i: number) => buildTransaction(`R${String(1000 - i)}`, [ev('order_viewed', `2026-11-21T10:${String(59 - (i % 60)).padStart(2, '0')}:00+08:00`, { order_id: `R${String(1000 - i)}` })], scoreRecord);
  const all = Array.from({ length: 120 }, (_, i) => mk(i));
  const small = new RecordSpool(10);
  const big = new RecordSpool(100000);
  // Half the records come with their text already made, as records built when quiet do.
  for (const [i, t] of all.entries()) { small.add(t, i % 2 ? JSON.stringify(t) : undefined); big.add(t); }
  const a = [...small.sorted()];
  assert.equal(a.length, 120);
  assert.equal(JSON.stringify(a), JSON.stringify([...big.sorted()]));
  for (let i = 1; i < a.length; i++) assert.ok(Date.parse(a[i - 1]!.created_at!) <= Date.parse(a[i]!.created_at!));
  assert.equal(small.count, 120);
  for (const [t, text] of small.sortedWithText()) assert.equal(text, JSON.stringify(t), 'the text given with a record is that record');
  assert.equal(small.paidSummary.length, a.filter((t) => t.paid_at !== null).length, 'summaries are kept for paid records only');
  small.dispose();
  big.dispose();
});

test('each field says which line it came from', () => {
  const c = created();
  const n1 = notify(9.9, 'verified');
  const t = buildTransaction('A1', [c, n1], scoreRecord);
  assert.deepEqual(t.provenance.amount, { rule: c.rule, file: c.source.file, line: c.source.line }, 'the order amount comes from the creation line');
  assert.deepEqual(t.provenance.trade_no, { rule: n1.rule, file: n1.source.file, line: n1.source.line });
  assert.deepEqual(t.provenance.paid_at, { rule: n1.rule, file: n1.source.file, line: n1.source.line });
  assert.deepEqual(t.provenance.created_at, { rule: c.rule, file: c.source.file, line: c.source.line });
  assert.equal(t.provenance.buyer_email?.line, c.source.line);
  assert.equal(Object.keys(buildTransaction('B', [ev('order_viewed', '2026-11-21T14:06:00+08:00', { order_id: 'B' })], scoreRecord).provenance).join(), 'created_at');
});

test('correlator: evidence with only a card key hash or a rule link key joins the order that carried it', () => {
  const c = new Correlator(scoreRecord);
  const delivered = ev('card_delivered', '2026-11-21T14:05:00+08:00', { order_id: 'A1', card_key_hash: 'abc123' }, { format: 'laravel' });
  const started = ev('payment_started', '2026-11-21T14:03:30+08:00', { order_id: 'A1', link_key: 'tok-77' });
  const used = ev('order_viewed', '2026-11-21T15:00:00+08:00', { card_key_hash: 'abc123' }, { format: 'laravel' });
  const page = ev('payment_started', '2026-11-21T14:03:40+08:00', { link_key: 'tok-77' });
  const stray = ev('order_viewed', '2026-11-21T15:00:00+08:00', { card_key_hash: 'zzz' }, { format: 'laravel' });
  c.add([used, page, stray, delivered, started, created()]);
  const r = c.finish();
  const t = [...r.records.sorted()].find((x) => x.order_id === 'A1')!;
  assert.equal(t.evidence.length, 5);
  assert.ok(t.reasons.some((x) => /by card key \(hash\) abc123/.test(x)), t.reasons.join('\n'));
  assert.ok(t.reasons.some((x) => /by link key tok-77/.test(x)), t.reasons.join('\n'));
  assert.equal(r.unjoined.length, 1);
  assert.match(r.unjoined[0]!.why, /card key \(hash\) zzz… match\(es\) no known order/);
  r.records.dispose();
});

test('correlator: an unlogged callback dates a payment only when it is the one callback in the window before "paid"', () => {
  const started = (id: string) => ev('payment_started', '2026-11-21T10:00:00+08:00', { order_id: id, pay_handler: 'alipay' });
  const observed = (id: string, at: string) => ev('payment_observed', at, { order_id: id });
  const callback = (at: string, handler = 'alipay') => ev('callback_seen', at, { pay_handler: handler });
  const c = new Correlator(scoreRecord);
  c.add([
    started('ONE'), observed('ONE', '2026-11-21T10:01:05+08:00'), callback('2026-11-21T10:01:02+08:00'),
    // two alipay callbacks in TWO's window: ambiguous, so TWO keeps its poll time
    started('TWO'), observed('TWO', '2026-11-21T11:00:10+08:00'), callback('2026-11-21T11:00:01+08:00'), callback('2026-11-21T11:00:05+08:00'),
    // a wepay callback does not date an alipay order
    started('THREE'), observed('THREE', '2026-11-21T12:00:10+08:00'), callback('2026-11-21T12:00:08+08:00', 'wepay'),
  ]);
  const r = c.finish();
  const byId = new Map([...r.records.sorted()].map((t) => [t.order_id, t]));
  assert.equal(byId.get('ONE')!.paid_at, '2026-11-21T10:01:02+08:00');
  assert.equal(byId.get('ONE')!.provenance.paid_at?.rule, 'test.callback_seen');
  assert.equal(byId.get('TWO')!.paid_at, '2026-11-21T11:00:10+08:00');
  assert.equal(byId.get('THREE')!.paid_at, '2026-11-21T12:00:10+08:00');
  assert.equal(r.unjoined.filter((u) => u.kind === 'callback_seen').length, 3);
  r.records.dispose();
});
