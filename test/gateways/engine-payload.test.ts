// The built-in gateway rules through the rule engine: which log events become callback evidence,
// with what signature state, and which stay noise.

import assert from 'node:assert/strict';
import { createHash, createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { ZoneClock } from '../../parsers/time';
import { flattenContext } from '../../parsers/app/json-context';
import type { LogEvent } from '../../src/model/types';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const APP_ID = '2021004100000001';
const keys = {
  alipay: { [APP_ID]: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  wechatpay: { '1900000109': { key: 'wxkey' } },
  epusdt: { shop: 'tok' },
};
const engine = new RuleEngine(loadRules(), { keys, clock: new ZoneClock('Asia/Shanghai') });

function alipaySigned(fields: Record<string, string>): Record<string, string> {
  const content = Object.keys(fields).filter((k) => k !== 'sign_type').sort().map((k) => `${k}=${fields[k]}`).join('&');
  return { ...fields, sign: createSign('RSA-SHA256').update(content).sign(privateKey, 'base64') };
}
const form = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

function nginx(method: string, path: string, query: string, body?: string): LogEvent {
  const fields: Record<string, string> = { method, path, query, status: '200', client_ip: '203.0.113.9', ua: 'x' };
  if (body !== undefined) fields.request_body = body;
  return { format: 'nginx-combined', file: 'access.log', line: 1, lineEnd: 1, offset: 0, tsMs: Date.UTC(2026, 10, 21, 6), tzOffsetMin: 480, fields };
}
function laravel(message: string, ctx: unknown): LogEvent {
  return {
    format: 'laravel',
    file: 'laravel.log',
    line: 1,
    lineEnd: 1,
    offset: 0,
    tsMs: Date.UTC(2026, 10, 21, 6),
    tzOffsetMin: 480,
    fields: { level: 'INFO', channel: 'local', message },
    params: flattenContext(ctx),
  };
}

const notify = alipaySigned({
  app_id: APP_ID,
  notify_type: 'trade_status_sync',
  notify_id: 'n1',
  out_trade_no: 'K3J9QX2M7PLA0B1C',
  trade_no: '2026112122001400001',
  total_amount: '9.90',
  trade_status: 'TRADE_SUCCESS',
  subject: '会员 VIP',
  gmt_payment: '2026-11-21 14:04:02',
  sign_type: 'RSA2',
});

describe('gateway rules in the engine', () => {
  test('Alipay notify POST with its form body logged → verified payment_notified', () => {
    const e = engine.apply(nginx('POST', '/pay/alipay/notify_url', '', form(notify)), 'nginx');
    assert.equal(e?.rule, 'alipay.nginx.notify-body');
    assert.equal(e?.kind, 'payment_notified');
    assert.equal(e?.signature, 'verified', String(e?.fields.signature_note));
    assert.equal(e?.fields.order_id, 'K3J9QX2M7PLA0B1C');
    assert.equal(e?.fields.amount, 9.9);
    assert.equal(e?.fields.paid_at, '2026-11-21T14:04:02+08:00');
  });

  test('Alipay notify POST logged without its body is only a dated callback: no order, no payment', () => {
    for (const body of [undefined, '-']) {
      const e = body === undefined ? engine.apply(nginx('POST', '/pay/alipay/notify_url', ''), 'nginx') : engine.apply(nginx('POST', '/pay/alipay/notify_url', '', body), 'nginx');
      assert.equal(e?.kind, 'callback_seen');
      assert.equal(e?.rule, 'callbacks.nginx.post-unlogged');
      assert.equal(e?.fields.pay_handler, 'alipay');
      assert.equal(e?.fields.order_id, undefined);
      assert.equal(e?.signature, undefined);
    }
  });

  test('the signed return_url redirect (a GET to the order page) → payment_notified, not a page view', () => {
    const ret = alipaySigned({ app_id: APP_ID, method: 'alipay.trade.page.pay.return', out_trade_no: 'K3J9QX2M7PLA0B1C', trade_no: '2026112122001400001', total_amount: '9.90', sign_type: 'RSA2' });
    const e = engine.apply(nginx('GET', '/detail-order-sn/K3J9QX2M7PLA0B1C', form(ret)), 'nginx');
    assert.equal(e?.rule, 'alipay.nginx.return');
    assert.equal(e?.signature, 'verified');
    assert.equal(e?.fields.gateway_success, 'yes');
    // A plain view of the same page is still the dujiaoka rule's.
    assert.equal(engine.apply(nginx('GET', '/detail-order-sn/K3J9QX2M7PLA0B1C', ''), 'nginx')?.rule, 'dujiaoka.nginx.detail');
  });

  test('WeChat Pay POST: XML body verified; no body → noise', () => {
    const f: Record<string, string> = { mch_id: '1900000109', out_trade_no: 'WX1', total_fee: '1', return_code: 'SUCCESS', result_code: 'SUCCESS', transaction_id: 't1' };
    const a = Object.keys(f).sort().map((k) => `${k}=${f[k]}`).join('&') + '&key=wxkey';
    const sign = createHmac('sha256', 'wxkey').update(a).digest('hex').toUpperCase();
    const xml = `<xml>${Object.entries({ ...f, sign }).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('')}</xml>`;
    const e = engine.apply(nginx('POST', '/pay/wepay/notify_url', '', xml), 'nginx');
    assert.equal(e?.rule, 'wechatpay.nginx.notify-body');
    assert.equal(e?.signature, 'verified', String(e?.fields.signature_note));
    assert.equal(e?.fields.amount, 0.01);
    assert.equal(e?.fields.channel, 'wxpay');
    assert.equal(engine.apply(nginx('POST', '/pay/wepay/notify_url', ''), 'nginx'), null);
  });

  test('epusdt POST with its JSON body → verified, merchant named by the matching token', () => {
    const s = 'amount=5.7&order_id=U1&status=2&trade_id=T1';
    const body = JSON.stringify({ trade_id: 'T1', order_id: 'U1', amount: 5.7, signature: createHash('md5').update(s + 'tok').digest('hex'), status: 2 });
    const e = engine.apply(nginx('POST', '/pay/epusdt/notify_url', '', body), 'nginx');
    assert.equal(e?.rule, 'epusdt.nginx.notify-body');
    assert.equal(e?.signature, 'verified');
    assert.equal(e?.fields.merchant_id, 'shop');
    assert.equal(engine.apply(nginx('POST', '/pay/epusdt/notify_url', ''), 'nginx'), null);
  });

  test('app-log lines: 支付宝回调 verified; a forged copy bad_signature; malformed WeChat XML is a flagged problem', () => {
    assert.equal(engine.apply(laravel('支付宝回调', notify), 'laravel')?.signature, 'verified');
    const forged = engine.apply(laravel('支付宝回调', { ...notify, total_amount: '0.01' }), 'laravel');
    assert.equal(forged?.signature, 'bad_signature');
    const bad = engine.apply(laravel('微信支付回调', { xml: '<xml><out_trade_no>X</out_trade_no>' }), 'laravel');
    assert.equal(bad?.rule, 'wechatpay.app.notify');
    assert.equal(bad?.signature, 'unverifiable');
    assert.equal(bad?.fields.gateway_success, 'no');
    assert.equal(bad?.fields.order_id, undefined);
    assert.match(String(bad?.fields.payload_problem), /malformed WeChat Pay v2 XML/);
    // A 微信支付回调 line with neither xml nor body carries no callback: noise.
    assert.equal(engine.apply(laravel('微信支付回调', { note: 'hi' }), 'laravel'), null);
  });
});
