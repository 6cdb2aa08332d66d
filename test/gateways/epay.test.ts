// 彩虹易支付 (epay) notify: known answers computed here with node:crypto over strings written out
// by hand (not with our signer), and properties of the signing rule.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { epay } from '../../parsers/gateways/epay';
import { decodeQuery } from '../../parsers/params';

const KEY = 'Zx8kP2mQ7vT4';
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

// The documented shape, in a scrambled order, with the sign computed over the ksort'ed string.
const BASE: Record<string, string> = {
  trade_status: 'TRADE_SUCCESS',
  pid: '1001',
  money: '9.90',
  type: 'alipay',
  out_trade_no: 'K3J9QX2M7PLA0B1C',
  name: '会员 VIP',
  trade_no: '2026112114040212345',
  sign_type: 'MD5',
};
const SIGNED_STRING = 'money=9.90&name=会员 VIP&out_trade_no=K3J9QX2M7PLA0B1C&pid=1001&trade_no=2026112114040212345&trade_status=TRADE_SUCCESS&type=alipay';
const SIGN = md5(SIGNED_STRING + KEY);
const keys = { epay: { '1001': KEY } };

describe('epay', () => {
  test('known answer: md5 of the hand-written sorted string + key verifies', () => {
    const r = epay.read({ ...BASE, sign: SIGN }, keys);
    assert.equal(r.signature, 'verified', r.why);
    assert.deepEqual(r.payment, {
      gateway: 'epay',
      channel: 'epay',
      success: true,
      merchant_id: '1001',
      order_id: 'K3J9QX2M7PLA0B1C',
      trade_no: '2026112114040212345',
      amount: 9.9,
      status: 'TRADE_SUCCESS',
    });
  });

  test('an uppercase sign is the same sign', () => {
    assert.equal(epay.read({ ...BASE, sign: SIGN.toUpperCase() }, keys).signature, 'verified');
  });

  test('the same notify read from an nginx query string (percent- and plus-encoded) verifies', () => {
    const q = `money=9.90&name=%E4%BC%9A%E5%91%98+VIP&out_trade_no=K3J9QX2M7PLA0B1C&pid=1001&trade_no=2026112114040212345&trade_status=TRADE_SUCCESS&type=alipay&sign=${SIGN}&sign_type=MD5`;
    assert.equal(epay.read(decodeQuery(q), keys).signature, 'verified');
  });

  test('tampered money → bad_signature, and the claimed amount is still reported', () => {
    const r = epay.read({ ...BASE, money: '0.01', sign: SIGN }, keys);
    assert.equal(r.signature, 'bad_signature');
    assert.equal(r.payment?.amount, 0.01);
  });

  test('wrong key → bad_signature; no key for the pid → unverifiable; incomplete → unverifiable', () => {
    assert.equal(epay.read({ ...BASE, sign: SIGN }, { epay: { '1001': KEY + 'x' } }).signature, 'bad_signature');
    const none = epay.read({ ...BASE, sign: SIGN }, { epay: { '2002': KEY } });
    assert.equal(none.signature, 'unverifiable');
    assert.match(none.why, /no epay key for pid 1001/);
    assert.equal(epay.read({ ...BASE, sign: SIGN }, {}).signature, 'unverifiable');
    const partial = { ...BASE, sign: SIGN } as Record<string, string>;
    delete partial.trade_no;
    const p = epay.read(partial, keys);
    assert.equal(p.signature, 'unverifiable');
    assert.match(p.why, /lacks trade_no/);
  });

  test("the shop's own unsigned query parameter (return_url?order_id=…) does not spoil the signature", () => {
    const r = epay.read({ order_id: 'K3J9QX2M7PLA0B1C', ...BASE, sign: SIGN }, keys);
    assert.equal(r.signature, 'verified');
    assert.match(r.why, /order_id ignored/);
    // …but an added *epay* field is signed data: adding one is tampering.
    assert.equal(epay.read({ ...BASE, param: 'x', sign: SIGN }, keys).signature, 'bad_signature');
  });

  test('trade_status other than TRADE_SUCCESS is not a success', () => {
    const p = { ...BASE, trade_status: 'WAIT_BUYER_PAY' };
    const r = epay.read({ ...p, sign: md5(SIGNED_STRING.replace('TRADE_SUCCESS', 'WAIT_BUYER_PAY') + KEY) }, keys);
    assert.equal(r.signature, 'verified');
    assert.equal(r.payment?.success, false);
  });

  const value = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('&') && !s.includes('='));
  const notify = fc.record({
    pid: fc.constant('1001'),
    trade_no: fc.stringMatching(/^[0-9]{10,19}$/),
    out_trade_no: fc.stringMatching(/^[A-Z0-9]{16}$/),
    type: fc.constantFrom('alipay', 'wxpay', 'qqpay'),
    name: value,
    money: fc.integer({ min: 1, max: 99999 }).map((f) => (f / 100).toFixed(2)),
    trade_status: fc.constant('TRADE_SUCCESS'),
  });
  const signByHand = (p: Record<string, string>) =>
    md5(
      Object.keys(p)
        .filter((k) => p[k] !== '')
        .sort()
        .map((k) => `${k}=${p[k]}`)
        .join('&') + KEY,
    );

  test('property: parameter order does not matter', () => {
    fc.assert(
      fc.property(notify, fc.func(fc.integer()), (n, rank) => {
        const sign = signByHand(n);
        const entries = Object.entries({ ...n, sign, sign_type: 'MD5' }).sort((a, b) => rank(a[0]) - rank(b[0]));
        assert.equal(epay.read(Object.fromEntries(entries), keys).signature, 'verified');
      }),
    );
  });

  test('property: empty values are not signed over', () => {
    fc.assert(
      fc.property(notify, fc.constantFrom('param', 'extra_empty', 'name'), (n, emptyKey) => {
        const withEmpty: Record<string, string> = { ...n, [emptyKey]: '' };
        const sign = signByHand(withEmpty); // the hand signer skips empties
        assert.equal(epay.read({ ...withEmpty, sign }, keys).signature, 'verified');
      }),
    );
  });

  test('property: any change of money after signing → bad_signature', () => {
    fc.assert(
      fc.property(notify, fc.integer({ min: 1, max: 99999 }), (n, fen) => {
        const other = (fen / 100).toFixed(2);
        fc.pre(other !== n.money);
        const sign = signByHand(n);
        assert.equal(epay.read({ ...n, money: other, sign }, keys).signature, 'bad_signature');
      }),
    );
  });
});
