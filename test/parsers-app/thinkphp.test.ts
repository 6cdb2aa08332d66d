// ThinkPHP File-driver logs: TP6 headers, TP5/TP3 request blocks, folding and accounting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { thinkphp, requestFields } from '../../parsers/app/thinkphp';
import { assertCovered, at, runParser, type Run } from './support';

const SEP = '---------------------------------------------------------------';

function shape(r: Run): string[] {
  return r.items.map((i) => (i.t === 'event' ? `E${i.ev.line}-${i.ev.lineEnd}` : i.t === 'blank' ? `B${i.line}` : `R${i.line}`));
}

test('thinkphp TP6: [time][level] headers, offsets and wall times, var_export dumps fold into params', () => {
  const text = [
    '[2026-11-21T14:03:11+08:00][info] 用户登录 ', //  1
    "[2026-11-21T14:03:12+08:00][error] array (", //    2
    "  'out_trade_no' => '123261121140311456',", //     3
    "  'money' => '9.90',", //                          4
    "  'nested' => ", //                                5
    '  array (', //                                     6
    "    0 => 'a',", //                                 7
    '  ),', //                                          8
    ')', //                                             9
    '[2026-11-21 14:03:13][sql] SELECT 1', //           10 wall time: read in --tz
    '[2026-11-21T06:03:14.250Z][notice] utc', //        11
  ].join('\n') + '\n';
  const r = runParser(thinkphp, text);
  assertCovered(r);
  assert.deepEqual(shape(r), ['E1-1', 'E2-9', 'E10-10', 'E11-11']);
  const [a, b, c, d] = r.events;
  assert.equal(a!.format, 'thinkphp');
  assert.deepEqual(a!.fields, { level: 'INFO', message: '用户登录' });
  assert.equal(a!.tsMs, at('2026-11-21T06:03:11Z'));
  assert.equal(a!.tzOffsetMin, 480);
  assert.equal(b!.fields.level, 'ERROR');
  assert.equal(b!.fields.message, 'array (');
  assert.deepEqual(b!.params, { out_trade_no: '123261121140311456', money: '9.90', nested: '{"0":"a"}', 'nested.0': 'a' });
  assert.equal(c!.tsMs, at('2026-11-21T06:03:13Z'));
  assert.equal(c!.tzOffsetMin, 480);
  assert.equal(c!.fields.level, 'SQL');
  assert.equal(d!.tsMs, at('2026-11-21T06:03:14.250Z'));
  assert.equal(d!.tzOffsetMin, 0);
});

const TP51 = [
  SEP, //                                                                                            1
  '[ 2026-11-21T14:03:11+08:00 ] 203.0.113.7 POST shop.example/index/pay/notify?type=epay', //       2
  '[ info ] [ LANG ] /www/wwwroot/shop/thinkphp/lang/zh-cn.php', //                                  3
  '[ info ] [ PARAM ] array (', //                                                                   4
  "  'out_trade_no' => '123261121140311456',", //                                                    5
  "  'money' => '9.90',", //                                                                         6
  ')', //                                                                                            7
  "[ sql ] [ SQL ] SELECT * FROM `order` WHERE `trade_no` = '123261121140311456' [ RunTime:0.000542s ]", // 8
  '[ error ] [8]未定义变量: a[/www/wwwroot/shop/application/index/controller/Pay.php:12]', //        9
  SEP, //                                                                                            10
  '[ 2026-11-21T14:03:15+08:00 ] 203.0.113.8 GET shop.example/', //                                 11
  '[ info ] done', //                                                                                12
];

