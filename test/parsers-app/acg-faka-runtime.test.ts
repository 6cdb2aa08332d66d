import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { acgFakaRuntime } from '../../parsers/app/acg-faka-runtime';
import { assertCovered, at, offsetOfLine, runParser } from './support';

test('acg-faka-runtime: one entry per header, local wall time, tag and message', () => {
  const text = [
    '[CALLBACK][2026-11-21 14:03:11]:签名验证失败',
    '[CALLBACK][2026-11-21 14:03:12]:重复通知，当前订单已支付',
    '[NOTIFY][2026-11-21 23:59:59]: ok ',
  ].join('\n') + '\n';
  const r = runParser(acgFakaRuntime, text);
  assertCovered(r);
  assert.equal(r.events.length, 3);
  const [a, b, c] = r.events;
  assert.equal(a!.format, 'acg-faka-runtime');
  assert.equal(a!.tsMs, at('2026-11-21T06:03:11Z'));
  assert.equal(a!.tzOffsetMin, 480);
  assert.deepEqual(a!.fields, { tag: 'CALLBACK', channel: 'CALLBACK', message: '签名验证失败' });
  assert.equal(a!.params, undefined);
  assert.deepEqual([a!.line, a!.lineEnd, a!.offset], [1, 1, 0]);
  assert.equal(b!.fields.message, '重复通知，当前订单已支付');
  assert.equal(b!.offset, Buffer.byteLength('[CALLBACK][2026-11-21 14:03:11]:签名验证失败\n'));
  // One space after the colon is dropped, trailing space trimmed.
  assert.deepEqual(c!.fields, { tag: 'NOTIFY', channel: 'NOTIFY', message: 'ok' });
  assert.equal(c!.tsMs, at('2026-11-21T15:59:59Z'));
});

test('acg-faka-runtime: a print_r dump folds into its entry with exact spans; blank lines between entries are blanks', () => {
  const lines = [
    '[NOTIFY][2026-11-21 14:03:11]:Array', //           1
    '(', //                                              2
    '    [pid] => 1001', //                              3
    '    [out_trade_no] => 123261121140311456', //       4
    '    [money] => 9.90', //                            5
    '    [extra] => Array', //                           6
    '        (', //                                      7
    '            [a] => 1', //                           8
    '        )', //                                      9
    '', //                                               10 (inside the dump)
    ')', //                                              11
    '', //                                               12 (print_r's newline + PHP_EOL)
    '', //                                               13
    '[CALLBACK][2026-11-21 14:03:12]:签名验证失败', //   14
  ];
  const text = lines.join('\n') + '\n';
  const r = runParser(acgFakaRuntime, text);
  assertCovered(r);
  assert.deepEqual(r.items.map((i) => (i.t === 'event' ? `E${i.ev.line}-${i.ev.lineEnd}` : i.t === 'blank' ? `B${i.line}` : `R${i.line}`)), [
    'E1-11', 'B12', 'B13', 'E14-14',
  ]);
  const dump = r.events[0]!;
  assert.equal(dump.fields.message, 'Array');
  assert.equal(dump.fields.body, lines.slice(1, 11).join('\n'));
  assert.deepEqual(dump.params, {
    pid: '1001',
    out_trade_no: '123261121140311456',
    money: '9.90',
    extra: '{"a":"1"}',
    'extra.a': '1',
  });
  assert.equal(r.events[1]!.offset, offsetOfLine(text, 14));
});

test('acg-faka-runtime: JSON dumps, pretty-printed or after a label, become params', () => {
  const text = [
    '[NOTIFY][2026-11-21 14:03:11]:{',
    '    "out_trade_no": "123261121140311456",',
    '    "money": "9.90"',
    '}',
    '[ERROR][2026-11-21 14:03:12]:回调数据：{"trade_status":"TRADE_SUCCESS","money":"1.00"}',
    '[ERROR][2026-11-21 14:03:13]:订单金额不一致 {"money":"1.00"}',
  ].join('\n');
  const r = runParser(acgFakaRuntime, text);
  assertCovered(r);
  assert.deepEqual(r.events.map((e) => [e.line, e.lineEnd]), [[1, 4], [5, 5], [6, 6]]);
  assert.deepEqual(r.events[0]!.params, { out_trade_no: '123261121140311456', money: '9.90' });
  assert.equal(r.events[1]!.fields.message, '回调数据：');
  assert.deepEqual(r.events[1]!.params, { trade_status: 'TRADE_SUCCESS', money: '1.00' });
  assert.equal(r.events[2]!.fields.message, '订单金额不一致');
  assert.deepEqual(r.events[2]!.params, { money: '1.00' });
});

