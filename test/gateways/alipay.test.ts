// Alipay notify verification against a real notify signed by Alipay (shared/realdata, from the
// official Node SDK's tests), a tampered copy, and the official SDK itself (alipay-sdk) as an
// independent judge on generated notifies.

import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AlipaySdk } from 'alipay-sdk';
import { alipay } from '../../parsers/gateways/alipay';
import type { KeyRing } from '../../parsers/gateways/gateway';
import { decodeQuery } from '../../parsers/params';
import { readRealdata } from '../support/realdata';

interface Vector {
  params: Record<string, string>;
  form_body: string;
  alipay_public_key_pem: string;
  expect: { verified: boolean; out_trade_no?: string; trade_no?: string; total_amount?: string };
}
const vector = (name: string) => JSON.parse(readRealdata('gateway-vectors', name).toString('utf8')) as Vector;
const real = vector('alipay-notify-rsa2.json');
const tampered = vector('alipay-notify-rsa2-tampered.json');
const APP_ID = real.params.app_id!;
const ringOf = (pem: string, appId = APP_ID): KeyRing => ({ alipay: { [appId]: pem } });

/** The SDK refuses to exist without an app id and a private key, even to verify: give it throwaway ones. */
function sdkWith(alipayPublicKey: string): AlipaySdk {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return new AlipaySdk({ appId: 'verify-only', privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), alipayPublicKey });
}

describe('alipay: the real signed notify', () => {
  test('the genuine notify verifies and normalises', () => {
    assert.equal(real.expect.verified, true);
    const r = alipay.read(real.params, ringOf(real.alipay_public_key_pem));
    assert.equal(r.signature, 'verified', r.why);
    assert.deepEqual(r.payment, {
      gateway: 'alipay',
      channel: 'alipay',
      success: true,
      merchant_id: APP_ID,
      order_id: real.expect.out_trade_no,
      trade_no: real.expect.trade_no,
      amount: 0.1,
      status: 'TRADE_SUCCESS',
      paid_time: '2019-08-15 15:56:24',
      buyer: 'xud***@126.com',
    });
  });

  test('the tampered copy is bad_signature, and its claimed amount is what is reported', () => {
    assert.equal(tampered.expect.verified, false);
    const r = alipay.read(tampered.params, ringOf(tampered.alipay_public_key_pem));
    assert.equal(r.signature, 'bad_signature');
    assert.equal(r.payment?.amount, 9.9);
  });

  test('the form body as nginx would log it ($request_body) decodes to a verifying set', () => {
    assert.equal(alipay.read(decodeQuery(real.form_body), ringOf(real.alipay_public_key_pem)).signature, 'verified');
    assert.equal(alipay.read(decodeQuery(tampered.form_body), ringOf(real.alipay_public_key_pem)).signature, 'bad_signature');
  });

  test('a bare base64 key body (no PEM armour) is accepted', () => {
    const bare = real.alipay_public_key_pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    assert.equal(alipay.read(real.params, ringOf(bare)).signature, 'verified');
  });

  test('a `+` in the sign that form-decoding turned into a space is restored', () => {
    assert.ok(real.params.sign!.includes('+'));
    assert.equal(alipay.read({ ...real.params, sign: real.params.sign!.replace(/\+/g, ' ') }, ringOf(real.alipay_public_key_pem)).signature, 'verified');
  });

  test('no key for the app_id, an unusable key, or missing fields → unverifiable', () => {
    const other = alipay.read(real.params, ringOf(real.alipay_public_key_pem, '2021000000000000'));
    assert.equal(other.signature, 'unverifiable');
    assert.match(other.why, /no Alipay public key for app_id 2019073166072302/);
    assert.equal(alipay.read(real.params, {}).signature, 'unverifiable');
    assert.equal(alipay.read(real.params, ringOf('not a key')).signature, 'unverifiable');
    const partial = { ...real.params };
    delete partial.trade_no;
    assert.equal(alipay.read(partial, ringOf(real.alipay_public_key_pem)).signature, 'unverifiable');
  });

  test('the official SDK agrees on the real and the tampered vector', () => {
    const sdk = sdkWith(real.alipay_public_key_pem);
    for (const v of [real, tampered]) {
      const ours = alipay.read(v.params, ringOf(v.alipay_public_key_pem)).signature === 'verified';
      assert.equal(sdk.checkNotifySign({ ...v.params }), ours);
      assert.equal(sdk.checkNotifySignV2({ ...v.params }), ours);
      assert.equal(ours, v.expect.verified);
    }
  });
});

