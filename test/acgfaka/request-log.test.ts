// acg-faka's request log (kernel/Util/RequestLogger.php): one JSON object per request, read as
// an nginx-family request whose params are the request's own, so every callback it records is
// read by the packs' payload rules.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acgFakaRequest } from '../../parsers/app/acg-faka-request';
import { detectFormat } from '../../parsers/registry';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { ZoneClock } from '../../parsers/time';
import { assertCovered, runParser } from '../parsers-app/support';

const engine = new RuleEngine(loadRules([]), { clock: new ZoneClock('Asia/Shanghai') });
const TN = '123261121140311456';
const EPAY: Record<string, string> = { money: '9.90', name: 'VIP', out_trade_no: TN, pid: '1001', trade_no: '2026112114040299901', trade_status: 'TRADE_SUCCESS', type: 'alipay', sign: '5d41402abc4b2a76b9719d911017c592', sign_type: 'MD5' };
const query = (p: Record<string, string>) => new URLSearchParams(p).toString();

/** A record the way RequestLogger writes it (json_encode of this array; PHP's empty array is `[]`). */
function record(o: { time?: string; ip?: string; method: string; uri: string; get?: object; post?: object; json?: object; raw?: string; ua?: string }): string {
  const path = o.uri.split('?')[0]!;
  return JSON.stringify({
    time: o.time ?? '2026-11-21 14:03:11',
    ip: o.ip ?? '203.0.113.9',
    method: o.method,
    uri: o.uri,
    user_agent: o.ua ?? '',
    referer: '',
    get: { s: path, ...(o.get ?? {}) },
    post: o.post ?? [],
    json: o.json ?? [],
    raw_body: o.raw ?? '',
    cookies: [],
    headers: { Host: 'shop.example' },
  });
}

const masked = { ...EPAY, sign: '***' }; // 3.5.0+: maskSensitive
const lines = [
  // ≥ 3.5.9, GET epay notify to callback.{trade_no}: `get` masked, but `uri` is REQUEST_URI as sent
  record({ method: 'GET', uri: `/user/api/order/callback.${TN}?${query(EPAY)}`, get: masked }),
  // ≤ 3.5.8, POST epay notify to callback.Epay (≤ 3.4.x: sign in clear)
  record({ method: 'POST', uri: '/user/api/order/callback.Epay', post: EPAY, time: '2026-11-21 14:03:12' }),
  // Alipay form POST
  record({ method: 'POST', uri: `/user/api/order/callback.${TN}`, post: { notify_type: 'trade_status_sync', notify_id: 'n1', app_id: '2021000000000000', out_trade_no: TN, trade_no: '2026112122001400000000000001', trade_status: 'TRADE_SUCCESS', total_amount: '9.90', sign_type: 'RSA2', sign: '***' } }),
  // epusdt JSON POST (3.3.8+ logs json)
  record({ method: 'POST', uri: `/user/api/order/callback.${TN}`, json: { trade_id: 'E1', order_id: TN, amount: 9.9, actual_amount: 1.3699, token: 'TXYZ', block_transaction_id: 'abc', signature: '***', status: 2 } }),
  // the buyer's pay page
  record({ method: 'GET', uri: `/user/pay/order.${TN}.1`, ua: 'Mozilla/5.0' }),
  '',
  // RequestLogger's fallback when json_encode failed
  JSON.stringify({ time: '2026-11-21 14:03:20', error: 'json_encode failed', json_last_error_msg: 'Malformed UTF-8 characters, possibly incorrectly encoded' }),
  // cut short
  record({ method: 'GET', uri: '/' }).slice(0, 40),
].join('\n');

test('acg-faka request log: detected ahead of jsonl, and every line is accounted for', () => {
  const d = detectFormat(lines.split('\n').filter((l) => l !== '').slice(0, 5));
  assert.equal(d.parser?.id, 'acg-faka-request');
  assert.equal(d.votes.find((v) => v.id === 'jsonl')!.confidence, 1, 'jsonl ties: order decides');
  const r = runParser(acgFakaRequest, lines);
  assertCovered(r);
  assert.equal(r.events.length, 5);
  assert.deepEqual(r.blanks, [6]);
  assert.deepEqual(r.rejects.map((x) => x.line), [7, 8]);
  assert.match(r.rejects[0]!.reason, /json_encode failed/);
});

test('acg-faka request log: fields are nginx-shaped, params are the request\'s own, masked values dropped', () => {
  const [get, post] = runParser(acgFakaRequest, lines).events;
  assert.equal(get!.tsMs, Date.parse('2026-11-21T14:03:11+08:00'));
  assert.deepEqual([get!.fields.method, get!.fields.path, get!.fields.client_ip], ['GET', `/user/api/order/callback.${TN}`, '203.0.113.9']);
  assert.equal(get!.params!.s, undefined, 'the router key is not a parameter');
  // RequestLogger masks $_GET but writes REQUEST_URI as it came: the sign survives in the uri.
  assert.equal(get!.params!.sign, EPAY.sign);
  assert.equal(get!.fields.masked, undefined, 'nothing is lost');
  assert.equal(get!.params!.out_trade_no, TN);
  assert.deepEqual(post!.params, EPAY);
  assert.equal(post!.fields.masked, undefined);
});

test('acg-faka request log: each callback is read by its gateway payload rule, in both URL generations', () => {
  const [get, post, alipay, epusdt, page] = runParser(acgFakaRequest, lines).events.map((ev) => engine.apply(ev, 'nginx'));
  assert.equal(get!.rule, 'epay.nginx.notify');
  assert.equal(get!.fields.order_id, TN);
  assert.equal(get!.signature, 'unverifiable', 'no keys given');
  assert.equal(get!.fields.copy, 'request_log');
  assert.equal(get!.fields.http_status, undefined);
  assert.equal(post!.rule, 'acg-faka.nginx.callback-post-epay');
  assert.equal(post!.fields.plugin, 'Epay');
  assert.equal(post!.fields.order_id, TN);
  assert.equal(post!.fields.amount, 9.9);
  assert.equal(alipay!.rule, 'acg-faka.nginx.callback-post-alipay');
  assert.equal(alipay!.fields.order_id, TN);
  assert.equal(alipay!.fields.amount, 9.9);
  assert.equal(epusdt!.rule, 'acg-faka.nginx.callback-post-epusdt');
  assert.equal(epusdt!.fields.order_id, TN);
  assert.equal(page!.rule, 'acg-faka.nginx.pay-page');
  assert.equal(page!.fields.user_agent, 'Mozilla/5.0');
});

test('acg-faka request log: a body PHP did not decode (XML) is kept as the request body', () => {
  const xml = `<xml><return_code><![CDATA[SUCCESS]]></return_code><out_trade_no><![CDATA[${TN}]]></out_trade_no></xml>`;
  const [ev] = runParser(acgFakaRequest, record({ method: 'POST', uri: `/user/api/order/callback.${TN}`, raw: xml })).events;
  assert.equal(ev!.fields.request_body, xml);
  assert.equal(ev!.fields.raw_body, xml);
});
