import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import fc from 'fast-check';
import { decodeGbkStrict, decodeLine, printableHead } from '../../src/sources/decode-line';

function decode(bytes: Buffer) {
  return decodeLine(bytes, 0, bytes.length);
}

test('decodeLine: ASCII is returned as is, and only the given range is read', () => {
  const line = '127.0.0.1 - - [21/Nov/2026:14:03:11 +0800] "GET /pay?x=1 HTTP/1.1" 200 5';
  assert.deepEqual(decode(Buffer.from(line)), { ok: true, text: line, encoding: 'ascii' });
  const framed = Buffer.from('XXhello\u00ff');
  // bytes 2..7 are "hello"; the 0xC3 0xBF after them must not be looked at.
  assert.deepEqual(decodeLine(framed, 2, 7), { ok: true, text: 'hello', encoding: 'ascii' });
  assert.deepEqual(decodeLine(framed, 3, 3), { ok: true, text: '', encoding: 'ascii' });
});

test('decodeLine: tab, CR, form feed and ESC are text, not binary', () => {
  const text = 'a\tb\x1b[0mc\x0cd\re';
  assert.deepEqual(decode(Buffer.from(text, 'latin1')), { ok: true, text, encoding: 'ascii' });
});

test('decodeLine: UTF-8 Chinese', () => {
  const text = '[2026-11-21 14:03:11] local.INFO: 订单 20261121 已支付 ¥10.00';
  assert.deepEqual(decode(Buffer.from(text, 'utf8')), { ok: true, text, encoding: 'utf8' });
});

test('decodeLine: GBK Chinese', () => {
  const text = '[2026-11-21 14:03:11] local.INFO: 订单已支付，商品：月卡';
  const bytes = iconv.encode(text, 'gbk');
  assert.equal(isUtf8(bytes), false, 'precondition: these GBK bytes are not also valid UTF-8');
  assert.deepEqual(decode(bytes), { ok: true, text, encoding: 'gbk' });
});

test('decodeLine: bytes that are neither UTF-8 nor GBK are rejected with a reason', () => {
  for (const bytes of [
    Buffer.from([0x61, 0xff, 0x62]), // 0xFF is never valid in either
    Buffer.from([0x61, 0x80, 0xff]),
    Buffer.concat([iconv.encode('你好', 'gbk'), Buffer.from([0xc4])]), // GBK cut inside a character
  ]) {
    const d = decode(bytes);
    assert.equal(d.ok, false, bytes.toString('hex'));
    assert.match((d as { reason: string }).reason, /invalid text encoding: neither UTF-8 nor GBK/);
  }
  assert.equal(decodeGbkStrict(Buffer.from([0x61, 0xff])), undefined);
  assert.equal(decodeGbkStrict(iconv.encode('你好', 'gbk')), '你好');
});

test('decodeLine: NUL and other control bytes are binary, in ASCII lines as in UTF-8 ones', () => {
  const cases: [Buffer, number][] = [
    [Buffer.from('abc\x00def', 'latin1'), 1],
    [Buffer.from('\x00\x00\x00\x00', 'latin1'), 4],
    // Regression: the native ASCII fast path used to check for NUL only, so \x01 and \x07
    // passed in an ASCII line while the same bytes were rejected next to a Chinese character.
    [Buffer.from('abc\x01\x07def', 'latin1'), 2],
    [Buffer.from('abc\x01\x07def你', 'utf8'), 2],
    [Buffer.from('x\x0bx\x1fx\x1ax\x1cx', 'latin1'), 4],
  ];
  for (const [bytes, n] of cases) {
    const d = decode(bytes);
    assert.equal(d.ok, false, bytes.toString('hex'));
    assert.match((d as { reason: string }).reason, new RegExp(`binary data: ${n} control byte`));
  }
});

test('decodeLine: random binary (with NULs) is never accepted as text', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), (arr, at) => {
      const bytes = Buffer.from(arr);
      bytes[at % bytes.length] = 0;
      assert.equal(decode(bytes).ok, false);
    }),
  );
});

test('decodeLine: any string without control characters decodes back from its UTF-8 bytes', () => {
  const noControls = fc.string({ unit: 'binary', maxLength: 80 }).filter((s) => !/[\x00-\x08\x0a\x0b\x0e-\x1a\x1c-\x1f]/.test(s));
  fc.assert(
    fc.property(noControls, (s) => {
      const d = decode(Buffer.from(s, 'utf8'));
      assert.ok(d.ok);
      assert.equal(d.text, s);
    }),
  );
});

// There is no "preferGbk" switch any more (it was removed when GBK decoding became strict):
// every line is decoded on its own. A file that mixes GBK and UTF-8 lines gets each line right,
// and bytes that are valid UTF-8 are read as UTF-8 even in a file whose other lines are GBK.
test('decodeLine: each line is decoded on its own, and valid UTF-8 wins over GBK', () => {
  const gbkLine = iconv.encode('支付成功', 'gbk');
  const utf8Line = Buffer.from('支付成功', 'utf8');
  assert.deepEqual(decode(gbkLine), { ok: true, text: '支付成功', encoding: 'gbk' });
  assert.deepEqual(decode(utf8Line), { ok: true, text: '支付成功', encoding: 'utf8' });
  assert.deepEqual(decode(gbkLine), { ok: true, text: '支付成功', encoding: 'gbk' });

  // The known ambiguity: the UTF-8 bytes of "中文" (E4 B8 AD E6 96 87) are also valid GBK (three other
  // characters). Written by a GBK program, such a line is read as UTF-8.
  const ambiguous = Buffer.from('e4b8ade69687', 'hex');
  const asGbk = decodeGbkStrict(ambiguous);
  assert.ok(asGbk !== undefined && asGbk !== '中文');
  assert.ok(iconv.encode(asGbk, 'gbk').equals(ambiguous), 'precondition: a GBK writer produces exactly these bytes');
  assert.deepEqual(decode(ambiguous), { ok: true, text: '中文', encoding: 'utf8' });
});

test('printableHead: printable ASCII kept, everything else (and the backslash) as \\xHH', () => {
  const bytes = Buffer.concat([Buffer.from('GET /a\\b '), Buffer.from([0x00, 0x0a, 0x7f, 0xe4, 0xbd, 0xa0, 0x22])]);
  assert.equal(printableHead(bytes, 0, bytes.length), 'GET /a\\x5cb \\x00\\x0a\\x7f\\xe4\\xbd\\xa0"');
});

test('printableHead: reads only [start, end) and at most max bytes', () => {
  const bytes = Buffer.from('0123456789');
  assert.equal(printableHead(bytes, 2, 6), '2345');
  assert.equal(printableHead(bytes, 2, 10, 3), '234');
  assert.equal(printableHead(bytes, 5, 5), '');
  assert.equal(printableHead(Buffer.alloc(500, 0x41), 0, 500).length, 200);
});
