// WeChat Pay v3: the resource is encrypted here with node:crypto (AES-256-GCM, the APIv3 key,
// associated_data as AAD, nonce as IV), then read back through every shape a log can hold it in.

import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { KeyRing } from '../../parsers/gateways/gateway';
import { wechatpay, wechatpayV3 } from '../../parsers/gateways/wechatpay';
import { flattenContext } from '../../parsers/app/json-context';

const APIV3 = 'Q7w9E2r4T6y8U0i1O3p5A7s9D2f4G6h8'; // 32 bytes
const MCH = '1900000109';
const keys: KeyRing = { wechatpay: { [MCH]: { key: 'v2-key-not-used-here', apiv3_key: APIV3 } } };

function encrypt(plaintext: string, key: string, nonce: string, ad: string): string {
  const c = createCipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8'));
  c.setAAD(Buffer.from(ad, 'utf8'));
  return Buffer.concat([c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]).toString('base64');
}

function transaction(fen: number, over: Record<string, unknown> = {}) {
  return {
    appid: 'wxd678efh567hg6787',
    mchid: MCH,
    out_trade_no: 'K3J9QX2M7PLA0B1C',
    transaction_id: '4200001234202611211234567890',
    trade_type: 'NATIVE',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: '2026-11-21T14:04:02+08:00',
    payer: { openid: 'oUpF8uMEb4qRXf22hE3X68TekukE' },
    amount: { total: fen, payer_total: fen, currency: 'CNY', payer_currency: 'CNY' },
    ...over,
  };
}

function body(fen: number, opts: { key?: string; ad?: string; over?: Record<string, unknown> } = {}) {
  const nonce = 'fdasflkja484';
  const ad = opts.ad ?? 'transaction';
  return {
    id: 'EV-2018022511223320873',
    create_time: '2026-11-21T14:04:03+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encrypt(JSON.stringify(transaction(fen, opts.over)), opts.key ?? APIV3, nonce, ad),
      associated_data: ad,
      nonce,
    },
  };
}

/** What the engine passes for `微信支付回调 {"body":{…}}`: the flattened app-log context. */
const asAppLog = (ctx: unknown) => flattenContext(ctx);

