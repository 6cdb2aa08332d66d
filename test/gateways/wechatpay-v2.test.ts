// WeChat Pay v2: the documented signature example (both algorithms), known answers computed here,
// the flat XML reader (malformed input is a value, never an exception), and fen → yuan.

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseFlatXml } from '../../parsers/gateways/flat-xml';
import { fenToYuan } from '../../parsers/gateways/gateway';
import { wechatpay, wechatpayV2, wxV2Sign } from '../../parsers/gateways/wechatpay';
import { readRealdata } from '../support/realdata';

interface DocExample {
  params: Record<string, string>;
  key: string;
  expect: { sign_MD5: string; sign_HMAC_SHA256: string };
}
const doc = JSON.parse(readRealdata('gateway-vectors', 'wechatpay-v2-sign-doc-example.json').toString('utf8')) as DocExample;

const KEY = 'b3f1c2d4e5a6978812345678abcdefAB';
const MCH = '1900000109';
const keys = { wechatpay: { [MCH]: { key: KEY } } };

/** A paid notify as WeChat posts it, fields in ASCII order, signed with a string written out by hand. */
const FIELDS: Record<string, string> = {
  appid: 'wx2421b1c4370ec43b',
  bank_type: 'CFT',
  cash_fee: '999',
  fee_type: 'CNY',
  is_subscribe: 'N',
  mch_id: MCH,
  nonce_str: '5d2b6c2a8db53831f7eda20af46e531c',
  openid: 'oUpF8uMEb4qRXf22hE3X68TekukE',
  out_trade_no: 'K3J9QX2M7PLA0B1C',
  result_code: 'SUCCESS',
  return_code: 'SUCCESS',
  time_end: '20261121140402',
  total_fee: '999',
  trade_type: 'NATIVE',
  transaction_id: '4200001234202611211234567890',
};
const STRING_A =
  'appid=wx2421b1c4370ec43b&bank_type=CFT&cash_fee=999&fee_type=CNY&is_subscribe=N&mch_id=1900000109&nonce_str=5d2b6c2a8db53831f7eda20af46e531c' +
  '&openid=oUpF8uMEb4qRXf22hE3X68TekukE&out_trade_no=K3J9QX2M7PLA0B1C&result_code=SUCCESS&return_code=SUCCESS&time_end=20261121140402&total_fee=999' +
  '&trade_type=NATIVE&transaction_id=4200001234202611211234567890';
const MD5_SIGN = createHash('md5').update(`${STRING_A}&key=${KEY}`).digest('hex').toUpperCase();