describe('alipay: generated notifies, judged by us and by the official SDK', () => {
  const alipayKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = alipayKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const sdk = sdkWith(publicPem);
  const ring = ringOf(publicPem, '2021004100000001');

  /** Sign like Alipay: every parameter but sign and sign_type, sorted, `k=v&…`, written out here. */
  function signed(fields: Record<string, string>, key = alipayKeys.privateKey, algorithm = 'RSA-SHA256'): Record<string, string> {
    const content = Object.keys(fields)
      .filter((k) => k !== 'sign' && k !== 'sign_type')
      .sort()
      .map((k) => `${k}=${fields[k]}`)
      .join('&');
    return { ...fields, sign: createSign(algorithm).update(content, 'utf8').sign(key, 'base64') };
  }

  // Values as a decoded form holds them: any text, including `&`, `=`, `%`, Chinese.
  const text = fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' });
  const notify = fc.record({
    app_id: fc.constant('2021004100000001'),
    notify_type: fc.constant('trade_status_sync'),
    notify_id: fc.stringMatching(/^[0-9a-f]{32}$/),
    out_trade_no: fc.stringMatching(/^[A-Z0-9]{16}$/),
    trade_no: fc.stringMatching(/^20[0-9]{26}$/),
    total_amount: fc.integer({ min: 1, max: 9999999 }).map((f) => (f / 100).toFixed(2)),
    trade_status: fc.constantFrom('TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED'),
    subject: text,
    body: text,
    gmt_payment: fc.constant('2026-11-21 14:04:02'),
    sign_type: fc.constant('RSA2'),
  });

  type Variant = 'genuine' | 'tampered' | 'attacker' | 'garbage';
  const variant = fc.constantFrom<Variant>('genuine', 'tampered', 'attacker', 'garbage');

  test('property: our verdict equals checkNotifySignV2 and the expected one', () => {
    fc.assert(
      fc.property(notify, variant, text, (n, v, other) => {
        let p: Record<string, string>;
        if (v === 'genuine') p = signed(n);
        else if (v === 'attacker') p = signed(n, attacker.privateKey);
        else if (v === 'tampered') {
          fc.pre(other !== n.subject);
          p = { ...signed(n), subject: other };
        } else p = { ...n, sign: Buffer.from(other).toString('base64') };
        const ours = alipay.read(p, ring).signature;
        const sdkSays = sdk.checkNotifySignV2({ ...p });
        assert.equal(ours === 'verified', sdkSays, `ours ${ours}, sdk ${sdkSays}`);
        assert.equal(ours, v === 'genuine' ? 'verified' : 'bad_signature');
      }),
      { numRuns: 150 },
    );
  });

  test('property: parameter order does not matter (SDK agrees)', () => {
    fc.assert(
      fc.property(notify, fc.func(fc.integer()), (n, rank) => {
        const p = signed(n);
        const shuffled = Object.fromEntries(Object.entries(p).sort((a, b) => rank(a[0]) - rank(b[0])));
        assert.equal(alipay.read(shuffled, ring).signature, 'verified');
        assert.equal(sdk.checkNotifySignV2(shuffled), true);
      }),
      { numRuns: 40 },
    );
  });

  test('sign_type RSA means SHA1withRSA', () => {
    const n = { app_id: '2021004100000001', out_trade_no: 'A1', trade_no: 'T1', total_amount: '1.00', trade_status: 'TRADE_SUCCESS', sign_type: 'RSA' };
    const p = signed(n, alipayKeys.privateKey, 'RSA-SHA1');
    assert.equal(alipay.read(p, ring).signature, 'verified');
    assert.equal(sdk.checkNotifySignV2({ ...p }), true);
    // The same signature read as RSA2 does not verify.
    assert.equal(alipay.read({ ...p, sign_type: 'RSA2' }, ring).signature, 'bad_signature');
  });

  test('the return_url redirect (no trade_status) is a success once signed', () => {
    const p = signed({ app_id: '2021004100000001', method: 'alipay.trade.page.pay.return', out_trade_no: 'A1', trade_no: 'T1', total_amount: '12.30', timestamp: '2026-11-21 14:04:05', sign_type: 'RSA2' });
    const r = alipay.read(p, ring);
    assert.equal(r.signature, 'verified');
    assert.equal(r.payment?.success, true);
    assert.equal(r.payment?.amount, 12.3);
  });

  test('a refund close (TRADE_CLOSED with refund_fee) is not a success and reports the refund', () => {
    const p = signed({ app_id: '2021004100000001', out_trade_no: 'A1', trade_no: 'T1', total_amount: '12.30', trade_status: 'TRADE_CLOSED', refund_fee: '12.30', gmt_refund: '2026-11-21 15:00:00.123' });
    const r = alipay.read(p, ring);
    assert.equal(r.signature, 'verified');
    assert.equal(r.payment?.success, false);
    assert.equal(r.payment?.refund_amount, 12.3);
  });

  test('keys a JSON context flattening added (fund_bill_list.0.amount) are not signed over', () => {
    const n = { app_id: '2021004100000001', out_trade_no: 'A1', trade_no: 'T1', total_amount: '1.00', trade_status: 'TRADE_SUCCESS', fund_bill_list: '[{"amount":"1.00","fundChannel":"ALIPAYACCOUNT"}]' };
    const p = { ...signed(n), 'fund_bill_list.0.amount': '1.00', 'fund_bill_list.0.fundChannel': 'ALIPAYACCOUNT' };
    assert.equal(alipay.read(p, ring).signature, 'verified');
  });
});
