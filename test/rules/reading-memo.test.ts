// Each distinct callback payload is read once: the memo gives back the same reading a fresh
// read gives, never another payload's, and stays within its size.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { epay, epaySign } from '../../parsers/gateways/epay';
import type { GatewayDefinition, KeyRing } from '../../parsers/gateways/gateway';
import { payloadKey, ReadingMemo } from '../../rules/engine/reading-memo';

const keys: KeyRing = { epay: { '1001': 'k3y-of-1001' } };

function notify(order: string, money: string, key = 'k3y-of-1001'): Record<string, string> {
  const p: Record<string, string> = { pid: '1001', trade_no: `T${order}`, out_trade_no: order, type: 'alipay', name: 'card', money, trade_status: 'TRADE_SUCCESS' };
  return { ...p, sign: epaySign(p, key), sign_type: 'MD5' };
}

/** epay, counting its reads. */
function counted(): { def: GatewayDefinition; reads: () => number } {
  let n = 0;
  return { def: { id: 'epay', read: (p, k, b) => (n++, epay.read(p, k, b)) }, reads: () => n };
}

test('ReadingMemo: a payload seen again is not read again, and its reading is a fresh read\'s', () => {
  const { def, reads } = counted();
  const memo = new ReadingMemo(keys);
  const good = notify('ORD1', '10.00');
  const forged = { ...notify('ORD2', '10.00', 'wrong-key') };
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(memo.read(def, { ...good }, undefined), epay.read(good, keys));
    assert.deepEqual(memo.read(def, { ...forged }, undefined), epay.read(forged, keys));
  }
  assert.equal(memo.read(def, good, undefined).signature, 'verified');
  assert.equal(memo.read(def, forged, undefined).signature, 'bad_signature');
  assert.equal(reads(), 2);
  // One changed value is another payload.
  assert.equal(memo.read(def, { ...good, money: '100.00' }, undefined).signature, 'bad_signature');
  assert.equal(reads(), 3);
});

test('ReadingMemo: holds at most its limit, dropping the least recently used', () => {
  const { def, reads } = counted();
  const memo = new ReadingMemo(keys, 2);
  const [a, b, c] = ['A', 'B', 'C'].map((o) => notify(o, '1.00'));
  memo.read(def, a!, undefined);
  memo.read(def, b!, undefined);
  memo.read(def, a!, undefined); // a is now the most recent
  memo.read(def, c!, undefined); // b goes
  assert.equal(reads(), 3);
  memo.read(def, a!, undefined);
  assert.equal(reads(), 3);
  memo.read(def, b!, undefined);
  assert.equal(reads(), 4);
});

test('payloadKey: two payloads share a key only when they are the same payload', () => {
  const text = fc.string({ unit: fc.constantFrom('a', '=', '&', ':', '"', '\\', '0', '1', '\u0000', '+', '-'), maxLength: 4 });
  const payload = fc.record({
    gateway: fc.constantFrom('epay', 'alipay'),
    params: fc.array(fc.tuple(text, text), { maxLength: 3 }),
    body: fc.option(text, { nil: undefined }),
  });
  const build = (p: { params: [string, string][] }) => {
    const o: Record<string, string> = {};
    for (const [k, v] of p.params) o[k] = v;
    return o;
  };
  fc.assert(
    fc.property(payload, payload, (x, y) => {
      const px = build(x);
      const py = build(y);
      const same = x.gateway === y.gateway && x.body === y.body && JSON.stringify(Object.entries(px)) === JSON.stringify(Object.entries(py));
      assert.equal(payloadKey(x.gateway, px, x.body) === payloadKey(y.gateway, py, y.body), same);
    }),
    { numRuns: 3000 },
  );
  // The body is not a parameter, and an empty body is not a missing one.
  assert.notEqual(payloadKey('epay', { a: '1' }, ''), payloadKey('epay', { a: '1' }, undefined));
  assert.notEqual(payloadKey('epay', { a: '1' }, '{}'), payloadKey('epay', { a: '1', '': '{}' }, undefined));
});

test('payloadKey: parameters that are not all text, or not a plain object, are not remembered', () => {
  assert.equal(payloadKey('epay', { a: undefined as unknown as string }, undefined), null);
  assert.equal(payloadKey('epay', Object.create({ sign: 'x' }) as Record<string, string>, undefined), null);
  assert.notEqual(payloadKey('epay', Object.assign(Object.create(null), { a: '1' }) as Record<string, string>, undefined), null);
});
