// The built-in acg-faka pack (rules/packs/acg-faka.yaml) on real-shaped nginx and runtime.log lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { ZoneClock } from '../../parsers/time';
import { parseCombined } from '../../parsers/nginx/combined';
import { acgFakaRuntime } from '../../parsers/app/acg-faka-runtime';
import type { Evidence, LogEvent } from '../../src/model/types';
import { runParser } from './support';

const engine = new RuleEngine(loadRules([]), { clock: new ZoneClock('Asia/Shanghai') });
const TN = '123261121140311456';
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)';
const EPAY = `money=9.90&name=VIP&out_trade_no=${TN}&pid=1001&trade_no=2026112114040299901&trade_status=TRADE_SUCCESS&type=alipay&sign=5d41402abc4b2a76b9719d911017c592&sign_type=MD5`;

function nginx(request: string, status = 200, bytes = 512): Evidence | null {
  const r = parseCombined(`10.0.0.2 - - [21/Nov/2026:14:03:11 +0800] "${request}" ${status} ${bytes} "-" "${UA}" "203.0.113.7"`);
  if (typeof r === 'string') assert.fail(r);
  const ev: LogEvent = { ...r, file: 'access.log', line: 1, lineEnd: 1, offset: 0 };
  return engine.apply(ev, 'nginx');
}

function runtime(text: string): (Evidence | null)[] {
  return runParser(acgFakaRuntime, text).events.map((ev) => engine.apply(ev, 'acg-faka'));
}

test('acg-faka pack: the buyer trail in nginx', () => {
  const trade = nginx('POST /user/api/order/trade HTTP/1.1', 200, 180)!;
  assert.equal(trade.rule, 'acg-faka.nginx.trade');
  assert.equal(trade.kind, 'order_created');
  assert.equal(trade.fields.order_id, undefined);
  assert.equal(trade.fields.client_ip, '203.0.113.7');
  assert.equal(trade.fields.user_agent, UA);

  const page = nginx(`GET /user/pay/order.${TN}.2 HTTP/1.1`)!;
  assert.equal(page.rule, 'acg-faka.nginx.pay-page');
  assert.equal(page.kind, 'payment_started');
  assert.equal(page.fields.order_id, TN);
  assert.equal(page.fields.pay_page, '2');
  assert.equal(nginx('GET /user/pay/order.12345.1 HTTP/1.1'), null, 'not an 18-digit trade_no');
  assert.equal(nginx(`GET /user/pay/order.${TN}.3 HTTP/1.1`), null, 'only .1 and .2 exist');

  const query = nginx(`GET /user/index/query?tradeNo=${TN} HTTP/1.1`)!;
  assert.equal(query.rule, 'acg-faka.nginx.query');
  assert.equal(query.kind, 'order_viewed');
  assert.equal(query.fields.order_id, TN);

  const back = nginx(`GET /user/index/query?tradeNo=${TN}&${EPAY} HTTP/1.1`)!;
  assert.equal(back.rule, 'acg-faka.nginx.return-epay');
  assert.equal(back.kind, 'payment_notified');
  assert.equal(back.fields.order_id, TN);
  assert.equal(back.fields.amount, 9.9);
  assert.equal(back.signature, 'unverifiable');
  assert.equal(back.fields.copy, 'return');
});

test('acg-faka pack: callbacks to /user/api/order/callback.{trade_no}', () => {
  const ok = nginx(`POST /user/api/order/callback.${TN} HTTP/1.1`, 200, 7)!;
  assert.equal(ok.rule, 'acg-faka.nginx.callback');
  assert.equal(ok.kind, 'payment_notified');
  assert.equal(ok.fields.order_id, TN);
  assert.equal(ok.signature, undefined);

  // ≥ 3.5.9 refuses with {"code":0,"msg":"fail"} (23 bytes); a 7-byte `success` is an acceptance.
  const refused = nginx(`POST /user/api/order/callback.${TN} HTTP/1.1`, 200, 23)!;
  assert.equal(refused.rule, 'acg-faka.nginx.callback-refused');
  assert.equal(refused.kind, 'payment_rejected');
  assert.equal(refused.fields.order_id, TN);
  assert.equal(refused.fields.shop_answer, 'refused');
  assert.equal(nginx(`POST /user/api/order/callback.${TN} HTTP/1.1`, 200, 1024)!.rule, 'acg-faka.nginx.callback');

  // A GET callback with the epay parameters is epay.yaml's rule: the acg-faka pack does not shadow it.
  const get = nginx(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 200, 7)!;
  assert.equal(get.rule, 'epay.nginx.notify');
  assert.equal(get.fields.order_id, TN);
});

test('acg-faka pack: runtime.log refusals are payment_rejected, duplicates payment_notified; no order id unless dumped', () => {
  const [sig, status, amount, dup, other] = runtime(
    [
      '[CALLBACK][2026-11-21 14:03:11]:签名验证失败',
      '[CALLBACK][2026-11-21 14:03:12]:状态验证失败',
      '[CALLBACK][2026-11-21 14:03:13]:订单金额不匹配',
      '[CALLBACK][2026-11-21 14:03:14]:重复通知，当前订单已支付',
      '[NOTIFY][2026-11-21 14:03:15]:something else',
    ].join('\n'),
  );
  assert.deepEqual([sig!.rule, sig!.kind, sig!.fields.reject_reason], ['acg-faka.runtime.bad-signature', 'payment_rejected', 'bad_signature']);
  assert.deepEqual([status!.rule, status!.kind, status!.fields.reject_reason], ['acg-faka.runtime.bad-status', 'payment_rejected', 'bad_status']);
  assert.deepEqual([amount!.rule, amount!.kind, amount!.fields.reject_reason], ['acg-faka.runtime.amount-mismatch', 'payment_rejected', 'amount_mismatch']);
  assert.deepEqual([dup!.rule, dup!.kind, dup!.fields.duplicate_notify], ['acg-faka.runtime.duplicate-notify', 'payment_notified', 'yes']);
  for (const e of [sig, status, amount, dup]) assert.equal(e!.fields.order_id, undefined);
  assert.equal(sig!.ts, '2026-11-21T14:03:11+08:00');
  assert.equal(other, null);

  const [dumped] = runtime(`[CALLBACK][2026-11-21 14:03:11]:签名验证失败 {"out_trade_no":"${TN}","money":"9.90"}`);
  assert.equal(dumped!.fields.order_id, TN);
  assert.equal(dumped!.fields.amount, 9.9);
  assert.equal(dumped!.fields.message, '签名验证失败');
});
