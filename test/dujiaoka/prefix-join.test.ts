// The prefix join: evidence naming only the start of an order number joins the one known
// order that starts so; a prefix shared by several orders is reported, never guessed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { matchPrefix } from '../../src/correlate/prefix-join';
import { Correlator } from '../../src/correlate/correlator';
import type { Evidence } from '../../src/model/types';
import { scoreRecord } from '../../src/score/score';

function ev(kind: Evidence['kind'], line: number, tsMs: number, fields: Evidence['fields']): Evidence {
  return { kind, rule: `r.${kind}`, weight: 0.8, format: 'laravel', ts: new Date(tsMs).toISOString(), tsMs, source: { file: 'f.log', line, lineEnd: line, offset: line * 100 }, fields, fingerprint: `fp${line}` };
}

test('matchPrefix: unique, none, ambiguous', () => {
  const sorted = ['AAAA1', 'AAAB1', 'AAAB2', 'ZZZ'].sort();
  assert.deepEqual(matchPrefix(sorted, 'AAAA'), { order: 'AAAA1' });
  assert.deepEqual(matchPrefix(sorted, 'AAAB'), { ambiguous: 2 });
  assert.deepEqual(matchPrefix(sorted, 'B'), { none: true });
  assert.deepEqual(matchPrefix(sorted, 'ZZZ'), { order: 'ZZZ' });
  assert.deepEqual(matchPrefix([], 'A'), { none: true });
});

test('property: a prefix that only one order has always joins that order; a shared one is ambiguous', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.stringMatching(/^[A-C0-2]{4,10}$/), { minLength: 1, maxLength: 60 }), fc.nat(), fc.integer({ min: 1, max: 10 }), (orders, pick, cut) => {
      const target = orders[pick % orders.length]!;
      const prefix = target.slice(0, Math.min(cut, target.length));
      const sharing = orders.filter((o) => o.startsWith(prefix));
      const m = matchPrefix([...orders].sort(), prefix);
      if (sharing.length === 1) assert.deepEqual(m, { order: target });
      else assert.deepEqual(m, { ambiguous: sharing.length });
    }),
  );
});

test('correlator: a cut order number joins its order at the end; an ambiguous or unknown prefix is reported', () => {
  const c = new Correlator(scoreRecord);
  const t = Date.parse('2026-11-21T06:00:00Z');
  c.add([
    ev('order_viewed', 1, t, { order_id: 'K3J9QX2M7PLA0ABC' }),
    ev('order_viewed', 2, t, { order_id: 'SAMEPREFIX000001' }),
    ev('order_viewed', 3, t, { order_id: 'SAMEPREFIX000002' }),
    ev('payment_confirmed', 4, t + 60_000, { order_id_prefix: 'K3J9QX2M7PLA0AB', amount: 9.9, already_paid: 'yes' }),
    ev('payment_confirmed', 5, t + 60_000, { order_id_prefix: 'SAMEPREFIX00000', already_paid: 'yes' }),
    ev('payment_rejected', 6, t + 60_000, { order_id_prefix: 'NOSUCHORDER0000' }),
  ]);
  const r = c.finish();
  try {
    const recs = [...r.records.sorted()];
    const k = recs.find((x) => x.order_id === 'K3J9QX2M7PLA0ABC')!;
    assert.equal(k.status, 'paid');
    assert.ok(k.evidence.some((e) => e.line === 4));
    assert.ok(k.reasons.some((x) => x.includes('order number prefix K3J9QX2M7PLA0AB')));
    for (const id of ['SAMEPREFIX000001', 'SAMEPREFIX000002']) assert.equal(recs.find((x) => x.order_id === id)!.status, 'created');
    const why = new Map(r.unjoined.map((u) => [u.line, u.why]));
    assert.match(why.get(5)!, /^ambiguous prefix/);
    assert.match(why.get(6)!, /matches no known order/);
    assert.equal(why.has(4), false);
  } finally {
    r.records.dispose();
  }
});