function xmlOf(fields: Record<string, string>): string {
  let s = '<xml>';
  for (const [k, v] of Object.entries(fields)) s += /^\d+$/.test(v) ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${v}]]></${k}>`;
  return s + '</xml>';
}

describe('wechatpay v2: signatures', () => {
  test('the documented example: MD5 and HMAC-SHA256 signatures', () => {
    assert.equal(wxV2Sign(doc.params, doc.key, 'MD5'), doc.expect.sign_MD5);
    assert.equal(wxV2Sign(doc.params, doc.key, 'HMAC-SHA256'), doc.expect.sign_HMAC_SHA256);
  });

  test('the documented example read as a notify: sign_type field or a 64-character sign selects HMAC', () => {
    const k = { wechatpay: { [doc.params.mch_id!]: { key: doc.key } } };
    const base = { ...doc.params, out_trade_no: 'X', total_fee: '1' };
    // Extra fields change the signature, so sign them here by hand for both algorithms.
    const a = Object.keys(base).sort().map((x) => `${x}=${base[x as keyof typeof base]}`).join('&') + `&key=${doc.key}`;
    const md5 = createHash('md5').update(a).digest('hex').toUpperCase();
    assert.equal(wechatpayV2.read({ xml: xmlOf({ ...base, sign: md5 }) }, k).signature, 'verified');
    const withType = { ...base, sign_type: 'HMAC-SHA256' };
    const b = Object.keys(withType).sort().map((x) => `${x}=${withType[x as keyof typeof withType]}`).join('&') + `&key=${doc.key}`;
    const hmac = createHmac('sha256', doc.key).update(b).digest('hex').toUpperCase();
    const r = wechatpayV2.read({ xml: xmlOf({ ...withType, sign: hmac }) }, k);
    assert.equal(r.signature, 'verified', r.why);
    assert.match(r.why, /HMAC-SHA256/);
    // No sign_type, 64-character sign: HMAC over the fields without sign_type.
    const hmac2 = createHmac('sha256', doc.key).update(a).digest('hex').toUpperCase();
    assert.equal(wechatpayV2.read({ xml: xmlOf({ ...base, sign: hmac2 }) }, k).signature, 'verified');
  });

  test('known answer: a paid notify verifies and normalises (fen → yuan, time_end, openid)', () => {
    const r = wechatpayV2.read({ xml: xmlOf({ ...FIELDS, sign: MD5_SIGN }) }, keys);
    assert.equal(r.signature, 'verified', r.why);
    assert.deepEqual(r.payment, {
      gateway: 'wechatpay-v2',
      channel: 'wxpay',
      success: true,
      merchant_id: MCH,
      order_id: 'K3J9QX2M7PLA0B1C',
      trade_no: '4200001234202611211234567890',
      amount: 9.99,
      status: 'SUCCESS',
      paid_time: '20261121140402',
      buyer: 'oUpF8uMEb4qRXf22hE3X68TekukE',
    });
  });

  test('the auto-detecting payload reads v2 from params.xml and from a raw XML body', () => {
    assert.equal(wechatpay.read({ xml: xmlOf({ ...FIELDS, sign: MD5_SIGN }) }, keys).signature, 'verified');
    assert.equal(wechatpay.read({}, keys, xmlOf({ ...FIELDS, sign: MD5_SIGN })).signature, 'verified');
    // nginx (escape=default) writes `"` and non-ASCII bytes as \xHH.
    const escaped = xmlOf({ ...FIELDS, attach: '"vip"', sign: 'X' }).replace(/"/g, '\\x22');
    const r = wechatpay.read({}, keys, escaped);
    assert.equal(r.payment?.order_id, 'K3J9QX2M7PLA0B1C');
    assert.equal(wechatpay.read({}, keys, '-').absent, true);
    assert.equal(wechatpay.read({}, keys).absent, true);
  });

  test('tampered total_fee, a wrong key → bad_signature; no key or no sign → unverifiable', () => {
    assert.equal(wechatpayV2.read({ xml: xmlOf({ ...FIELDS, total_fee: '1', sign: MD5_SIGN }) }, keys).signature, 'bad_signature');
    assert.equal(wechatpayV2.read({ xml: xmlOf({ ...FIELDS, sign: MD5_SIGN }) }, { wechatpay: { [MCH]: { key: KEY.toLowerCase() } } }).signature, 'bad_signature');
    const noKey = wechatpayV2.read({ xml: xmlOf({ ...FIELDS, sign: MD5_SIGN }) }, { wechatpay: { [MCH]: { apiv3_key: 'x'.repeat(32) } } });
    assert.equal(noKey.signature, 'unverifiable');
    assert.match(noKey.why, /no WeChat Pay API key for mch_id 1900000109/);
    assert.equal(wechatpayV2.read({ xml: xmlOf(FIELDS) }, keys).signature, 'unverifiable');
  });

  test('a failed payment (result_code FAIL) is not a success', () => {
    const f = { ...FIELDS, result_code: 'FAIL', err_code: 'NOTENOUGH' };
    const r = wechatpayV2.read({ xml: xmlOf({ ...f, sign: wxV2Sign(f, KEY, 'MD5') }) }, keys);
    assert.equal(r.payment?.success, false);
    assert.equal(r.payment?.status, 'FAIL');
  });
});