test('thinkphp TP5.1 blocks: separator is a blank, the request header and each [ level ] line are entries with the block time', () => {
  const r = runParser(thinkphp, TP51.join('\n') + '\n');
  assertCovered(r);
  assert.deepEqual(shape(r), ['B1', 'E2-2', 'E3-3', 'E4-7', 'E8-8', 'E9-9', 'B10', 'E11-11', 'E12-12']);
  const [req, lang, param, sql, err, req2, done] = r.events;
  assert.deepEqual(req!.fields, {
    message: '203.0.113.7 POST shop.example/index/pay/notify?type=epay',
    client_ip: '203.0.113.7',
    method: 'POST',
    url: 'shop.example/index/pay/notify?type=epay',
    path: '/index/pay/notify',
    query: 'type=epay',
  });
  assert.equal(req!.tsMs, at('2026-11-21T06:03:11Z'));
  assert.deepEqual(lang!.fields, { level: 'INFO', tag: 'LANG', message: '/www/wwwroot/shop/thinkphp/lang/zh-cn.php' });
  assert.equal(lang!.tsMs, at('2026-11-21T06:03:11Z'));
  assert.equal(param!.fields.tag, 'PARAM');
  assert.deepEqual(param!.params, { out_trade_no: '123261121140311456', money: '9.90' });
  assert.equal(param!.tsMs, at('2026-11-21T06:03:11Z'));
  assert.equal(sql!.fields.level, 'SQL');
  assert.equal(sql!.fields.tag, 'SQL');
  assert.equal(sql!.fields.message, "SELECT * FROM `order` WHERE `trade_no` = '123261121140311456' [ RunTime:0.000542s ]");
  // `[8]` is an error number, not a `[ TAG ]`: the message keeps it.
  assert.deepEqual(err!.fields, { level: 'ERROR', message: '[8]未定义变量: a[/www/wwwroot/shop/application/index/controller/Pay.php:12]' });
  assert.equal(req2!.fields.path, '/');
  assert.equal(req2!.fields.query, '');
  assert.equal(done!.tsMs, at('2026-11-21T06:03:15Z'));
});

test('thinkphp: CRLF (what ThinkPHP 5 writes) gives the same entries as LF', () => {
  const lf = runParser(thinkphp, TP51.join('\n') + '\n');
  const crlf = runParser(thinkphp, TP51.join('\r\n') + '\r\n');
  assertCovered(crlf);
  assert.deepEqual(shape(crlf), shape(lf));
  assert.deepEqual(crlf.events.map((e) => [e.fields, e.params, e.tsMs]), lf.events.map((e) => [e.fields, e.params, e.tsMs]));
  // Offsets count the CRs: line 2 starts after the separator and its CRLF.
  assert.equal(crlf.events[0]!.offset, SEP.length + 2);
});

test('thinkphp TP5.0 (separator after the block) and TP3.2 (no method, LEVEL: lines)', () => {
  const text = [
    '[ 2026-11-21T14:03:11+08:00 ] 10.0.0.5 203.0.113.7 GET /index.php/index/pay?id=3', // 1
    '[ log ] shop.example/index.php/index/pay?id=3 [运行时间：0.012s] [吞吐率：83.33req/s]', // 2
    '[ info ] [ RUN ] app\\index\\controller\\Pay->index[ /www/app/index/controller/Pay.php ]', // 3
    SEP, // 4
    '[ 2026-11-21T14:04:00+08:00 ] 127.0.0.1 /index.php?s=/Home/Pay/notify', // 5
    'INFO: [ app_init ] --START--', // 6
    'ERR: 支付失败', // 7
    'SQL: SHOW COLUMNS FROM `tp_order` [ RunTime:0.0010s ]', // 8
  ].join('\n');
  const r = runParser(thinkphp, text);
  assertCovered(r);
  assert.deepEqual(shape(r), ['E1-1', 'E2-2', 'E3-3', 'B4', 'E5-5', 'E6-6', 'E7-7', 'E8-8']);
  const e = r.events;
  assert.equal(e[0]!.fields.server_ip, '10.0.0.5');
  assert.equal(e[0]!.fields.client_ip, '203.0.113.7');
  assert.equal(e[0]!.fields.path, '/index.php/index/pay');
  assert.equal(e[0]!.fields.query, 'id=3');
  assert.equal(e[1]!.fields.level, 'LOG');
  assert.equal(e[2]!.fields.tag, 'RUN');
  assert.equal(e[2]!.fields.message, 'app\\index\\controller\\Pay->index[ /www/app/index/controller/Pay.php ]');
  assert.deepEqual(e[3]!.fields, {
    message: '127.0.0.1 /index.php?s=/Home/Pay/notify',
    client_ip: '127.0.0.1',
    url: '/index.php?s=/Home/Pay/notify',
    path: '/index.php',
    query: 's=/Home/Pay/notify',
  });
  assert.deepEqual(e[4]!.fields, { level: 'INFO', tag: 'app_init', message: '--START--' });
  assert.deepEqual(e[5]!.fields, { level: 'ERR', message: '支付失败' });
  assert.equal(e[6]!.fields.level, 'SQL');
  for (const ev of e.slice(3)) assert.equal(ev.tsMs, at('2026-11-21T06:04:00Z'));
});

