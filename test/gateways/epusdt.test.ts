// epusdt callbacks: md5 over the sorted fields + token, numbers as Go prints them; every token in
// the ring is tried because the body names no merchant.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { epusdt } from '../../parsers/gateways/epusdt';
import { goFloatText, type KeyRing } from '../../parsers/gateways/gateway';
import { flattenContext } from '../../parsers/app/json-context';

const TOKEN = 'epusdt_password_xasddawqe';
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

// As epusdt's Go json.Marshal writes it: struct order, 42 (not 42.00), 5.7466 USDT.
const SIGNED = 'actual_amount=5.7466&amount=42&block_transaction_id=9f1fbb7f2d66&order_id=R8YZ641DFQ0SMWGO&status=2&token=TUNz11hDfDjDsDydpafPuvBYUTQjPeHhwJ&trade_id=20261121001303180759';
const SIGNATURE = md5(SIGNED + TOKEN);
const JSON_BODY = `{"trade_id":"20261121001303180759","order_id":"R8YZ641DFQ0SMWGO","amount":42,"actual_amount":5.7466,"token":"TUNz11hDfDjDsDydpafPuvBYUTQjPeHhwJ","block_transaction_id":"9f1fbb7f2d66","signature":"${SIGNATURE}","status":2}`;
const appLog = (json: string) => flattenContext(JSON.parse(json));

describe('epusdt', () => {
  test('known answer from an app-log context: verified, normalised, the matching token named', () => {
    const ring: KeyRing = { epusdt: { other: 'wrong-token', shop: TOKEN } };
    const r = epusdt.read(appLog(JSON_BODY), ring);
    assert.equal(r.signature, 'verified', r.why);
    assert.match(r.why, /token of "shop".*all 2 epusdt tokens were tried/);
    assert.deepEqual(r.payment, {
      gateway: 'epusdt',
      channel: 'usdt',
      success: true,
      merchant_id: 'shop',
      order_id: 'R8YZ641DFQ0SMWGO',
      trade_no: '20261121001303180759',
      amount: 42,
      status: '2',
    });
  });

  test('the same body from nginx $request_body verifies', () => {
    assert.equal(epusdt.read({}, { epusdt: { a: TOKEN } }, JSON_BODY).signature, 'verified');
    assert.equal(epusdt.read({}, { epusdt: { a: TOKEN } }, JSON_BODY.replace(/"/g, '\\x22')).signature, 'verified');
    assert.equal(epusdt.read({}, { epusdt: { a: TOKEN } }, '-').absent, true);
    const bad = epusdt.read({}, { epusdt: { a: TOKEN } }, '{"trade_id":');
    assert.equal(bad.signature, 'unverifiable');
    assert.match(bad.problem ?? '', /not JSON/);
  });

  test('tampered amount → bad_signature; no token matches → bad_signature; no tokens → unverifiable', () => {
    const tampered = appLog(JSON_BODY.replace('"amount":42', '"amount":4200'));
    assert.equal(epusdt.read(tampered, { epusdt: { a: TOKEN } }).signature, 'bad_signature');
    const none = epusdt.read(appLog(JSON_BODY), { epusdt: { a: 'x', b: 'y', c: 'z' } });
    assert.equal(none.signature, 'bad_signature');
    assert.match(none.why, /none of the 3 epusdt tokens/);
    assert.equal(epusdt.read(appLog(JSON_BODY), {}).signature, 'unverifiable');
    const partial = appLog(JSON_BODY);
    delete partial.signature;
    assert.equal(epusdt.read(partial, { epusdt: { a: TOKEN } }).signature, 'unverifiable');
  });

  test('empty and null fields are not signed over', () => {
    const body = JSON_BODY.replace('"status":2}', '"status":2,"note":"","extra":null}');
    assert.equal(epusdt.read(appLog(body), { epusdt: { a: TOKEN } }).signature, 'verified');
  });

  test("status other than 2 is not a success", () => {
    const s = SIGNED.replace('status=2', 'status=3');
    const body = JSON_BODY.replace('"status":2', '"status":3').replace(SIGNATURE, md5(s + TOKEN));
    const r = epusdt.read(appLog(body), { epusdt: { a: TOKEN } });
    assert.equal(r.signature, 'verified');
    assert.equal(r.payment?.success, false);
  });

  test("Go's FormatFloat(f, 'f', -1) text for numbers JavaScript would print with an exponent", () => {
    assert.equal(goFloatText('1e-7'), '0.0000001');
    assert.equal(goFloatText('1.5e-7'), '0.00000015');
    assert.equal(goFloatText('1e+21'), '1000000000000000000000');
    assert.equal(goFloatText('1.25e+22'), '12500000000000000000000');
    assert.equal(goFloatText('-2.5e-8'), '-0.000000025');
    assert.equal(goFloatText('42'), '42');
    assert.equal(goFloatText('0.1'), '0.1');
    // A tiny actual_amount signed by Go as 0.0000001 verifies although JSON.parse reprints it as 1e-7.
    const signed = SIGNED.replace('actual_amount=5.7466', 'actual_amount=0.0000001');
    const body = JSON_BODY.replace('"actual_amount":5.7466', '"actual_amount":0.0000001').replace(SIGNATURE, md5(signed + TOKEN));
    assert.equal(epusdt.read(appLog(body), { epusdt: { a: TOKEN } }).signature, 'verified');
  });

  test('property: a genuine callback verifies whatever the amounts and key order; money is CNY yuan', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9_999_999 }),
        fc.integer({ min: 1, max: 99_999_999 }),
        fc.func(fc.integer()),
        (fen, usdt4, rank) => {
          const amount = fen / 100;
          const actual = usdt4 / 10000;
          const fields: Record<string, string | number> = {
            trade_id: '20261121001303180759',
            order_id: 'R8YZ641DFQ0SMWGO',
            amount,
            actual_amount: actual,
            token: 'TUNz11hDfDjDsDydpafPuvBYUTQjPeHhwJ',
            block_transaction_id: 'ab12',
            status: 2,
          };
          // Go prints these floats in the same shortest digits JavaScript does (no exponent here).
          const s = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&');
          const all = { ...fields, signature: md5(s + TOKEN) };
          const json = JSON.stringify(Object.fromEntries(Object.entries(all).sort((a, b) => rank(a[0]) - rank(b[0]))));
          const r = epusdt.read(appLog(json), { epusdt: { a: TOKEN } });
          assert.equal(r.signature, 'verified');
          assert.equal(r.payment?.amount, amount);
        },
      ),
    );
  });
});
