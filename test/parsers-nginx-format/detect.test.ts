// Detection among the nginx formats: nginx-combined keeps combined and main lines; the compiled
// body and JSON formats win where their whole lines match (registry order breaks the tie); a
// user's --nginx-format goes first and wins its ties.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, parserById, parsersWith, PARSERS } from '../../parsers/registry';
import { customNginxParsers, CUSTOM_NGINX_ID } from '../../parsers/nginx/log-format';
import { looksLikeBody, MAIN_DIRECTIVE } from '../../parsers/nginx/builtin-formats';
import { rawLines, readRealdata } from '../support/realdata';

const T = '[21/Nov/2026:14:03:11 +0800]';
const combined = (i: number) => `203.0.113.${i} - - ${T} "GET /buy?goods_id=${i} HTTP/1.1" 200 5120 "-" "Mozilla/5.0"`;
const main = (i: number, xff = '-') => `${combined(i)} "${xff}"`;
const body = (i: number, b: string) => `${main(i)} "${b}"`;
const vote = (d: ReturnType<typeof detectFormat>, id: string) => d.votes.find((v) => v.id === id)!.confidence;

test('combined and main lines stay with the hand-tuned nginx-combined', () => {
  const c = detectFormat([1, 2, 3].map(combined));
  assert.equal(c.parser?.id, 'nginx-combined');
  assert.equal(vote(c, 'nginx-main'), 0);
  const m = detectFormat([main(1), main(2, '198.51.100.7'), main(3)]);
  assert.equal(m.parser?.id, 'nginx-combined');
  assert.equal(vote(m, 'nginx-main'), 1, 'nginx-main ties, and loses: it comes after nginx-combined');
  for (const [dir, file] of [['elastic-examples', 'nginx_logs'], ['tstack-lnav-test', 'logfile_shop_access_log.0'], ['elastic-beats-filebeat-nginx', 'ingress_controller/test.log']] as const) {
    const sample = rawLines(readRealdata(dir, ...file.split('/'))).slice(0, 64).map((l) => l.text);
    assert.equal(detectFormat(sample).parser?.id, 'nginx-combined', file);
  }
});

test('main + "$request_body" lines go to nginx-body, which keeps the body nginx-combined would drop', () => {
  const d = detectFormat([
    body(1, 'out_trade_no=A1&money=9.90'),
    body(2, '-'),
    body(3, '{\\x22order\\x22:\\x22A1\\x22}'),
    body(4, '<xml><return_code><![CDATA[SUCCESS]]></return_code></xml>'),
  ]);
  assert.equal(d.parser?.id, 'nginx-body');
  assert.equal(vote(d, 'nginx-combined'), 1);
  assert.equal(vote(d, 'nginx-main'), 0);
});

test('main with some other quoted field appended (not a body) stays with nginx-combined', () => {
  const d = detectFormat([body(1, 'shop.example.com'), body(2, 'shop.example.com'), body(3, '-')]);
  assert.equal(d.parser?.id, 'nginx-combined');
  assert.ok(vote(d, 'nginx-body') < 0.5);
  assert.ok(looksLikeBody('a=1') && looksLikeBody('{"a":1}') && looksLikeBody('-') && !looksLikeBody('0.003') && !looksLikeBody('example.com'));
});

test('btlogjson lines go to nginx-json rather than the generic jsonl', () => {
  const line = (i: number) =>
    `{"server_addr":"10.0.0.1","remote_addr":"203.0.113.${i}","time_local":"21/Nov/2026:14:03:1${i} +0800","host":"shop.example","request_method":"POST",` +
    `"request_uri":"/pay/notify","server_protocol":"HTTP/1.1","status":"200","body_bytes_sent":"7","request_time":"0.012","http_referer":"",` +
    `"http_user_agent":"curl","http_x_forwarded_for":"","from_data":"out_trade_no=A${i}"}`;
  const d = detectFormat([1, 2, 3].map(line));
  assert.equal(d.parser?.id, 'nginx-json');
  assert.equal(vote(d, 'jsonl'), 1);
});

test('a user format (--nginx-format) goes first: it wins its ties, and loses where it does not match', () => {
  const extra = customNginxParsers(MAIN_DIRECTIVE);
  assert.deepEqual(parsersWith(extra).map((p) => p.id), [CUSTOM_NGINX_ID, ...PARSERS.map((p) => p.id)]);
  assert.equal(parsersWith([]), PARSERS);
  const onMain = detectFormat([main(1), main(2)], extra);
  assert.equal(onMain.parser?.id, CUSTOM_NGINX_ID);
  assert.equal(onMain.parser?.family, 'nginx');
  assert.equal(vote(onMain, 'nginx-combined'), 1);
  // Plain combined lines do not match the user's main: nginx-combined reads them.
  assert.equal(detectFormat([combined(1), combined(2)], extra).parser?.id, 'nginx-combined');
  // A body format given by the user wins over the built-in nginx-body too.
  const own = customNginxParsers(`log_format b '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" "$request_body"';`);
  assert.equal(detectFormat([body(1, 'a=1')], own).parser?.id, CUSTOM_NGINX_ID);
  assert.deepEqual(customNginxParsers(undefined), []);
});

test('parserById: ids, the BT aliases, and the nginx family (the user format when there is one)', () => {
  assert.equal(parserById('nginx')?.id, 'nginx-combined');
  assert.equal(parserById('nginx-bt-default')?.id, 'nginx-combined');
  assert.equal(parserById('nginx-btlogjson')?.id, 'nginx-json');
  assert.equal(parserById('nginx-bt-json')?.id, 'nginx-json');
  assert.equal(parserById('nginx-body')?.id, 'nginx-body');
  assert.equal(parserById('nginx-main')?.id, 'nginx-main');
  assert.equal(parserById(CUSTOM_NGINX_ID), undefined);
  const extra = customNginxParsers(MAIN_DIRECTIVE);
  assert.equal(parserById(CUSTOM_NGINX_ID, extra)?.id, CUSTOM_NGINX_ID);
  assert.equal(parserById('nginx', extra)?.id, CUSTOM_NGINX_ID);
  assert.equal(parserById('nginx-combined', extra)?.id, 'nginx-combined');
  assert.equal(parserById('laravel', extra)?.id, 'laravel');
  for (const p of PARSERS.filter((x) => x.id.startsWith('nginx-'))) assert.equal(p.family, 'nginx', p.id);
});