describe('wechatpay v2: the flat XML reader', () => {
  test('CDATA, bare text, predefined entities, self-closing, whitespace layout, prolog', () => {
    const x = '<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <a><![CDATA[x<y>&z]]></a>\n  <b>7</b>\n  <c>a&amp;b&#20013;</c>\n  <d/>\n  <e>\n    <![CDATA[v]]>\n  </e>\n  <f><![CDATA[]]]]><![CDATA[>]]></f>\n</xml>\n';
    const r = parseFlatXml(x);
    assert.deepEqual(r, { ok: true, fields: { a: 'x<y>&z', b: '7', c: 'a&b中', d: '', e: 'v', f: ']]>' } });
  });

  const malformed: [string, string, RegExp][] = [
    ['cut short', '<xml><a><![CDATA[1]]></a><b>', /does not end with <\/xml>/],
    ['wrong root', '<root><a>1</a></root>', /root element is not <xml>/],
    ['DTD (XXE attempt)', '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><a>&x;</a></xml>', /DTD/],
    ['undefined entity', '<xml><a>&x;</a></xml>', /entity/],
    ['nested element', '<xml><a><b>1</b></a></xml>', /nested element inside <a>/],
    ['duplicate field', '<xml><a>1</a><a>2</a></xml>', /duplicate field <a>/],
    ['wrong end tag', '<xml><a>1</b></xml>', /wrong end tag/],
    ['attributes', '<xml><a x="1">1</a></xml>', /attributes/],
    ['unterminated CDATA', '<xml><a><![CDATA[1</a></xml>', /unterminated CDATA/],
    ['text outside fields', '<xml>oops<a>1</a></xml>', /text outside any field/],
    ['not XML at all', '{"a":1}', /root element/],
    ['empty', '', /root element/],
  ];
  for (const [name, x, why] of malformed) {
    test(`malformed (${name}) is a value, not an exception`, () => {
      const r = parseFlatXml(x);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, why);
      // Through the gateway: a problem to report, no payment, never verified.
      const g = wechatpayV2.read({ xml: x }, keys);
      assert.equal(g.signature, 'unverifiable');
      assert.equal(g.payment, undefined);
      assert.match(g.problem ?? '', /malformed WeChat Pay v2 XML/);
    });
  }

  test('`__proto__` and `constructor` are ordinary field names', () => {
    const r = parseFlatXml('<xml><__proto__>1</__proto__><constructor>2</constructor></xml>');
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(Object.getPrototypeOf(r.fields), Object.prototype);
      assert.equal(Object.getOwnPropertyDescriptor(r.fields, '__proto__')?.value, '1');
      assert.equal(r.fields.constructor, '2');
    }
  });

  test('property: any flat field set written as CDATA XML reads back exactly', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/);
    const value = fc.string({ maxLength: 30, unit: 'grapheme' }).filter((v) => !v.includes(']]>'));
    fc.assert(
      fc.property(fc.dictionary(name, value, { maxKeys: 20 }), (fields) => {
        let x = '<xml>';
        for (const [k, v] of Object.entries(fields)) x += `<${k}><![CDATA[${v}]]></${k}>`;
        x += '</xml>';
        assert.deepEqual(parseFlatXml(x), { ok: true, fields: { ...fields } });
      }),
    );
  });

  test('property: arbitrary text never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `<xml>${s}</xml>`), fc.string().map((s) => `<xml><a>${s}</a></xml>`)), (s) => {
        const r = parseFlatXml(s);
        assert.equal(typeof r.ok, 'boolean');
        wechatpay.read({ xml: s }, keys);
      }),
      { numRuns: 500 },
    );
  });
});

describe('fen → yuan', () => {
  test('exact: 1 → 0.01, 999 → 9.99, 99999 → 999.99', () => {
    assert.equal(fenToYuan('1'), 0.01);
    assert.equal(fenToYuan('999'), 9.99);
    assert.equal(fenToYuan('99999'), 999.99);
    assert.equal(fenToYuan('0'), 0);
    assert.equal(fenToYuan('1.5'), undefined);
    assert.equal(fenToYuan('-1'), undefined);
    assert.equal(fenToYuan(''), undefined);
  });

  test('property: fenToYuan(n) is the same number as the decimal text n/100 parses to', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (n) => {
        const text = `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
        assert.equal(fenToYuan(String(n)), Number(text));
      }),
    );
  });

  test('a v2 notify of 1 fen reads as 0.01 yuan', () => {
    const f = { ...FIELDS, total_fee: '1', cash_fee: '1' };
    assert.equal(wechatpayV2.read({ xml: xmlOf({ ...f, sign: wxV2Sign(f, KEY, 'MD5') }) }, keys).payment?.amount, 0.01);
  });
});
