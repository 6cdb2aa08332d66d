import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { generic, readGenericHeader } from '../../parsers/app/generic';
import { assertCovered, at, runParser } from './support';

test('generic: the timestamp variants, levels when there is one, continuation lines folded', () => {
  const text = [
    '2026-11-21 14:03:11 INFO 用户下单 {"order_sn":"A1"}', //        1
    '2026-11-21 14:03:12.345+08:00 ERROR payment failed', //          2
    'java.lang.RuntimeException: boom', //                             3
    '\tat com.shop.Pay.notify(Pay.java:42)', //                        4
    '', //                                                             5
    '2026/11/21 14:03:13 [error] 1234#0: *5 upstream timed out', //   6
    '[2026-11-21 14:03:14] WARNING: low stock', //                    7
    '2026-11-21T14:03:15,123 no level here', //                       8
    '2026-11-21 14:03:16 - svc - INFO - python style', //             9
    '2026-11-21 14:03:17Z debug - utc', //                             10
  ].join('\n') + '\n';
  const r = runParser(generic, text);
  assertCovered(r);
  assert.deepEqual(r.items.map((i) => (i.t === 'event' ? `E${i.ev.line}-${i.ev.lineEnd}` : i.t === 'blank' ? `B${i.line}` : `R${i.line}`)), [
    'E1-1', 'E2-4', 'B5', 'E6-6', 'E7-7', 'E8-8', 'E9-9', 'E10-10',
  ]);
  const [a, b, c, d, e, f, h] = r.events;
  assert.equal(a!.format, 'generic');
  assert.deepEqual(a!.fields, { message: '用户下单', level: 'INFO' });
  assert.deepEqual(a!.params, { order_sn: 'A1' });
  assert.equal(a!.tsMs, at('2026-11-21T06:03:11Z'));
  assert.equal(a!.tzOffsetMin, 480);
  assert.deepEqual(b!.fields, { message: 'payment failed', level: 'ERROR', body: 'java.lang.RuntimeException: boom\n\tat com.shop.Pay.notify(Pay.java:42)' });
  assert.equal(b!.tsMs, at('2026-11-21T06:03:12.345Z'));
  assert.deepEqual(c!.fields, { message: '1234#0: *5 upstream timed out', level: 'ERROR' });
  assert.equal(c!.tsMs, at('2026-11-21T06:03:13Z'));
  assert.deepEqual(d!.fields, { message: 'low stock', level: 'WARNING' });
  assert.deepEqual(e!.fields, { message: 'no level here' });
  assert.equal(e!.tsMs, at('2026-11-21T06:03:15.123Z'));
  assert.deepEqual(f!.fields, { message: '- svc - INFO - python style' });
  assert.deepEqual(h!.fields, { message: 'utc', level: 'DEBUG' });
  assert.equal(h!.tsMs, at('2026-11-21T14:03:17Z'));
  assert.equal(h!.tzOffsetMin, 0);
});

test('generic: wall times follow --tz', () => {
  const r = runParser(generic, '2026-07-01 12:00:00 INFO summer\n2026-12-01 12:00:00 INFO winter\n', 'America/New_York');
  assert.deepEqual(r.events.map((e) => [e.tsMs, e.tzOffsetMin]), [
    [at('2026-07-01T16:00:00Z'), -240],
    [at('2026-12-01T17:00:00Z'), -300],
  ]);
});

test('generic: orphan continuation lines, CRLF, GBK, a cut-off last line', () => {
  const r = runParser(generic, '\tat orphan\r\n2026-11-21 14:03:11 INFO a\r\n\r\n2026-11-21 14:03:12 ERROR 订单\r\n2026-11-21 14:0');
  assertCovered(r);
  assert.deepEqual(r.rejects.map((x) => x.line), [1]);
  assert.match(r.rejects[0]!.reason, /no timestamped entry above it/);
  // The cut-off line is no header: it is read as a continuation of the entry above.
  assert.deepEqual(r.events.map((e) => [e.line, e.lineEnd, e.fields.message]), [[2, 2, 'a'], [4, 5, '订单']]);
  assert.equal(r.events[1]!.fields.body, '2026-11-21 14:0');
  assert.deepEqual(r.blanks, [3]);
  const gbk = runParser(generic, iconv.encode('2026-11-21 14:03:11 WARN 库存不足\n', 'gbk'));
  assert.deepEqual(gbk.events[0]!.fields, { message: '库存不足', level: 'WARN' });
});

test('readGenericHeader: what is and is not a header', () => {
  assert.equal(readGenericHeader(''), null);
  assert.notEqual(readGenericHeader('2026-11-21 14:03:11'), null); // a bare time is an (empty) entry
  assert.equal(readGenericHeader('2026-11-21 14:03:11x'), null);
  assert.equal(readGenericHeader('2026-02-30 14:03:11 INFO x'), null);
  assert.equal(readGenericHeader('2026-11-21T14:03:11+08:00][info] tp6'), null);
  assert.equal(readGenericHeader('[2026-11-21 14:03:11'), null);
  assert.equal(readGenericHeader('21/Nov/2026:14:03:11 +0800'), null);
  assert.equal(readGenericHeader('2026-11-21 14:03:11 <err> x')!.level, 'ERR');
});

test('generic: every line is accounted for exactly once (property)', () => {
  const vocab = ['2026-11-21 14:03:11 INFO a', '\tat x', '', '2026/11/21 14:03:11 [error] b', 'text', '2026-11-21 14:0'];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...vocab), { maxLength: 40 }), fc.boolean(), (lines, crlf) => {
      assertCovered(runParser(generic, lines.join(crlf ? '\r\n' : '\n')));
    }),
    { numRuns: 300 },
  );
});
