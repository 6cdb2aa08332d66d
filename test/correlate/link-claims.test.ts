// Lines that name only a link (gateway trade number, card key hash, rule link key) are placed
// by the orders that carry it. Which order a line goes to must not depend on which file was read
// first (issue 10, determinism): with several worker threads, arrival order is timing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Correlator } from '../../src/correlate/correlator';
import type { Evidence } from '../../src/model/types';
import { evidenceFactory } from '../support/evidence';
import { withTempDir } from '../support/temp-dir';
import { scoreRecord } from '../../src/score/score';

/** The shared factory numbers fingerprints per file: made unique across files here, so no line passes for a copy of another. */
function factory(file: string): ReturnType<typeof evidenceFactory> {
  const make = evidenceFactory(file);
  return (kind, ts, fields, extra = {}) => {
    const e = make(kind, ts, fields, extra);
    return { ...e, fingerprint: `${file}#${e.source.line}` };
  };
}

const T0 = Date.parse('2026-11-21T10:00:00+08:00');
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

function paid(e: ReturnType<typeof evidenceFactory>, order: string, trade: string, at: number): Evidence {
  return e('payment_notified', iso(at), { order_id: order, trade_no: trade, amount: 5, channel: 'epay', gateway_success: 'yes' }, { format: 'epay-notify', signature: 'verified' });
}

interface Outcome { records: string; unjoined: string }

function correlate(items: { e: Evidence; file: string }[], opts: { quietMs?: number; parent?: string } = {}): Outcome {
  const c = new Correlator(scoreRecord, { quietMs: opts.quietMs ?? 600_000, slackMs: 1_000, ...(opts.parent ? { spillParent: opts.parent } : {}) });
  const files = [...new Set(items.map((x) => x.file))];
  if (opts.quietMs !== undefined) c.expectFiles(files.map((file) => ({ file, startMs: T0 })));
  for (const { e, file } of items) c.add([e], opts.quietMs !== undefined ? file : undefined);
  const r = c.finish();
  const records = JSON.stringify([...r.records.sorted()]);
  r.records.dispose();
  return { records, unjoined: JSON.stringify(r.unjoined) };
}

test('a line naming only a trade number two orders carry goes to neither, and says which orders, whichever is read first', () => {
  const a = factory('a.log');
  const b = factory('b.log');
  const A = { e: paid(a, 'A', 'T1', T0 + 40_000), file: 'a.log' };
  const B = { e: paid(b, 'B', 'T1', T0 + 340_000), file: 'b.log' };
  const R = { e: b('refunded', iso(T0 + 7_200_000), { trade_no: 'T1' }, { format: 'laravel' }), file: 'b.log' };
  const outcomes = [[A, B, R], [B, A, R], [B, R, A], [R, A, B]].map((order) => correlate(order));
  for (const o of outcomes) assert.deepEqual(o, outcomes[0]);
  const unjoined = JSON.parse(outcomes[0]!.unjoined) as { why: string }[];
  assert.equal(unjoined.length, 1);
  assert.match(unjoined[0]!.why, /gateway trade no T1 is carried by 2 orders \(A, B\)/);
  for (const t of JSON.parse(outcomes[0]!.records) as { status: string }[]) assert.equal(t.status, 'paid');
});

test('a line with a contested link and a link one order alone carries joins that order, whichever is read first', () => {
  const a = factory('a.log');
  const b = factory('b.log');
  const A = { e: paid(a, 'A', 'T1', T0 + 40_000), file: 'a.log' };
  const B = { e: paid(b, 'B', 'T1', T0 + 340_000), file: 'b.log' };
  const card = { e: a('card_delivered', iso(T0 + 50_000), { order_id: 'B', card_key_hash: 'c9' }, { format: 'laravel' }), file: 'a.log' };
  const line = { e: b('order_viewed', iso(T0 + 3_600_000), { trade_no: 'T1', card_key_hash: 'c9' }, { format: 'laravel' }), file: 'b.log' };
  const outcomes = [[line, A, card, B], [A, line, B, card], [card, A, line, B], [A, B, card, line]].map((order) => correlate(order));
  for (const o of outcomes) assert.deepEqual(o, outcomes[0]);
  const recs = JSON.parse(outcomes[0]!.records) as { order_id: string; evidence: unknown[]; reasons: string[] }[];
  const b1 = recs.find((t) => t.order_id === 'B')!;
  assert.equal(b1.evidence.length, 3);
  assert.ok(b1.reasons.some((x) => /by card key \(hash\) c9/.test(x)), b1.reasons.join('\n'));
  assert.equal(outcomes[0]!.unjoined, '[]');
});

test('where link-only lines go does not depend on arrival order, quiet orders or shared links (property)', () => {
  withTempDir('salvage-link-claims-', (parent) => {
    // Orders in two files; trade numbers drawn from a small pool so some are carried by two orders.
    const a = factory('a.log');
    const b = factory('b.log');
    const items: { e: Evidence; file: string }[] = [];
    for (let i = 0; i < 24; i++) {
      const [f, file] = i % 2 === 0 ? [a, 'a.log'] : [b, 'b.log'];
      items.push({ e: paid(f, `O${i}`, `T${i % 17}`, T0 + i * 60_000), file });
      if (i % 3 === 0) items.push({ e: f('card_delivered', iso(T0 + i * 60_000 + 5_000), { order_id: `O${i}`, card_key_hash: `c${i % 10}` }, { format: 'laravel' }), file });
    }
    for (let j = 0; j < 20; j++) {
      const fields = j % 3 === 0 ? { trade_no: `T${j % 17}`, card_key_hash: `c${j % 10}` } : j % 3 === 1 ? { card_key_hash: `c${j % 10}` } : { trade_no: `T${(j * 5) % 19}` };
      const [f, file] = j % 2 === 0 ? [b, 'b.log'] : [a, 'a.log'];
      items.push({ e: f('refunded', iso(T0 + 30 * 60_000 + j * 90_000), fields, { format: 'laravel' }), file });
    }
    const ref = correlate(items);
    assert.ok((JSON.parse(ref.unjoined) as { why: string }[]).some((u) => /carried by 2 orders/.test(u.why)), 'some lines name a contested link');
    fc.assert(
      fc.property(fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }), fc.constantFrom(undefined, 0, 120_000), (order, quietMs) => {
        const got = correlate(order, { parent, ...(quietMs === undefined ? {} : { quietMs }) });
        assert.equal(got.records, ref.records);
        assert.equal(got.unjoined, ref.unjoined);
      }),
      { numRuns: 80 },
    );
  });
});
