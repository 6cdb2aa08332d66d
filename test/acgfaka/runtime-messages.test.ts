// acg-faka's runtime.log as the code writes it (lizhipay/acg-faka, app/Service/Bind/Order.php and
// app/Util/PayConfig.php; messages listed per version in docs/log-shapes.md): every CALLBACK
// reason reaches its rule, and the `，接受数据：<json>` suffix of ≤ 3.3.5 becomes the entry's
// params, on the same line or the next.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { ZoneClock } from '../../parsers/time';
import { acgFakaRuntime } from '../../parsers/app/acg-faka-runtime';
import { assertCovered, runParser } from '../parsers-app/support';

const engine = new RuleEngine(loadRules([]), { clock: new ZoneClock('Asia/Shanghai') });
const TN = '123261121140311456';
const MAP = { pid: '1001', trade_no: '2026112114040299901', out_trade_no: TN, type: 'alipay', name: 'VIP会员', money: '9.90', trade_status: 'TRADE_SUCCESS', sign: '5d41402abc4b2a76b9719d911017c592', sign_type: 'MD5' };
// json_encode($map, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES): Node's JSON.stringify writes the same text for a flat string map.
const JSON_MAP = JSON.stringify(MAP);

function apply(text: string) {
  const r = runParser(acgFakaRuntime, text);
  assertCovered(r);
  return r.events.map((ev) => ({ ev, e: engine.apply(ev, 'acg-faka') }));
}

test('acg-faka runtime: every CALLBACK reason the code writes reaches its rule', () => {
  // [message as written, rule, reject_reason] — versions in docs/log-shapes.md.
  const table: [string, string, string | undefined][] = [
    ['签名验证失败', 'acg-faka.runtime.bad-signature', 'bad_signature'],
    ['状态验证失败', 'acg-faka.runtime.bad-status', 'bad_status'],
    ['订单金额不匹配', 'acg-faka.runtime.amount-mismatch', 'amount_mismatch'],
    ['回调金额不是合法数字', 'acg-faka.runtime.amount-mismatch', 'amount_mismatch'],
    ['订单不存在', 'acg-faka.runtime.order-not-found', 'order_not_found'],
    ['报文中取不到订单号、或与回调地址的订单号不一致，无法确认这笔回调属于本单，已拒绝', 'acg-faka.runtime.order-mismatch', 'order_mismatch'],
    ['支付凭据未配置，拒绝回调', 'acg-faka.runtime.not-configured', 'not_configured'],
    ['支付配置不存在，无法验签：支付配置不存在', 'acg-faka.runtime.not-configured', 'not_configured'],
    ['插件未实现接口', 'acg-faka.runtime.not-configured', 'not_configured'],
    ['插件缺少 Config/Info.php 的 callback 定义', 'acg-faka.runtime.not-configured', 'not_configured'],
    ['重复通知，当前订单已支付', 'acg-faka.runtime.duplicate-notify', undefined],
  ];
  const out = apply(table.map(([m], i) => `[CALLBACK][2026-11-21 14:03:${String(10 + i).padStart(2, '0')}]:${m}`).join('\n'));
  assert.equal(out.length, table.length);
  table.forEach(([m, rule, reason], i) => {
    const e = out[i]!.e;
    assert.ok(e !== null, m);
    assert.equal(e.rule, rule, m);
    assert.equal(e.fields.reject_reason, reason, m);
    assert.equal(e.kind, reason === undefined ? 'payment_notified' : 'payment_rejected', m);
  });
});

test('acg-faka runtime: balance top-ups (CALLBACK-RECHARGE), plugin (TRADE) and config lines are not order evidence', () => {
  const out = apply(
    [
      '[CALLBACK-RECHARGE][2026-11-21 14:03:11]:订单金额不匹配',
      '[CALLBACK-RECHARGE][2026-11-21 14:03:12]:重复通知，当前订单已支付',
      '[TRADE][2026-11-21 14:03:13]:没有获取到二维码',
      '[CONFIG][2026-11-21 14:03:14]:支付配置#3不存在或不属于该插件，已拒绝本次请求',
    ].join('\n'),
  );
  assert.deepEqual(out.map((o) => o.ev.fields.tag), ['CALLBACK-RECHARGE', 'CALLBACK-RECHARGE', 'TRADE', 'CONFIG']);
  for (const o of out) assert.equal(o.e, null, o.ev.fields.message);
});

test('acg-faka runtime: ≤ 3.3.5 `，接受数据：<json>` on the same line becomes params, and the line joins its order', () => {
  const out = apply(
    [
      `[CALLBACK][2026-11-21 14:03:11]:签名验证失败，接受数据：${JSON_MAP}`,
      `[CALLBACK][2026-11-21 14:03:12]:订单金额不匹配，接受数据：${JSON.stringify({ ...MAP, money: '0.01' })}`,
      `[CALLBACK][2026-11-21 14:03:13]:订单不存在，接受数据：${JSON_MAP}`,
    ].join('\n'),
  );
  const [sig, amount, missing] = out;
  assert.equal(sig!.ev.fields.message, '签名验证失败');
  assert.equal(sig!.ev.fields.received, 'yes');
  assert.deepEqual(sig!.ev.params, MAP);
  assert.equal(sig!.e!.rule, 'acg-faka.runtime.bad-signature');
  assert.equal(sig!.e!.fields.order_id, TN);
  assert.equal(sig!.e!.fields.amount, 9.9);
  assert.equal(amount!.e!.rule, 'acg-faka.runtime.amount-mismatch');
  assert.equal(amount!.e!.fields.amount, 0.01);
  assert.equal(missing!.e!.rule, 'acg-faka.runtime.order-not-found');
  assert.equal(missing!.e!.fields.order_id, TN);
});

test('acg-faka runtime: the JSON on the next line (a re-wrapped file) is read the same, and spans both lines', () => {
  const out = apply([`[CALLBACK][2026-11-21 14:03:11]:状态验证失败，接受数据：`, JSON.stringify({ ...MAP, trade_status: 'WAIT' }), '[CALLBACK][2026-11-21 14:03:12]:签名验证失败'].join('\n'));
  assert.equal(out.length, 2);
  const [st, next] = out;
  assert.deepEqual([st!.ev.line, st!.ev.lineEnd], [1, 2]);
  assert.equal(st!.ev.fields.message, '状态验证失败');
  assert.equal(st!.ev.params!.trade_status, 'WAIT');
  assert.equal(st!.e!.rule, 'acg-faka.runtime.bad-status');
  assert.equal(st!.e!.fields.order_id, TN);
  assert.equal(next!.e!.fields.order_id, undefined, 'a bare reason (3.3.6+) names no order');
});

test('acg-faka runtime: a marker with nothing readable after it (json_encode failed, or the line was cut) keeps the reason', () => {
  const out = apply(['[CALLBACK][2026-11-21 14:03:11]:签名验证失败，接受数据：', `[CALLBACK][2026-11-21 14:03:12]:签名验证失败，接受数据：{"pid":"1001","out_trade_no":"${TN}","mon`].join('\n'));
  assert.equal(out[0]!.ev.fields.message, '签名验证失败');
  assert.deepEqual(out[0]!.ev.params ?? {}, {}, 'no params (the engine may leave an empty set)');
  assert.equal(out[0]!.e!.rule, 'acg-faka.runtime.bad-signature');
  assert.equal(out[1]!.ev.fields.message, '签名验证失败');
  assert.deepEqual(out[1]!.ev.params ?? {}, {});
  assert.ok(out[1]!.ev.fields.received_raw!.startsWith('{"pid"'));
});