test('thinkphp: a file cut mid-block — level lines without a block time are timeless entries; orphan lines are rejects', () => {
  const text = [
    "  'money' => '9.90',", //                        1 the rest of a dump: no entry to join
    '[ info ] [ PARAM ] array (', //                  2
    "  'a' => '1',", //                               3
    ')', //                                           4
    '', //                                            5
    SEP, //                                           6
    'INFO: not a level line outside a block', //      7 TP3 style only counts inside a block
    '[2026-02-30T14:03:11+08:00][info] x', //         8 impossible date
    '[ 2026-11-21T14:03:11+08:00 ] 127.0.0.1 GET /', // 9 cut off: no newline
  ].join('\n');
  const r = runParser(thinkphp, text);
  assertCovered(r);
  assert.deepEqual(shape(r), ['R1', 'E2-4', 'B5', 'B6', 'R7', 'R8', 'E9-9']);
  assert.ok(Number.isNaN(r.events[0]!.tsMs));
  assert.deepEqual(r.events[0]!.params, { a: '1' });
  assert.match(r.rejects[0]!.reason, /outside any ThinkPHP log entry/);
  assert.match(r.rejects[2]!.reason, /bad timestamp \[2026-02-30T14:03:11\+08:00\]/);
  assert.equal(r.events[1]!.fields.path, '/');
});

test('thinkphp: GBK text is decoded before the parser', () => {
  const r = runParser(thinkphp, iconv.encode('[2026-11-21T14:03:11+08:00][error] 订单金额不一致\n', 'gbk'));
  assertCovered(r);
  assert.equal(r.events[0]!.fields.message, '订单金额不一致');
});

test('thinkphp requestFields: host forms and schemes', () => {
  assert.equal(requestFields('1.2.3.4', 'GET https://shop.example/a/b?c=1').path, '/a/b');
  assert.equal(requestFields('1.2.3.4', 'GET shop.example?c=1').path, '/');
  assert.equal(requestFields('1.2.3.4', 'GET shop.example?c=1').query, 'c=1');
  assert.equal(requestFields('::1', 'CLI ').method, 'CLI');
});

test('thinkphp: every line is accounted for exactly once, whatever the mix (property)', () => {
  const vocab = [
    SEP,
    '[ 2026-11-21T14:03:11+08:00 ] 127.0.0.1 GET /',
    '[ info ] [ PARAM ] array (',
    "  'a' => '1',",
    ')',
    '[2026-11-21T14:03:11+08:00][error] x',
    'INFO: y',
    '',
    '#0 trace',
    '[2026-11-21 14:0',
  ];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...vocab), { maxLength: 40 }), fc.boolean(), (lines, crlf) => {
      assertCovered(runParser(thinkphp, lines.join(crlf ? '\r\n' : '\n')));
    }),
    { numRuns: 300 },
  );
});
