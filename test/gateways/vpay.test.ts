// V免签 notifications: sign = md5(payId . param . type . price . reallyPrice . key), the five values
// run together (szvone/vmqphp appPush; assimon/dujiaoka VpayController::notifyUrl). The signing
// below is written here from that description, not taken from the reader.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeQuery } from '../../parsers/params';
import type { KeyRing } from '../../parsers/gateways/gateway';
import { vpay } from '../../parsers/gateways/vpay';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const KEY = 'vmq-communication-key-01';

type Notify = { payId: string; param: string; type: string; price: string; reallyPrice: string };
const NOTIFY: Notify = { payId: '2026112114030112345', param: 'K3J9QX2M7PLA0B1C', type: '2', price: '9.99', reallyPrice: '9.98' };
const sign = (n: Notify, key = KEY) => md5(n.payId + n.param + n.type + n.price + n.reallyPrice + key);
/** The query V免签 puts on the notify URL: values not encoded, sign last. */
const query = (n: Notify, s = sign(n)) => `payId=${n.payId}&param=${n.param}&type=${n.type}&price=${n.price}&reallyPrice=${n.reallyPrice}&sign=${s}`;

describe('vpay', () => {
  test('a genuine notify verifies and normalises: type 2 is Alipay, price is the amount, payId the trade number', () => {
    const r = vpay.read(decodeQuery(query(NOTIFY)), { vpay: { other: 'nope', shop: KEY } });
    assert.equal(r.signature, 'verified', r.why);
    assert.match(r.why, /key of "shop".*all 2 vpay keys were tried/);
    assert.doesNotMatch(r.why, new RegExp(KEY));
    assert.deepEqual(r.payment, {
      gateway: 'vpay',
      channel: 'alipay',
      success: true,
      merchant_id: 'shop',
      order_id: 'K3J9QX2M7PLA0B1C',
      trade_no: '2026112114030112345',
      amount: 9.99,
    });
  });

  test('type 1 is WeChat Pay; an unknown type keeps the gateway name', () => {
    const wx = { ...NOTIFY, type: '1' };
    assert.equal(vpay.read(decodeQuery(query(wx)), { vpay: { a: KEY } }).payment?.channel, 'wxpay');
    const odd = { ...NOTIFY, type: '3' };
    const r = vpay.read(decodeQuery(query(odd)), { vpay: { a: KEY } });
    assert.equal(r.payment?.channel, 'vpay');
    assert.equal(r.signature, 'verified');
  });

  test('tampered price → bad_signature; wrong keys → bad_signature; no keys or no sign → unverifiable', () => {
    const ring: KeyRing = { vpay: { a: KEY } };
    const tampered = decodeQuery(query(NOTIFY).replace('price=9.99', 'price=99.9'));
    const t = vpay.read(tampered, ring);
    assert.equal(t.signature, 'bad_signature');
    assert.equal(t.payment?.amount, 99.9);
    const wrong = vpay.read(decodeQuery(query(NOTIFY)), { vpay: { a: 'x', b: 'y' } });
    assert.equal(wrong.signature, 'bad_signature');
    assert.match(wrong.why, /none of the 2 vpay keys/);
    assert.equal(vpay.read(decodeQuery(query(NOTIFY)), { epay: { a: KEY } }).signature, 'unverifiable');
    const unsigned = decodeQuery(query(NOTIFY));
    delete unsigned.sign;
    const u = vpay.read(unsigned, ring);
    assert.equal(u.signature, 'unverifiable');
    assert.match(u.why, /lacks sign/);
  });

  test('malformed notify (fields missing) → unverifiable, still a reading', () => {
    const r = vpay.read(decodeQuery('param=K3J9QX2M7PLA0B1C&price=abc'), { vpay: { a: KEY } });
    assert.equal(r.signature, 'unverifiable');
    assert.match(r.why, /lacks payId, type, reallyPrice, sign/);
    assert.equal(r.payment?.amount, undefined);
    assert.equal(r.payment?.success, false, 'a notify without its payment fields reports no payment');
    const noSign = decodeQuery(query(NOTIFY));
    delete noSign.sign;
    assert.equal(vpay.read(noSign, {}).payment?.success, true);
  });

  test("the buyer's return copy: payId glued into dujiaoka's order_id is split back out and verifies", () => {
    // vmqphp checkOrder: return_url already holds `?order_id=SN`, the signed query follows with
    // no `&` (current code) or after a second `?` (older code).
    for (const glue of ['', '?']) {
      const q = `order_id=${NOTIFY.param}${glue}${query(NOTIFY)}`;
      const p = decodeQuery(q);
      assert.equal(p.payId, undefined);
      const r = vpay.read(p, { vpay: { a: KEY } });
      assert.equal(r.signature, 'verified', `${glue}: ${r.why}`);
      assert.equal(r.payment?.trade_no, NOTIFY.payId);
    }
  });

  test('property: changing any one signed field gives bad_signature', () => {
    const names = ['payId', 'param', 'type', 'price', 'reallyPrice'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.stringMatching(/^[A-Za-z0-9.]{1,12}$/), (name, value) => {
        fc.pre(NOTIFY[name] !== value);
        const p = decodeQuery(query(NOTIFY));
        p[name] = value;
        const r = vpay.read(p, { vpay: { a: KEY } });
        assert.equal(r.signature, 'bad_signature', `${name}=${value}`);
      }),
    );
  });

  test('property: a genuine notify verifies for any order number, prices and type', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z0-9]{16}$/),
        fc.integer({ min: 1, max: 9_999_999 }),
        fc.integer({ min: -9, max: 9 }),
        fc.constantFrom('1', '2'),
        (sn, fen, shift, type) => {
          fc.pre(fen + shift > 0);
          const n: Notify = { payId: '20261121140301' + String(fen % 65536), param: sn, type, price: (fen / 100).toFixed(2), reallyPrice: ((fen + shift) / 100).toFixed(2) };
          const r = vpay.read(decodeQuery(query(n)), { vpay: { a: KEY } });
          assert.equal(r.signature, 'verified');
          assert.equal(r.payment?.amount, fen / 100);
          assert.equal(r.payment?.order_id, sn);
          assert.equal(r.payment?.channel, type === '1' ? 'wxpay' : 'alipay');
        },
      ),
    );
  });
});
