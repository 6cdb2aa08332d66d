import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { jsonl } from '../../parsers/app/jsonl';
import { assertCovered, at, runParser } from './support';

test('jsonl: time from the common keys (ISO with offset, wall time, epoch s/ms/µs), level and message', () => {
  const lines = [
    '{"@timestamp":"2026-11-21T14:03:11+08:00","level":"info","message":"hi","context":{"order_sn":"A1","n":2,"ok":true,"none":null}}',
    '{"timestamp":"2026-11-21 14:03:12","severity":"warning","msg":"wall time"}',
    '{"time":1795500000,"msg":"epoch seconds"}',
    '{"ts":1795500000123,"msg":"epoch ms"}',
    '{"ts":"1795500000123456","msg":"epoch µs as a string"}',
    '{"datetime":"2026-11-21T14:03:11.123456+08:00","level_name":"ERROR","channel":"local","message":"monolog json"}',
    '{"time":"2026-11-21T06:03:11Z","level":300,"message":"numeric level"}',
  ];
  const r = runParser(jsonl, lines.join('\n') + '\n');
  assertCovered(r);
  assert.equal(r.events.length, 7);
  const [a, b, c, d, e, f, g] = r.events;
  assert.equal(a!.format, 'jsonl');
  assert.equal(a!.tsMs, at('2026-11-21T06:03:11Z'));
  assert.equal(a!.tzOffsetMin, 480);
  assert.deepEqual(a!.fields, { level: 'INFO', message: 'hi' });
  assert.deepEqual(a!.params, {
    '@timestamp': '2026-11-21T14:03:11+08:00',
    level: 'info',
    message: 'hi',
    context: '{"order_sn":"A1","n":2,"ok":true,"none":null}',
    'context.order_sn': 'A1',
    'context.n': '2',
    'context.ok': 'true',
    'context.none': '',
  });
  // A wall time is read in the run's zone.
  assert.equal(b!.tsMs, at('2026-11-21T06:03:12Z'));
  assert.deepEqual(b!.fields, { level: 'WARNING', message: 'wall time' });
  assert.equal(c!.tsMs, 1795500000 * 1000);
  assert.equal(c!.tzOffsetMin, 480);
  assert.equal(d!.tsMs, 1795500000123);
  assert.equal(e!.tsMs, 1795500000123);
  assert.equal(f!.tsMs, at('2026-11-21T06:03:11.123Z'));
  assert.deepEqual(f!.fields, { level: 'ERROR', message: 'monolog json', channel: 'local' });
  assert.equal(g!.tzOffsetMin, 0);
  assert.equal(g!.fields.level, '300');
});

test('jsonl: nginx escape=json access lines get request fields, and query parameters fill params', () => {
  const line = JSON.stringify({
    time_local: '21/Nov/2026:14:03:11 +0800',
    request: 'GET /pay/yipay/notify_url?out_trade_no=A1&money=9.90 HTTP/1.1',
    status: 200,
    body_bytes_sent: 7,
    remote_addr: '10.0.0.2',
    http_x_forwarded_for: '203.0.113.7, 10.0.0.2',
    http_user_agent: 'curl/8',
    money: 'kept from the object',
  });
  const r = runParser(jsonl, line + '\n');
  assertCovered(r);
  const ev = r.events[0]!;
  assert.equal(ev.tsMs, at('2026-11-21T06:03:11Z'));
  assert.deepEqual(ev.fields, {
    protocol: 'HTTP/1.1',
    method: 'GET',
    path: '/pay/yipay/notify_url',
    query: 'out_trade_no=A1&money=9.90',
    status: '200',
    bytes: '7',
    ua: 'curl/8',
    client_ip: '203.0.113.7',
  });
  assert.equal(ev.params!.out_trade_no, 'A1');
  assert.equal(ev.params!.money, 'kept from the object');
});

test('jsonl: malformed lines are rejects with reasons, not exceptions; blanks and a BOM', () => {
  const text = [
    '\ufeff{"message":"after a BOM"}', //   1
    '', //                                  2
    '{"message":"ok",', //                  3 broken
    '[1,2,3]', //                           4 JSON, but not an object
    'plain text', //                        5
    '{"message":"no time"}', //             6
    '{"time":"yesterday","message":"x"}', // 7 unreadable time
    '{"message":"cut', //                   8 the last line, cut short (no newline)
  ].join('\n');
  const r = runParser(jsonl, text);
  assertCovered(r);
  assert.deepEqual(r.events.map((e) => e.line), [1, 6, 7]);
  assert.equal(r.events[0]!.fields.message, 'after a BOM');
  assert.deepEqual(r.blanks, [2]);
  assert.deepEqual(r.rejects.map((x) => x.line), [3, 4, 5, 8]);
  assert.match(r.rejects[0]!.reason, /^malformed JSON: /);
  assert.match(r.rejects[1]!.reason, /^malformed JSON: the line does not start with \{/);
  assert.match(r.rejects[2]!.reason, /^malformed JSON: the line does not start with \{/);
  assert.match(r.rejects[3]!.reason, /^malformed JSON: /);
  assert.equal(r.rejects[3]!.text, '{"message":"cut');
  assert.ok(Number.isNaN(r.events[1]!.tsMs));
  assert.ok(Number.isNaN(r.events[2]!.tsMs));
});

test('jsonl: CRLF and GBK lines', () => {
  const crlf = runParser(jsonl, '{"msg":"a"}\r\n{"msg":"b"}\r\n');
  assertCovered(crlf);
  assert.deepEqual(crlf.events.map((e) => [e.fields.message, e.offset]), [['a', 0], ['b', 13]]);
  const gbk = runParser(jsonl, iconv.encode('{"time":"2026-11-21 14:03:11","msg":"签名验证失败"}\n', 'gbk'));
  assertCovered(gbk);
  assert.equal(gbk.events[0]!.fields.message, '签名验证失败');
});

test('jsonl: a huge line within --max-line-bytes parses; one over it is rejected by the splitter', () => {
  const big: Record<string, string> = { message: 'big' };
  for (let i = 0; i < 2000; i++) big[`k${i}`] = 'v'.repeat(400);
  const line = JSON.stringify(big);
  assert.ok(line.length > 800_000 && line.length < 1 << 20);
  const r = runParser(jsonl, line + '\n{"message":"next"}\n');
  assertCovered(r);
  assert.equal(r.events.length, 2);
  assert.equal(Object.keys(r.events[0]!.params!).length, 2001);
  assert.equal(r.events[0]!.params!.k1999!.length, 400);
  const over = runParser(jsonl, line + '\n{"message":"next"}\n', 'Asia/Shanghai', 512 * 1024);
  assertCovered(over);
  assert.deepEqual(over.rejects.map((x) => x.line), [1]);
  assert.equal(over.events[0]!.fields.message, 'next');
});

test('jsonl: any line — JSON or not — ends as exactly one event, reject or blank (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.json(), fc.string({ maxLength: 30 }), fc.constant(''), fc.constant('{"a":')), { maxLength: 30 }),
      (lines) => {
        const clean = lines.map((l) => l.replace(/[\r\n]/g, ' '));
        assertCovered(runParser(jsonl, clean.join('\n')));
      },
    ),
    { numRuns: 300 },
  );
});
