// nginx's error log (parsers/nginx/error-log.ts): the filebeat nginx module's real test file
// against its expected documents, BT-panel lines with a PHP stack trace from FastCGI stderr, the
// nginx rule packs reading the request of an error entry, and the accounting of every line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { nginxError, readErrorContext } from '../../parsers/nginx/error-log';
import { detectFormat } from '../../parsers/registry';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { ZoneClock } from '../../parsers/time';
import { assertCovered, runParser } from '../parsers-app/support';
import { readRealdata, realdataPath } from '../support/realdata';

interface Expected {
  '@timestamp': string;
  'log.offset': number;
  'log.level': string;
  message: string;
  'nginx.error.connection_id': number;
  'process.pid': number;
  'process.thread.id': number;
}

test('nginx-error on filebeat\'s error.log: the same 4 entries at the same offsets, times, levels, pids and text', () => {
  const buf = readRealdata('elastic-beats-filebeat-nginx', 'error', 'error.log');
  const expected = JSON.parse(readFileSync(realdataPath('elastic-beats-filebeat-nginx', 'error', 'error.log-expected.json'), 'utf8')) as Expected[];
  // The expected documents were made with the zone -02:00 (the test harness's).
  const r = runParser(nginxError, buf, 'Etc/GMT+2');
  assertCovered(r);
  assert.equal(r.rejects.length, 0);
  assert.equal(r.events.length, expected.length);
  r.events.forEach((ev, i) => {
    const x = expected[i]!;
    assert.equal(ev.offset, x['log.offset']);
    assert.equal(ev.tsMs, Date.parse(x['@timestamp']));
    assert.equal(ev.fields.level, x['log.level']);
    assert.equal(ev.fields.pid, String(x['process.pid']));
    assert.equal(ev.fields.tid, String(x['process.thread.id']));
    assert.equal(ev.fields.connection, String(x['nginx.error.connection_id']));
    // filebeat keeps the context in its message; salvage cuts it into fields.
    assert.ok(x.message.startsWith(ev.fields.message!), `entry ${i}`);
    const rest = x.message.slice(ev.fields.message!.length);
    assert.ok(rest === '' || rest.startsWith(', client: '), rest);
  });
  const [first, , multi, last] = r.events;
  assert.deepEqual(
    [first!.fields.client_ip, first!.fields.server, first!.fields.method, first!.fields.path, first!.fields.host, first!.fields.referrer],
    ['127.0.0.1', 'localhost', 'GET', '/favicon.ico', 'localhost:8080', 'http://localhost:8080/'],
  );
  assert.deepEqual([multi!.line, multi!.lineEnd, multi!.lines], [3, 5, 3], 'the PHP warnings fold into one entry');
  assert.equal(multi!.fields.client_ip, undefined, 'this entry has no context (filebeat\'s sample ends it early)');
  assert.equal(last!.fields.path, '/pysio');
  assert.equal(last!.fields.referrer, undefined);
  assert.equal(last!.fields.status, undefined);
});

// BT panel (宝塔): /www/wwwlogs/<site>.error.log, PHP-FPM on a unix socket.
const TN = '123261121140311456';
const EPAY = `money=9.90&name=VIP&out_trade_no=${TN}&pid=1001&trade_no=2026112114040299901&trade_status=TRADE_SUCCESS&type=alipay&sign=5d41402abc4b2a76b9719d911017c592&sign_type=MD5`;
const BT = [
  `2026/11/21 14:03:11 [error] 1234#0: *5678 FastCGI sent in stderr: "PHP message: PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /www/wwwroot/shop.example/vendor/illuminate/database/Connectors/Connector.php:70`,
  'Stack trace:',
  '#0 /www/wwwroot/shop.example/vendor/illuminate/database/Connectors/Connector.php(70): PDO->__construct()',
  '#1 {main}',
  `  thrown in /www/wwwroot/shop.example/vendor/illuminate/database/Connectors/Connector.php on line 70" while reading response header from upstream, client: 1.2.3.4, server: shop.example, request: "GET /user/api/order/callback.${TN}?${EPAY} HTTP/1.1", upstream: "fastcgi://unix:/tmp/php-cgi-74.sock:", host: "shop.example"`,
  '',
  `2026/11/21 14:05:00 [error] 1234#0: *5690 FastCGI sent in stderr: "PHP message: PHP Warning:  Undefined array key "x" in /www/wwwroot/shop.example/app/View/x.php on line 3" while reading response header from upstream, client: 5.6.7.8, server: shop.example, request: "POST /user/api/order/trade HTTP/1.1", upstream: "fastcgi://unix:/tmp/php-cgi-74.sock:", host: "shop.example", referrer: "https://shop.example/item/3"`,
  '2026/11/21 14:06:00 [warn] 1233#0: *5700 an upstream response is buffered to a temporary file /www/server/nginx/fastcgi_temp/1/00/0000000001 while reading upstream, client: 5.6.7.8, server: shop.example, request: "GET /user/pay/order.' + TN + '.1 HTTP/2.0", upstream: "fastcgi://unix:/tmp/php-cgi-74.sock:", host: "shop.example"',
  '2026/11/21 14:07:00 [notice] 1200#0: signal process started',
  '2026/11/21 14:0',
].join('\n');

