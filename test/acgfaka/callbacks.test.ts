// acg-faka callbacks in the nginx access log, both URL generations, told apart from refusals by
// the size of acg-faka's answer; and how copies from logs without the answer (nginx's error log,
// acg-faka's request log) weigh in the record.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { ZoneClock } from '../../parsers/time';
import { parseCombined } from '../../parsers/nginx/combined';
import { nginxError } from '../../parsers/nginx/error-log';
import { acgFakaRequest } from '../../parsers/app/acg-faka-request';
import { buildTransaction } from '../../src/correlate/build-transaction';
import type { Evidence, LogEvent } from '../../src/model/types';
import { runParser } from '../parsers-app/support';
import { scoreRecord } from '../../src/score/score';

const engine = new RuleEngine(loadRules([]), { clock: new ZoneClock('Asia/Shanghai') });
const TN = '123261121140311456';
const EPAY = `money=9.90&name=VIP&out_trade_no=${TN}&pid=1001&trade_no=2026112114040299901&trade_status=TRADE_SUCCESS&type=alipay&sign=5d41402abc4b2a76b9719d911017c592&sign_type=MD5`;
const GW_UA = 'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36';

let line = 0;
function access(request: string, status: number, bytes: number, time = '21/Nov/2026:14:04:02 +0800'): Evidence | null {
  const r = parseCombined(`203.0.113.9 - - [${time}] "${request}" ${status} ${bytes} "-" "${GW_UA}"`);
  if (typeof r === 'string') assert.fail(r);
  line++;
  const ev: LogEvent = { ...r, file: 'shop.example.log', line, lineEnd: line, offset: line * 200 };
  return engine.apply(ev, 'nginx');
}

test('acg-faka callbacks: refusal bodies by version, acceptance `success`, both URL generations', () => {
  // ≥ 3.5.9: {"code":0,"msg":"fail"} is 23 bytes.
  const refusedGet = access(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 200, 23)!;
  assert.equal(refusedGet.rule, 'acg-faka.nginx.callback-refused-epay');
  assert.equal(refusedGet.kind, 'payment_rejected');
  assert.equal(refusedGet.fields.order_id, TN);
  assert.equal(refusedGet.fields.amount, 9.9);
  assert.equal(refusedGet.fields.shop_answer, 'refused');
  const okGet = access(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 200, 7)!;
  assert.equal(okGet.rule, 'epay.nginx.notify');
  assert.equal(okGet.kind, 'payment_notified');
  // ≤ 3.5.8: the plugin's name in the URL; "sign error" is 29 bytes, "order status error" 37.
  const oldRefused = access('POST /user/api/order/callback.Epay HTTP/1.1', 200, 29)!;
  assert.equal(oldRefused.rule, 'acg-faka.nginx.callback-refused');
  assert.equal(oldRefused.fields.plugin, 'Epay');
  assert.equal(oldRefused.fields.order_id, undefined);
  const dup = access('POST /user/api/order/callback.Epay HTTP/1.1', 200, 37)!;
  assert.deepEqual([dup.rule, dup.kind, dup.fields.duplicate_notify], ['acg-faka.nginx.callback-duplicate', 'payment_notified', 'yes']);
  const dupGet = access(`GET /user/api/order/callback.Epay?${EPAY} HTTP/1.1`, 200, 37)!;
  assert.deepEqual([dupGet.rule, dupGet.kind, dupGet.fields.order_id, dupGet.fields.shop_answer], ['acg-faka.nginx.callback-duplicate-epay', 'payment_notified', TN, 'already_paid']);
  const oldOk = access('POST /user/api/order/callback.Alipay HTTP/1.1', 200, 7)!;
  assert.equal(oldOk.rule, 'acg-faka.nginx.callback');
  assert.equal(oldOk.fields.plugin, 'Alipay');
  const oldGet = access(`GET /user/api/order/callback.Epay?${EPAY} HTTP/1.1`, 200, 7)!;
  assert.equal(oldGet.rule, 'epay.nginx.notify');
  assert.equal(oldGet.fields.order_id, TN);
  const oldGetRefused = access(`GET /user/api/order/callback.Epay?${EPAY} HTTP/1.1`, 200, 31)!;
  assert.equal(oldGetRefused.rule, 'acg-faka.nginx.callback-refused-epay');
  assert.equal(oldGetRefused.fields.plugin, 'Epay');
});

function requestLogCopy(): Evidence {
  const get = Object.fromEntries(new URLSearchParams(EPAY));
  const rec = JSON.stringify({ time: '2026-11-21 14:04:02', ip: '203.0.113.9', method: 'GET', uri: `/user/api/order/callback.${TN}?${EPAY}`, user_agent: GW_UA, referer: '', get: { s: `/user/api/order/callback.${TN}`, ...get }, post: [], json: [], raw_body: '', cookies: [], headers: {} });
  return engine.apply(runParser(acgFakaRequest, rec).events[0]!, 'nginx')!;
}

