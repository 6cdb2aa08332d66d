// Detection is a vote: each sample must go to its own parser, and the look-alike formats
// (laravel, thinkphp, generic: all start with a bracketed or bare timestamp) must not be confused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, MIN_DETECT_CONFIDENCE, parserById, PARSERS } from '../../parsers/registry';
import { GENERIC_MAX_CONFIDENCE } from '../../parsers/app/generic';

const SAMPLES: Record<string, string[]> = {
  'nginx-combined': [
    '10.0.0.2 - - [21/Nov/2026:14:03:11 +0800] "POST /user/api/order/trade HTTP/1.1" 200 180 "https://shop.example/item/3" "Mozilla/5.0" "203.0.113.7"',
    '10.0.0.2 - - [21/Nov/2026:14:03:12 +0800] "GET /user/pay/order.123261121140311456.1 HTTP/1.1" 200 3600 "-" "Mozilla/5.0" "203.0.113.7"',
  ],
  laravel: [
    '[2026-11-21 14:03:11] local.INFO: 创建订单 {"order_sn":"A1"}',
    '[2026-11-21 14:04:09] local.ERROR: 订单已经处理 {"exception":"[object] (App\\\\Exceptions\\\\RuleValidationException(code: 400): 订单已经处理',
    '[stacktrace]',
    '#0 /www/wwwroot/shop/app/Http/Controllers/Pay/YipayController.php(84): completedOrder()',
    '#1 {main}',
    '"}',
  ],
  'acg-faka-runtime': [
    '[CALLBACK][2026-11-21 14:03:11]:签名验证失败',
    '[NOTIFY][2026-11-21 14:03:12]:Array',
    '(',
    '    [pid] => 1001',
    ')',
    '[CALLBACK][2026-11-21 14:03:13]:重复通知，当前订单已支付',
  ],
  thinkphp: [
    '[2026-11-21T14:03:11+08:00][info] 用户登录',
    '[2026-11-21T14:03:12+08:00][error] array (',
    "  'out_trade_no' => '123261121140311456',",
    ')',
    '[2026-11-21T14:03:13+08:00][sql] SELECT 1',
  ],
  jsonl: [
    '{"@timestamp":"2026-11-21T14:03:11+08:00","level":"info","message":"hi"}',
    '{"time":1795500000,"msg":"x"}',
  ],
  generic: [
    '2026-11-21 14:03:11 INFO started',
    '2026-11-21 14:03:12 ERROR payment failed',
    'java.lang.RuntimeException: boom',
    '\tat com.shop.Pay.notify(Pay.java:42)',
    '\tat com.shop.Pay.run(Pay.java:7)',
    '2026/11/21 14:03:13 [warn] slow',
  ],
};

const TP5_BLOCK = [
  '---------------------------------------------------------------',
  '[ 2026-11-21T14:03:11+08:00 ] 203.0.113.7 POST shop.example/index/pay/notify',
  '[ info ] [ PARAM ] array (',
  "  'out_trade_no' => '123261121140311456',",
  ')',
  '[ sql ] [ SQL ] SELECT 1 [ RunTime:0.000542s ]',
];

test('registry: the new parsers are registered after nginx-combined and laravel; generic, then fragments, last', () => {
  const ids = PARSERS.map((p) => p.id);
  assert.deepEqual(ids.filter((id) => !id.startsWith('nginx-') || id === 'nginx-combined').slice(0, 2), ['nginx-combined', 'laravel']);
  for (const id of ['acg-faka-runtime', 'thinkphp', 'jsonl', 'generic']) assert.ok(ids.includes(id), id);
  assert.deepEqual(ids.slice(-2), ['generic', 'fragments']);
  assert.equal(parserById('acg-faka')?.id, 'acg-faka-runtime');
  assert.equal(parserById('thinkphp')?.family, 'thinkphp');
  assert.equal(parserById('jsonl')?.family, 'jsonl');
  assert.equal(parserById('generic')?.family, 'generic');
});

for (const [id, sample] of Object.entries(SAMPLES)) {
  test(`detectFormat: a ${id} sample goes to ${id}`, () => {
    const d = detectFormat(sample);
    assert.equal(d.parser?.id, id, JSON.stringify(d.votes));
    assert.ok(d.confidence >= MIN_DETECT_CONFIDENCE);
    assert.equal(d.votes.length, PARSERS.length);
  });
}

test('detectFormat: a ThinkPHP 5 request block goes to thinkphp', () => {
  const d = detectFormat(TP5_BLOCK);
  assert.equal(d.parser?.id, 'thinkphp');
  assert.equal(d.confidence, 1);
});

test('detectFormat: laravel, thinkphp and generic do not vote for each other\'s lines', () => {
  const vote = (sample: string[], id: string) => detectFormat(sample).votes.find((v) => v.id === id)!.confidence;
  // Laravel headers are timestamped lines too: generic sees them, but is capped below laravel.
  assert.equal(vote(SAMPLES.laravel!, 'thinkphp'), 0);
  assert.ok(vote(SAMPLES.laravel!, 'generic') <= GENERIC_MAX_CONFIDENCE);
  assert.ok(vote(SAMPLES.laravel!, 'generic') < vote(SAMPLES.laravel!, 'laravel'));
  // ThinkPHP's `[time][level]` and `[ time ] ip …` are neither laravel nor generic.
  assert.equal(vote(SAMPLES.thinkphp!, 'laravel'), 0);
  assert.equal(vote(SAMPLES.thinkphp!, 'generic'), 0);
  assert.equal(vote(TP5_BLOCK, 'laravel'), 0);
  assert.equal(vote(TP5_BLOCK, 'generic'), 0);
  // Bare timestamps are neither laravel nor thinkphp.
  assert.equal(vote(SAMPLES.generic!, 'laravel'), 0);
  assert.equal(vote(SAMPLES.generic!, 'thinkphp'), 0);
  assert.equal(vote(SAMPLES.generic!, 'generic'), GENERIC_MAX_CONFIDENCE);
  // acg-faka's [TAG][time] is nobody else's.
  for (const id of ['laravel', 'thinkphp', 'generic', 'jsonl', 'nginx-combined']) assert.equal(vote(SAMPLES['acg-faka-runtime']!, id), 0, id);
  // ThinkPHP 6 configured with a Y-m-d H:i:s time_format is still thinkphp, not laravel.
  const wall = ['[2026-11-21 14:03:11][info] tp6 with a Y-m-d H:i:s time_format'];
  assert.equal(detectFormat(wall).parser?.id, 'thinkphp');
});

test('detectFormat: a runtime.log that is a single cut-off header is still acg-faka-runtime (its line then rejected as damaged)', () => {
  const d = detectFormat(['[CALLBACK][2026-11-21 02:31']);
  assert.equal(d.parser?.id, 'acg-faka-runtime');
  assert.equal(d.confidence, 0.5);
});

test('detectFormat: prose with a few timestamped or JSON lines is claimed by nobody', () => {
  const prose = Array.from({ length: 20 }, (_, i) => `line ${i} of some unrelated text, not a log`);
  for (const extra of [SAMPLES.generic![0]!, SAMPLES.jsonl![0]!, SAMPLES.thinkphp![0]!, '{}']) {
    assert.equal(detectFormat([...prose, extra]).parser, null, extra);
  }
  assert.equal(detectFormat(['{}', '{}']).parser, null, 'empty objects say nothing');
});
