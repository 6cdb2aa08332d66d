// TokenPay callbacks: md5 over `k=v&…` of the non-empty fields in key order, then the ApiToken
// appended with no separator (LightCountry/TokenPay OrderNotifyService.cs, ObjectExtension.cs,
// Wiki/docs.md §2). The signing below is written here from that description, not taken from the
// reader.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { flattenContext } from '../../parsers/app/json-context';
import type { KeyRing } from '../../parsers/gateways/gateway';
import { tokenpay } from '../../parsers/gateways/tokenpay';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const TOKEN = 'tp-api-token-7f3a';

/** Sign as TokenPay does: drop empty values, sort the keys, `k=v` joined by `&`, token appended. */
function sign(fields: Record<string, string | number>, token: string): string {
  const keys = Object.keys(fields).filter((k) => fields[k] !== '').sort();
  return md5(keys.map((k) => `${k}=${fields[k]}`).join('&') + token);
}

// The field set ToDic builds for a paid USDT-TRC20 order from dujiaoka (amounts are strings,
// Status and IsDynamicAmount are ints; PassThroughInfo and PayAmount were null and are absent).
const FIELDS: Record<string, string | number> = {
  ActualAmount: '42.00',
  Amount: '5.8010',
  BaseCurrency: 'CNY',
  BlockChainName: 'TRON',
  BlockTransactionId: '9f1fbb7f2d66aa01c2',
  Currency: 'USDT_TRC20',
  CurrencyName: 'USDT',
  FromAddress: 'TYYjzt6AWhe9hAg9DrhiYXEWKDksyohgQa',
  Id: '6324ddd2-4677-7914-0010-702806ae9766',
  IsDynamicAmount: 0,
  OrderUserKey: 'buyer@example.com',
  OutOrderId: 'R8YZ641DFQ0SMWGO',
  PayTime: '2026-11-21 14:07:02',
  Status: 1,
  ToAddress: 'TKGTx4pCKiKQbk8evXHTborfZn754TGViP',
};
const signed = (f: Record<string, string | number>, token = TOKEN) => JSON.stringify({ ...f, Signature: sign(f, token) });
const BODY = signed(FIELDS);
const appLog = (json: string) => flattenContext(JSON.parse(json));