function errorLogCopy(fatal: boolean): Evidence {
  const what = fatal ? 'PHP Fatal error:  Uncaught Error: Call to a member function save() on null' : 'PHP Warning:  Undefined variable $x';
  const text = `2026/11/21 14:04:02 [error] 1234#0: *9 FastCGI sent in stderr: "PHP message: ${what} in /www/wwwroot/shop/app/Service/Bind/Order.php on line 1" while reading response header from upstream, client: 203.0.113.9, server: shop.example, request: "GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1", upstream: "fastcgi://unix:/tmp/php-cgi-74.sock:", host: "shop.example"`;
  return engine.apply(runParser(nginxError, text).events[0]!, 'nginx')!;
}

test('a request-log copy alone is a paying callback; beside the shop\'s refusal body it is not', () => {
  const copy = requestLogCopy();
  assert.equal(copy.fields.copy, 'request_log');
  assert.equal(buildTransaction(TN, [copy], scoreRecord).status, 'paid');
  const refused = access(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 200, 23)!;
  const t = buildTransaction(TN, [copy, refused], scoreRecord);
  assert.notEqual(t.status, 'paid');
  assert.ok(t.flags.includes('notify_refused_by_shop'), t.flags.join());
  // Acknowledged in the access log: paid.
  const ok = access(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 200, 7)!;
  assert.equal(buildTransaction(TN, [copy, ok], scoreRecord).status, 'paid');
});

test('an error-log copy is never an acknowledgement: a warning is neutral, a PHP fatal error is an error answer', () => {
  const warning = errorLogCopy(false);
  const fatal = errorLogCopy(true);
  assert.equal(warning.fields.copy, 'error_log');
  assert.equal(fatal.fields.shop_failed, 'yes');
  // With the access log's 500 beside it, the warning copy does not hide the refusal.
  const e500 = access(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 500, 1024)!;
  assert.equal(e500.fields.http_status, '500');
  const t = buildTransaction(TN, [warning, e500], scoreRecord);
  assert.ok(t.flags.includes('notify_refused_by_shop'), t.flags.join());
  assert.notEqual(t.status, 'paid');
  // The fatal copy alone: the shop died on the only callback seen.
  const f = buildTransaction(TN, [fatal], scoreRecord);
  assert.ok(f.flags.includes('notify_refused_by_shop'), f.flags.join());
  assert.notEqual(f.status, 'paid');
  // The warning copy alone: a signed callback was received; how it was answered is unknown.
  assert.equal(buildTransaction(TN, [warning], scoreRecord).status, 'paid');
  // The fatal copy beside an acknowledged one (a retry that succeeded): paid.
  const ok = access(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 200, 7, '21/Nov/2026:14:05:02 +0800')!;
  assert.equal(buildTransaction(TN, [fatal, ok], scoreRecord).status, 'paid');
});

test('a refusal of a later retry does not veto: it may be the answer to a duplicate after a copy the shop processed', () => {
  // The first attempt timed out (the gateway hung up: 499); the retries were refused, as
  // acg-faka ≥ 3.5.9 refuses a duplicate for an order it has already paid.
  const timeout = access(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 499, 0, '21/Nov/2026:14:04:17 +0800')!;
  assert.equal(timeout.rule, 'epay.nginx.notify');
  const retry1 = access(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 200, 23, '21/Nov/2026:14:05:10 +0800')!;
  const retry2 = access(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 200, 23, '21/Nov/2026:14:08:10 +0800')!;
  const t = buildTransaction(TN, [timeout, retry1, retry2], scoreRecord);
  assert.equal(t.status, 'paid', t.flags.join());
  assert.ok(!t.flags.includes('notify_refused_by_shop'));
  // The first attempt refused, the retries too: the shop never took it.
  const first = access(`GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1`, 200, 23, '21/Nov/2026:14:04:02 +0800')!;
  const u = buildTransaction(TN, [requestLogCopy(), first, retry1, retry2], scoreRecord);
  assert.notEqual(u.status, 'paid');
  assert.ok(u.flags.includes('notify_refused_by_shop'));
});

test('a signature over parameters the log masked is unverifiable, not forged', () => {
  const body = { trade_id: 'E1', order_id: TN, amount: 9.9, actual_amount: 1.3699, token: 'TXYZ', block_transaction_id: 'abc', signature: '0123456789abcdef0123456789abcdef', status: 2 };
  const rec = JSON.stringify({ time: '2026-11-21 14:04:02', ip: '203.0.113.9', method: 'POST', uri: `/user/api/order/callback.${TN}`, user_agent: '', referer: '', get: { s: `/user/api/order/callback.${TN}` }, post: [], json: { ...body, token: '***' }, raw_body: '', cookies: [], headers: {} });
  const keyed = new RuleEngine(loadRules([]), { clock: new ZoneClock('Asia/Shanghai'), keys: { epusdt: { default: 'secret-token' } } });
  const e = keyed.apply(runParser(acgFakaRequest, rec).events[0]!, 'nginx')!;
  assert.equal(e.rule, 'acg-faka.nginx.callback-post-epusdt');
  assert.equal(e.signature, 'unverifiable');
  assert.match(String(e.fields.signature_note), /masked token/);
});
