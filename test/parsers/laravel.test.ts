import { test } from 'node:test';
import assert from 'node:assert/strict';
import { laravel } from '../../parsers/app/laravel';
import { splitMessageContext, flattenContext } from '../../parsers/app/json-context';
import { ZoneClock } from '../../parsers/time';
import { LineSplitter } from '../../src/sources/line-splitter';
import { decodeLine } from '../../src/sources/decode-line';
import type { LogEvent } from '../../src/model/types';

interface Out {
  events: LogEvent[];
  rejects: { lineNo: number; offset: number; reason: string; text: string }[];
  blanks: number[];
}

/** Bytes → splitter → decoder → laravel parser, as the pipeline does (clock: Asia/Shanghai). */
function parse(input: string | Buffer, zone = 'Asia/Shanghai'): Out {
  const out: Out = { events: [], rejects: [], blanks: [] };
  const p = laravel.create(
    { file: 'laravel.log', clock: new ZoneClock(zone) },
    {
      event: (e) => out.events.push(e),
      reject: (lineNo, offset, reason, text) => out.rejects.push({ lineNo, offset, reason, text }),
      blank: (lineNo) => out.blanks.push(lineNo),
    },
  );
  const s = new LineSplitter(
    {
      line(b, st, en, lineNo, offset) {
        const d = decodeLine(b, st, en);
        assert.ok(d.ok, 'test input decodes');
        p.line(d.text, lineNo, offset);
      },
      overlong() {
        assert.fail('no overlong lines in these inputs');
      },
    },
    1 << 20,
  );
  s.push(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  s.end();
  p.end();
  return out;
}

test('laravel: one-line entries, wall time in the configured zone, level upper-cased', () => {
  const o = parse('[2026-11-21 14:03:11] production.info: 订单已创建 {"order_id":"A1","amount":10.5}\n[2026-11-21 14:03:12] local.ERROR: boom\n');
  assert.equal(o.events.length, 2);
  const [a, b] = o.events as [LogEvent, LogEvent];
  assert.deepEqual([a.line, a.lineEnd, a.offset, a.tsMs, a.tzOffsetMin], [1, 1, 0, Date.parse('2026-11-21T06:03:11Z'), 480]);
  assert.deepEqual(a.fields, { channel: 'production', level: 'INFO', message: '订单已创建' });
  assert.deepEqual(a.params, { order_id: 'A1', amount: '10.5' });
  const secondOffset = Buffer.byteLength('[2026-11-21 14:03:11] production.info: 订单已创建 {"order_id":"A1","amount":10.5}\n');
  assert.deepEqual([b.line, b.offset, b.fields.level, b.fields.message, b.params], [2, secondOffset, 'ERROR', 'boom', undefined]);
});

test('laravel: a stack trace folds into its entry, which keeps line..lineEnd', () => {
  const log = [
    '[2026-11-21 14:03:11] production.ERROR: Payment failed {"exception":"[object] (RuntimeException(code: 0): boom at /var/www/app/Http/Controllers/PayController.php:42)',
    '[stacktrace]',
    '#0 /var/www/vendor/laravel/framework/src/Illuminate/Routing/Controller.php(54): App\\Http\\Controllers\\PayController->notify()',
    '#1 {main}',
    '"} ',
    '[2026-11-21 14:03:12] production.INFO: next one',
    '',
  ].join('\n');
  const o = parse(log);
  assert.equal(o.rejects.length, 0);
  assert.equal(o.events.length, 2);
  const [err, next] = o.events as [LogEvent, LogEvent];
  assert.deepEqual([err.line, err.lineEnd, err.offset], [1, 5, 0]);
  assert.equal(err.fields.level, 'ERROR');
  assert.equal(err.fields.body, '[stacktrace]\n#0 /var/www/vendor/laravel/framework/src/Illuminate/Routing/Controller.php(54): App\\Http\\Controllers\\PayController->notify()\n#1 {main}\n"} ');
  // The exception "JSON" holds raw newlines, so it is not JSON: its head and first frame are
  // read as they are (php-trace.ts), and the message is the text before the context.
  assert.equal(err.fields.message, 'Payment failed');
  assert.equal(err.params?.['exception.class'], 'RuntimeException');
  assert.equal(err.params?.['frame0.call'], 'App\\Http\\Controllers\\PayController->notify');
  assert.equal(err.params?.['frame0.args'], 'absent');
  assert.deepEqual([next.line, next.lineEnd, next.fields.message], [6, 6, 'next one']);
  assert.equal(next.offset, Buffer.byteLength(log.split('\n').slice(0, 5).join('\n') + '\n'));
});

test('laravel: braces in the message do not hide the JSON context', () => {
  const o = parse('[2026-11-21 14:03:11] local.INFO: User {id} paid for [order] {"order_id":"A1","pay":{"channel":"alipay"}}\n');
  const e = o.events[0]!;
  assert.equal(e.fields.message, 'User {id} paid for [order]');
  assert.deepEqual(e.params, { order_id: 'A1', pay: '{"channel":"alipay"}', 'pay.channel': 'alipay' });
});

test('laravel: Monolog\'s {context} {extra} and [] [] tails', () => {
  const o = parse(
    '[2026-11-21 14:03:11] local.INFO: notify {"out_trade_no":"A1"} {"uid":"x"}\n[2026-11-21 14:03:12] local.INFO: tick [] []\n[2026-11-21 14:03:13] local.INFO: ctx only {"a":1} []\n',
  );
  assert.deepEqual(o.events.map((e) => [e.fields.message, e.params]), [
    ['notify', { out_trade_no: 'A1' }],
    ['tick', {}],
    ['ctx only', { a: '1' }],
  ]);
});

test('laravel: a pretty-printed context over several lines is read as one JSON object', () => {
  const log = [
    '[2026-11-21 14:03:11] local.INFO: notify received {',
    '    "out_trade_no": "20261121140311",',
    '    "money": "10.00",',
    '    "nested": {"a": 1}',
    '}',
    '[2026-11-21 14:03:12] local.INFO: after',
  ].join('\n');
  const o = parse(log);
  assert.equal(o.events.length, 2);
  const e = o.events[0]!;
  assert.deepEqual([e.line, e.lineEnd], [1, 5]);
  assert.equal(e.fields.message, 'notify received');
  assert.deepEqual(e.params, { out_trade_no: '20261121140311', money: '10.00', nested: '{"a":1}', 'nested.a': '1' });
});

test('laravel: continuation lines before any header are rejected; blank ones are noise', () => {
  const o = parse('\n#0 /var/www/orphan.php(1): x()\n  more orphan\n[2026-11-21 14:03:11] local.INFO: first\n\n#1 belongs to first\n');
  assert.deepEqual(o.blanks, [1]);
  assert.deepEqual(o.rejects.map((r) => [r.lineNo, r.offset]), [[2, 1], [3, 32]]);
  for (const r of o.rejects) assert.match(r.reason, /continuation line with no log entry header above it/);
  assert.equal(o.events.length, 1);
  // A blank line inside an entry belongs to it.
  assert.deepEqual([o.events[0]!.line, o.events[0]!.lineEnd, o.events[0]!.fields.body], [4, 6, '\n#1 belongs to first']);
});

test('laravel: CRLF input (the splitter strips the CR)', () => {
  const first = '[2026-11-21 14:03:11] local.INFO: one {"a":"1"}\r\n#0 trace\r\n';
  const o = parse(first + '[2026-11-21 14:03:12] local.INFO: two\r\n');
  assert.equal(o.events.length, 2);
  assert.deepEqual(o.events[0]!.params, { a: '1' });
  assert.equal(o.events[0]!.fields.body, '#0 trace');
  assert.deepEqual([o.events[1]!.fields.message, o.events[1]!.line, o.events[1]!.offset], ['two', 3, Buffer.byteLength(first)]);
  for (const e of o.events) for (const v of Object.values(e.fields)) assert.ok(!v.includes('\r'));
});

test('laravel: ISO timestamps with microseconds and an explicit offset', () => {
  const o = parse(
    [
      '[2026-11-21T14:03:11.123456+08:00] production.INFO: with offset',
      '[2026-11-21T14:03:11.5-0330] production.INFO: west, no colon',
      '[2026-11-21T14:03:11+00:00] production.INFO: utc',
      '[2026-11-21 14:03:11.999] production.INFO: fraction, zone from the clock',
    ].join('\n'),
  );
  // Regression: the fraction of a second used to be dropped.
  assert.deepEqual(
    o.events.map((e) => [e.tsMs, e.tzOffsetMin]),
    [
      [Date.parse('2026-11-21T06:03:11.123Z'), 480],
      [Date.parse('2026-11-21T17:33:11.500Z'), -210],
      [Date.parse('2026-11-21T14:03:11Z'), 0],
      [Date.parse('2026-11-21T06:03:11.999Z'), 480],
    ],
  );
});

test('laravel: wall times use the configured zone (New York, summer and winter)', () => {
  const o = parse('[2026-07-04 12:00:00] local.INFO: summer\n[2026-01-15 12:00:00] local.INFO: winter\n', 'America/New_York');
  assert.deepEqual(o.events.map((e) => [e.tsMs, e.tzOffsetMin]), [
    [Date.parse('2026-07-04T16:00:00Z'), -240],
    [Date.parse('2026-01-15T17:00:00Z'), -300],
  ]);
});

test('laravel: an impossible date is rejected, and what follows it has no entry to join', () => {
  const o = parse('[2026-02-30 10:00:00] local.INFO: bad day\n#0 its trace\n[2026-03-01 10:00:00] local.INFO: good\n');
  assert.deepEqual(o.rejects.map((r) => [r.lineNo, r.reason.split(' / ')[0]]), [
    [1, 'bad timestamp [2026-02-30 10:00:00]'],
    [2, 'continuation line with no log entry header above it'],
  ]);
  assert.deepEqual(o.events.map((e) => e.line), [3]);
});

test('laravel: an entry still open at the end of the file is flushed by end()', () => {
  const o = parse('[2026-11-21 14:03:11] local.INFO: last\n  tail line');
  assert.deepEqual(o.events.map((e) => [e.line, e.lineEnd, e.fields.body]), [[1, 2, '  tail line']]);
});

test('splitMessageContext / flattenContext directly', () => {
  assert.deepEqual(splitMessageContext('no context here'), { message: 'no context here', context: undefined });
  assert.deepEqual(splitMessageContext('list [1,2]'), { message: 'list', context: [1, 2] });
  assert.deepEqual(splitMessageContext('broken {"a":'), { message: 'broken {"a":', context: undefined });
  assert.deepEqual(flattenContext({ a: null, b: true, c: [1, { d: 'x' }] }), {
    a: '',
    b: 'true',
    c: '[1,{"d":"x"}]',
    'c.0': '1',
    'c.1': '{"d":"x"}',
    'c.1.d': 'x',
  });
});