test('acg-faka-runtime: CRLF line ends give the same entries, with offsets counting the CRs', () => {
  const lines = ['[CALLBACK][2026-11-21 14:03:11]:签名验证失败', '[NOTIFY][2026-11-21 14:03:12]:Array', '(', '    [pid] => 1001', ')', ''];
  const text = lines.join('\r\n');
  const r = runParser(acgFakaRuntime, text);
  assertCovered(r);
  assert.equal(r.events.length, 2);
  assert.equal(r.events[0]!.fields.message, '签名验证失败');
  assert.equal(r.events[1]!.offset, Buffer.byteLength(lines[0]!) + 2);
  assert.deepEqual([r.events[1]!.line, r.events[1]!.lineEnd], [2, 5]);
  assert.deepEqual(r.events[1]!.params, { pid: '1001' });
  assert.ok(!r.events[1]!.fields.body!.includes('\r'));
});

test('acg-faka-runtime: GBK bytes are decoded before the parser sees them', () => {
  const bytes = iconv.encode('[CALLBACK][2026-11-21 14:03:11]:订单金额不一致\n[CALLBACK][2026-11-21 14:03:12]:状态验证失败\n', 'gbk');
  const r = runParser(acgFakaRuntime, bytes);
  assertCovered(r);
  assert.deepEqual(r.events.map((e) => e.fields.message), ['订单金额不一致', '状态验证失败']);
});

test('acg-faka-runtime: orphan dump lines, a damaged header, a cut-off last line', () => {
  const text = [
    '', //                                              1 blank before anything
    '    [money] => 9.90', //                           2 the rest of a dump from the previous file
    ')', //                                             3
    '[CALLBACK][2026-02-30 14:03:11]:签名验证失败', //   4 impossible date
    '[CALLBACK][2026-11-21 14:03:11]:签名验证失败', //   5
    '[CALLBACK][2026-11-21 14:0', //                    6 cut short (no newline after it)
  ].join('\n');
  const r = runParser(acgFakaRuntime, text);
  assertCovered(r);
  assert.deepEqual(r.blanks, [1]);
  assert.deepEqual(r.rejects.map((x) => x.line), [2, 3, 4, 6]);
  assert.match(r.rejects[0]!.reason, /no \[TAG\]\[time\]: header above it/);
  assert.match(r.rejects[2]!.reason, /bad timestamp \[2026-02-30 14:03:11\]/);
  assert.match(r.rejects[3]!.reason, /damaged \[TAG\]\[time\]: header/);
  assert.equal(r.rejects[3]!.text, '[CALLBACK][2026-11-21 14:0');
  assert.deepEqual(r.events.map((e) => [e.line, e.lineEnd, e.fields.message]), [[5, 5, '签名验证失败']]);
});

test('acg-faka-runtime: a last line cut inside its message is still an entry, with what survived', () => {
  const r = runParser(acgFakaRuntime, '[CALLBACK][2026-11-21 14:03:10]:ok\n[CALLBACK][2026-11-21 14:03:11]:签名验');
  assertCovered(r);
  assert.deepEqual(r.events.map((e) => [e.line, e.fields.message]), [[1, 'ok'], [2, '签名验']]);
});

test('acg-faka-runtime: every line is accounted for exactly once, whatever the mix (property)', () => {
  const vocab = [
    '[CALLBACK][2026-11-21 14:03:11]:签名验证失败',
    '[NOTIFY][2026-11-21 14:03:12]:Array',
    '(',
    '    [pid] => 1001',
    ')',
    '',
    '   ',
    '[CALLBACK][2026-11-21 14:0',
    '{"a":1}',
    'garbage',
  ];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...vocab), { maxLength: 40 }), fc.boolean(), (lines, crlf) => {
      const r = runParser(acgFakaRuntime, lines.join(crlf ? '\r\n' : '\n'));
      assertCovered(r);
    }),
    { numRuns: 300 },
  );
});