const engine = new RuleEngine(loadRules([]), { clock: new ZoneClock('Asia/Shanghai') });

test('nginx-error on BT-panel lines: the stack folds, the context on the last line is read, the cut line is rejected', () => {
  const r = runParser(nginxError, BT);
  assertCovered(r);
  assert.equal(r.events.length, 4);
  assert.deepEqual(r.blanks, [6]);
  assert.equal(r.rejects.length, 1);
  assert.equal(r.rejects[0]!.line, 10);
  const [fatal, warning, warn, notice] = r.events;
  assert.deepEqual([fatal!.line, fatal!.lineEnd], [1, 5]);
  assert.equal(fatal!.tsMs, Date.parse('2026-11-21T14:03:11+08:00'));
  assert.equal(fatal!.fields.client_ip, '1.2.3.4');
  assert.equal(fatal!.fields.method, 'GET');
  assert.equal(fatal!.fields.path, `/user/api/order/callback.${TN}`);
  assert.equal(fatal!.fields.query, EPAY);
  assert.equal(fatal!.fields.upstream, 'fastcgi://unix:/tmp/php-cgi-74.sock:');
  assert.equal(fatal!.fields.php_fatal, 'yes');
  assert.ok(fatal!.fields.message!.includes('#1 {main}'));
  assert.ok(!fatal!.fields.message!.includes(', client: '));
  assert.equal(warning!.fields.referrer, 'https://shop.example/item/3');
  assert.equal(warning!.fields.php_fatal, undefined);
  assert.equal(warn!.fields.level, 'warn');
  assert.equal(warn!.fields.protocol, 'HTTP/2.0');
  assert.deepEqual([notice!.fields.level, notice!.fields.connection, notice!.fields.client_ip], ['notice', undefined, undefined]);
  for (const ev of r.events) assert.equal(ev.fields.status, undefined);
});

test('nginx-error: detection beats generic on error logs, even when stack traces outnumber headers', () => {
  const d = detectFormat(BT.split('\n').filter((l) => l !== ''));
  assert.equal(d.parser?.id, 'nginx-error');
  const stacky = [BT.split('\n')[0]!, ...Array.from({ length: 40 }, (_, i) => `#${i} /www/wwwroot/x.php(1): f()`)];
  const d2 = detectFormat(stacky);
  assert.equal(d2.parser?.id, 'nginx-error');
  const gen = d2.votes.find((v) => v.id === 'generic')!.confidence;
  assert.ok(d2.confidence > gen);
  // An access log is not an error log.
  const access = ['1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 5 "-" "curl/8"'];
  assert.equal(nginxError.detect(access), 0);
});

test('nginx-error: the nginx packs read an error entry\'s request; status rules do not fire; the copy is marked unanswered', () => {
  const r = runParser(nginxError, BT);
  const [fatal, warning, warn] = r.events.map((ev) => engine.apply(ev, 'nginx'));
  // The epay notify's signed query in `request:` is read as a callback.
  assert.equal(fatal!.rule, 'epay.nginx.notify');
  assert.equal(fatal!.kind, 'payment_notified');
  assert.equal(fatal!.fields.order_id, TN);
  assert.equal(fatal!.fields.amount, 9.9);
  assert.equal(fatal!.fields.copy, 'error_log');
  assert.equal(fatal!.fields.shop_failed, 'yes');
  assert.equal(fatal!.fields.http_status, undefined);
  // acg-faka.nginx.trade needs a 2xx status: an error entry has none.
  assert.equal(warning, null);
  assert.equal(warn!.rule, 'acg-faka.nginx.pay-page');
  assert.equal(warn!.fields.copy, 'error_log');
  assert.equal(warn!.fields.shop_failed, undefined);
});

test('readErrorContext: any request context nginx writes is read back, whatever text comes before it (property)', () => {
  const token = fc.stringMatching(/^[A-Za-z0-9._\/-]{1,20}$/);
  fc.assert(
    fc.property(
      fc.string({ maxLength: 80 }),
      fc.ipV4(),
      token,
      fc.constantFrom('GET', 'POST', 'HEAD'),
      token,
      fc.option(token, { nil: undefined }),
      fc.option(token, { nil: undefined }),
      (pre, ip, server, method, path, host, referrer) => {
        const text = `${pre}, client: ${ip}, server: ${server}, request: "${method} /${path}?a=1 HTTP/1.1"${host !== undefined ? `, host: "${host}"` : ''}${referrer !== undefined ? `, referrer: "${referrer}"` : ''}`;
        const c = readErrorContext(text);
        assert.equal(c.message, pre);
        assert.equal(c.fields.client_ip, ip);
        assert.equal(c.fields.server, server);
        assert.equal(c.fields.method, method);
        assert.equal(c.fields.path, '/' + path);
        assert.equal(c.fields.query, 'a=1');
        assert.equal(c.fields.host, host);
        assert.equal(c.fields.referrer, referrer);
      },
    ),
  );
});