describe('tokenpay', () => {
  test("known answer: Wiki/docs.md §2's own example (token 666) verifies", () => {
    const doc = {
      ActualAmount: '15',
      Amount: '34.91',
      BaseCurrency: 'CNY',
      BlockChainName: 'TRON',
      BlockTransactionId: '375859c36dc5f5d227b10912b5ec70d36dd34446028064956cb60cdbb74432f5',
      Currency: 'TRX',
      CurrencyName: 'TRX',
      FromAddress: 'TYYjzt6AWhe9hAg9DrhiYXEWKDksyohgQa',
      Id: '63234df7-55bf-93fc-0010-67be493c0c27',
      OutOrderId: 'E6COE6FGZMO5AXSK',
      PayTime: '2022-09-15 16:08:39',
      Status: 1,
      ToAddress: 'TKGTx4pCKiKQbk8evXHTborfZn754TGViP',
      Signature: 'e5eaa888cd9e80b5c09a0698981757c8',
    };
    const r = tokenpay.read({}, { tokenpay: { doc: '666' } }, JSON.stringify(doc));
    assert.equal(r.signature, 'verified', r.why);
    assert.equal(r.payment?.amount, 15);
    assert.equal(r.payment?.trade_no, '63234df7-55bf-93fc-0010-67be493c0c27');
  });

  test('app-log context: verified, normalised, the matching token named', () => {
    const ring: KeyRing = { tokenpay: { old: 'not-this-one', shop: TOKEN } };
    const r = tokenpay.read(appLog(BODY), ring);
    assert.equal(r.signature, 'verified', r.why);
    assert.match(r.why, /ApiToken of "shop".*all 2 tokenpay tokens were tried/);
    assert.doesNotMatch(r.why, new RegExp(TOKEN));
    assert.deepEqual(r.payment, {
      gateway: 'tokenpay',
      channel: 'usdt',
      success: true,
      merchant_id: 'shop',
      order_id: 'R8YZ641DFQ0SMWGO',
      trade_no: '6324ddd2-4677-7914-0010-702806ae9766',
      amount: 42,
      status: '1',
      paid_time: '2026-11-21 14:07:02',
      buyer: 'TYYjzt6AWhe9hAg9DrhiYXEWKDksyohgQa',
    });
  });

  test('the same body from nginx $request_body (escaped or not) verifies; `-` is no body', () => {
    const ring: KeyRing = { tokenpay: { a: TOKEN } };
    assert.equal(tokenpay.read({}, ring, BODY).signature, 'verified');
    assert.equal(tokenpay.read({}, ring, BODY.replace(/"/g, '\\x22')).signature, 'verified');
    const none = tokenpay.read({}, ring, '-');
    assert.equal(none.absent, true);
    assert.equal(none.payment, undefined);
  });

  test('malformed body → a problem, no payment, unverifiable', () => {
    for (const raw of ['{"OutOrderId":', '[1,2]', 'OutOrderId=R8']) {
      const r = tokenpay.read({}, { tokenpay: { a: TOKEN } }, raw);
      assert.equal(r.signature, 'unverifiable');
      assert.equal(r.payment, undefined);
      assert.match(r.problem ?? '', /TokenPay body is not/);
    }
  });

  test('tampered amount → bad_signature; wrong tokens → bad_signature; no tokens or no Signature → unverifiable', () => {
    const ring: KeyRing = { tokenpay: { a: TOKEN } };
    const tampered = tokenpay.read(appLog(BODY.replace('"ActualAmount":"42.00"', '"ActualAmount":"4200.00"')), ring);
    assert.equal(tampered.signature, 'bad_signature');
    assert.equal(tampered.payment?.amount, 4200);
    const none = tokenpay.read(appLog(BODY), { tokenpay: { a: 'x', b: 'y', c: 'z' } });
    assert.equal(none.signature, 'bad_signature');
    assert.match(none.why, /none of the 3 tokenpay tokens/);
    const noKeys = tokenpay.read(appLog(BODY), { epusdt: { a: TOKEN } });
    assert.equal(noKeys.signature, 'unverifiable');
    assert.match(noKeys.why, /no tokenpay ApiToken/);
    const unsigned = appLog(BODY);
    delete unsigned.Signature;
    assert.equal(tokenpay.read(unsigned, ring).signature, 'unverifiable');
  });

  test('status other than 1 is not a success; an odd PayTime is not taken as a paid time', () => {
    const f = { ...FIELDS, Status: 2, PayTime: '15/09/2022 16:08' };
    const r = tokenpay.read(appLog(signed(f)), { tokenpay: { a: TOKEN } });
    assert.equal(r.signature, 'verified');
    assert.equal(r.payment?.success, false);
    assert.equal(r.payment?.paid_time, undefined);
  });

  test('null and empty fields are not signed over (TokenPay removes them); the why says dujiaoka would differ', () => {
    const body = BODY.replace(/}$/, ',"PassThroughInfo":"","PayAmount":null}');
    const r = tokenpay.read(appLog(body), { tokenpay: { a: TOKEN } });
    assert.equal(r.signature, 'verified');
    assert.match(r.why, /empty PassThroughInfo, PayAmount skipped/);
  });

  test("for the keys TokenPay sends, byte order and a culture collation agree (so dujiaoka's ksort check works)", () => {
    const keys = [...Object.keys(FIELDS), 'PassThroughInfo', 'PayAmount'];
    assert.deepEqual([...keys].sort(), [...keys].sort(new Intl.Collator('en').compare));
    assert.deepEqual([...keys].sort(), [...keys].sort(new Intl.Collator('zh').compare));
  });

  test('a body whose extra key sorts differently under a culture collation verifies in either order', () => {
    // 'Blockchainname' and 'BlockTransactionId': byte order puts 'T' (0x54) before 'c' (0x63),
    // a collation compares c with t ignoring case first.
    const f: Record<string, string | number> = { ...FIELDS, Blockchainname: 'x' };
    const keys = Object.keys(f).sort(new Intl.Collator('en').compare);
    const cultureSig = md5(keys.map((k) => `${k}=${f[k]}`).join('&') + TOKEN);
    assert.notEqual(cultureSig, sign(f, TOKEN));
    const r = tokenpay.read(appLog(JSON.stringify({ ...f, Signature: cultureSig })), { tokenpay: { a: TOKEN } });
    assert.equal(r.signature, 'verified');
    assert.match(r.why, /culture key order/);
    assert.equal(tokenpay.read(appLog(JSON.stringify({ ...f, Signature: sign(f, TOKEN) })), { tokenpay: { a: TOKEN } }).signature, 'verified');
  });

  test('property: changing any one signed field gives bad_signature', () => {
    const names = Object.keys(FIELDS);
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.string({ minLength: 1, maxLength: 12 }), (name, value) => {
        fc.pre(String(FIELDS[name]) !== value);
        const body = JSON.parse(BODY) as Record<string, unknown>;
        body[name] = value;
        const r = tokenpay.read(appLog(JSON.stringify(body)), { tokenpay: { a: TOKEN } });
        // A signed field made empty is skipped, which still changes the signed text.
        assert.equal(r.signature, 'bad_signature', `${name}=${JSON.stringify(value)}: ${r.why}`);
      }),
    );
  });

  test('property: a genuine callback verifies whatever the amounts and the key order of the JSON', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 1, max: 99_999_999 }), fc.func(fc.integer()), (fen, coin4, rank) => {
        const f = { ...FIELDS, ActualAmount: (fen / 100).toFixed(2), Amount: (coin4 / 10000).toFixed(4) };
        const all = JSON.parse(signed(f)) as Record<string, unknown>;
        const json = JSON.stringify(Object.fromEntries(Object.entries(all).sort((a, b) => rank(a[0]) - rank(b[0]))));
        const r = tokenpay.read({}, { tokenpay: { a: TOKEN } }, json);
        assert.equal(r.signature, 'verified');
        assert.equal(r.payment?.amount, fen / 100);
      }),
    );
  });
});