describe('wechatpay v3', () => {
  test('decrypts, authenticates and normalises the resource (app-log {"body":{…}})', () => {
    const r = wechatpayV3.read(asAppLog({ body: body(999) }), keys);
    assert.equal(r.signature, 'verified', r.why);
    assert.match(r.why, /AES-256-GCM/);
    assert.deepEqual(r.payment, {
      gateway: 'wechatpay-v3',
      channel: 'wxpay',
      success: true,
      merchant_id: MCH,
      order_id: 'K3J9QX2M7PLA0B1C',
      trade_no: '4200001234202611211234567890',
      amount: 9.99,
      status: 'SUCCESS',
      paid_time: '2026-11-21T14:04:02+08:00',
      buyer: 'oUpF8uMEb4qRXf22hE3X68TekukE',
    });
  });

  test('every logged shape: raw JSON string body, the body itself, nginx $request_body, with headers', () => {
    const b = body(100);
    assert.equal(wechatpayV3.read(asAppLog({ body: JSON.stringify(b) }), keys).signature, 'verified');
    assert.equal(wechatpayV3.read(asAppLog(b), keys).signature, 'verified');
    assert.equal(wechatpay.read({}, keys, JSON.stringify(b)).signature, 'verified');
    const withHeaders = wechatpay.read(asAppLog({ headers: { 'wechatpay-signature': 'abc', 'wechatpay-serial': 'S' }, body: b }), keys);
    assert.equal(withHeaders.signature, 'verified');
    assert.match(withHeaders.why, /header signature was not checked/);
  });

  test('empty associated_data is fine', () => {
    assert.equal(wechatpayV3.read(asAppLog({ body: body(1, { ad: '' }) }), keys).signature, 'verified');
  });

  test('fen → yuan exactly: 1 → 0.01, 999 → 9.99, 99999 → 999.99', () => {
    for (const [fen, yuan] of [[1, 0.01], [999, 9.99], [99999, 999.99]] as const) {
      assert.equal(wechatpayV3.read(asAppLog({ body: body(fen) }), keys).payment?.amount, yuan);
    }
  });

  test('encrypted under another key → bad_signature, and nothing from inside is claimed', () => {
    const r = wechatpayV3.read(asAppLog({ body: body(999, { key: 'Z'.repeat(32) }) }), keys);
    assert.equal(r.signature, 'bad_signature');
    assert.equal(r.payment?.order_id, undefined);
    assert.equal(r.payment?.success, false);
  });

  test('a flipped ciphertext byte, a changed associated_data or nonce → bad_signature', () => {
    const b = body(999);
    const ct = Buffer.from(b.resource.ciphertext, 'base64');
    ct[3] = ct[3]! ^ 1;
    assert.equal(wechatpayV3.read(asAppLog({ body: { ...b, resource: { ...b.resource, ciphertext: ct.toString('base64') } } }), keys).signature, 'bad_signature');
    assert.equal(wechatpayV3.read(asAppLog({ body: { ...b, resource: { ...b.resource, associated_data: 'refund' } } }), keys).signature, 'bad_signature');
    assert.equal(wechatpayV3.read(asAppLog({ body: { ...b, resource: { ...b.resource, nonce: 'aaaaaaaaaaaa' } } }), keys).signature, 'bad_signature');
  });

  test('no APIv3 key → unverifiable (the resource stays encrypted)', () => {
    const r = wechatpayV3.read(asAppLog({ body: body(999) }), { wechatpay: { [MCH]: { key: 'only-v2' } } });
    assert.equal(r.signature, 'unverifiable');
    assert.match(r.why, /no WeChat Pay APIv3 key/);
    assert.equal(wechatpayV3.read(asAppLog({ body: body(999) }), {}).signature, 'unverifiable');
  });

  test('every APIv3 key is tried: the one that authenticates names the merchant', () => {
    const ring: KeyRing = { wechatpay: { '1111111111': { apiv3_key: 'A'.repeat(32) }, [MCH]: { apiv3_key: APIV3 } } };
    const r = wechatpayV3.read(asAppLog({ body: body(5) }), ring);
    assert.equal(r.signature, 'verified');
    assert.match(r.why, /mch_id 1900000109/);
  });

  test('a refund notice or an unpaid state is not a success', () => {
    const r = wechatpayV3.read(asAppLog({ body: body(999, { over: { trade_state: 'CLOSED' } }) }), keys);
    assert.equal(r.signature, 'verified');
    assert.equal(r.payment?.success, false);
    assert.equal(r.payment?.status, 'CLOSED');
  });

  test('malformed JSON, a body without resource, an empty ciphertext: values, not exceptions', () => {
    const bad = wechatpayV3.read({ body: '{"id":"EV-1","resource":{' }, keys);
    assert.equal(bad.signature, 'unverifiable');
    assert.match(bad.problem ?? '', /not JSON/);
    assert.equal(bad.payment, undefined);
    assert.match(wechatpayV3.read({ body: '{"id":"EV-1"}' }, keys).problem ?? '', /no resource/);
    assert.match(wechatpayV3.read({ body: '[1,2]' }, keys).problem ?? '', /not a JSON object/);
    assert.equal(wechatpayV3.read(asAppLog({ body: { resource: { algorithm: 'AEAD_AES_256_GCM', ciphertext: '', nonce: 'n', associated_data: '' } } }), keys).signature, 'unverifiable');
    assert.equal(wechatpayV3.read(asAppLog({ body: { resource: { algorithm: 'AEAD_AES_256_GCM', ciphertext: '!!notbase64', nonce: 'n', associated_data: '' } } }), keys).signature, 'bad_signature');
    assert.equal(wechatpayV3.read({}, keys).absent, true);
  });

  test('an authenticated resource that is not JSON is a problem, not a payment', () => {
    const nonce = 'abcdefghijkl';
    const b = { resource: { algorithm: 'AEAD_AES_256_GCM', ciphertext: encrypt('not json', APIV3, nonce, 'x'), nonce, associated_data: 'x' } };
    const r = wechatpayV3.read(asAppLog({ body: b }), keys);
    assert.equal(r.signature, 'unverifiable');
    assert.match(r.problem ?? '', /not JSON/);
  });

  test('property: genuine resources verify with their fen amount; any other 32-byte key does not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.string({ minLength: 32, maxLength: 32, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789') }), (fen, otherKey) => {
        fc.pre(otherKey !== APIV3);
        const r = wechatpayV3.read(asAppLog({ body: body(fen) }), keys);
        assert.equal(r.signature, 'verified');
        assert.equal(r.payment?.amount, fen / 100);
        assert.equal(wechatpayV3.read(asAppLog({ body: body(fen, { key: otherKey }) }), keys).signature, 'bad_signature');
      }),
      { numRuns: 60 },
    );
  });
});
