import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import fc from 'fast-check';
import { decodeQuery, percentDecode, unescapeNginx } from '../../parsers/params';

/** %XX for every byte, upper-case hex, as gateways write them. */
function percentBytes(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  return out;
}

test('decodeQuery: plain pairs, %20 and + as spaces', () => {
  assert.deepEqual(decodeQuery('a=1&b=x%20y&c=p+q'), { a: '1', b: 'x y', c: 'p q' });
  assert.deepEqual(decodeQuery('plus=%2B&amp=%26&eq=%3D'), { plus: '+', amp: '&', eq: '=' });
  assert.deepEqual(decodeQuery(''), {});
});

test('decodeQuery: UTF-8 percent-escapes', () => {
  // 你好 in UTF-8 is E4 BD A0 E5 A5 BD.
  assert.equal(percentBytes(Buffer.from('你好', 'utf8')), '%E4%BD%A0%E5%A5%BD');
  assert.deepEqual(decodeQuery('name=%E4%BD%A0%E5%A5%BD&goods=%e6%9c%88%e5%8d%a1'), { name: '你好', goods: '月卡' });
});

test('decodeQuery: GBK percent-escapes (older Chinese gateways)', () => {
  // 你好 in GBK is C4 E3 BA C3, which is not valid UTF-8.
  const gbk = iconv.encode('你好', 'gbk');
  assert.equal(percentBytes(gbk), '%C4%E3%BA%C3');
  assert.equal(isUtf8(gbk), false);
  assert.deepEqual(decodeQuery('subject=%C4%E3%BA%C3&money=10.00'), { subject: '你好', money: '10.00' });
  assert.equal(percentDecode(percentBytes(iconv.encode('商品：月卡 x1', 'gbk'))), '商品：月卡 x1');
});

test('percentDecode: malformed escapes stay literal', () => {
  assert.equal(percentDecode('%zz'), '%zz');
  assert.equal(percentDecode('100%'), '100%');
  assert.equal(percentDecode('a%4'), 'a%4');
  assert.equal(percentDecode('%4g%41'), '%4gA');
  assert.equal(percentDecode('%%41'), '%A');
  assert.deepEqual(decodeQuery('x=%zz%20y&y=50%'), { x: '%zz y', y: '50%' });
});

test('percentDecode: + is a space only in form encoding', () => {
  assert.equal(percentDecode('a+b%20c'), 'a b c');
  assert.equal(percentDecode('a+b'), 'a b');
  assert.equal(percentDecode('a+b%20c', false), 'a+b c');
  assert.equal(percentDecode('a+b', false), 'a+b');
});

test('percentDecode: raw non-ASCII next to escapes survives, astral characters included', () => {
  // Regression: a raw character outside the BMP was split into lone surrogates and became
  // two U+FFFD when the same string also had a %-escape.
  assert.equal(percentDecode('😀%20x'), '😀 x');
  assert.equal(percentDecode('你%20好'), '你 好');
  assert.equal(percentDecode('é+%C3%A9'), 'é é');
});

test('percentDecode: bytes that are neither UTF-8 nor GBK leave the text as it was', () => {
  assert.equal(percentDecode('%FF%FE'), '%FF%FE');
  assert.equal(percentDecode('a%C4'), 'a%C4'); // a GBK lead byte with nothing after it
});

test('decodeQuery: repeated keys (first wins), bare keys, empty pieces, = inside values', () => {
  assert.deepEqual(decodeQuery('a=1&a=2&b=3'), { a: '1', b: '3' });
  assert.deepEqual(decodeQuery('flag&x=1'), { flag: '', x: '1' });
  assert.deepEqual(decodeQuery('&&a=1&&'), { a: '1' });
  assert.deepEqual(decodeQuery('sign=abc==&k='), { sign: 'abc==', k: '' });
  assert.deepEqual(decodeQuery('out%5Ftrade%5Fno=A1'), { out_trade_no: 'A1' });
  // A repeated key is the same key whether or not it was escaped.
  assert.deepEqual(decodeQuery('a=1&%61=2'), { a: '1' });
});

test('percentDecode: encodeURIComponent of any string decodes back', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      assert.equal(percentDecode(encodeURIComponent(s)), s);
      assert.deepEqual(decodeQuery('k=' + encodeURIComponent(s) + '&z=1'), { k: s, z: '1' });
    }),
    { numRuns: 500 },
  );
});

test('percentDecode: GBK bytes of Chinese text decode back (when they are not also valid UTF-8)', () => {
  const han = fc.constantFrom(...'订单支付成功商品月卡你好世界金额元充值失败退款', 'a', '1', ' ', '-');
  fc.assert(
    fc.property(fc.array(han, { minLength: 1, maxLength: 20 }), (chars) => {
      const s = chars.join('');
      const gbk = iconv.encode(s, 'gbk');
      fc.pre(!isUtf8(gbk));
      assert.equal(percentDecode(percentBytes(gbk)), s);
    }),
    { numRuns: 300 },
  );
});

test('unescapeNginx: \\x22 quotes, \\x5C backslashes and UTF-8 byte sequences', () => {
  assert.equal(unescapeNginx('say \\x22hi\\x22'), 'say "hi"');
  assert.equal(unescapeNginx('C:\\x5Cshop'), 'C:\\shop');
  assert.equal(unescapeNginx('q=\\xE4\\xBD\\xA0\\xE5\\xA5\\xBD'), 'q=你好');
  assert.equal(unescapeNginx('\\xe4\\xbd\\xa0'), '你');
  assert.equal(unescapeNginx('no escapes here'), 'no escapes here');
});

test('unescapeNginx: GBK byte sequences, malformed escapes and a cut-off escape', () => {
  assert.equal(unescapeNginx('\\xC4\\xE3\\xBA\\xC3'), '你好');
  assert.equal(unescapeNginx('\\xZZ and \\x4'), '\\xZZ and \\x4');
  assert.equal(unescapeNginx('end\\x'), 'end\\x');
  assert.equal(unescapeNginx('\\x41\\x'), 'A\\x');
});

test('unescapeNginx: undecodable bytes (a TLS handshake on port 80) stay escaped instead of becoming U+FFFD', () => {
  const probe = '\\x16\\x03\\x01\\x00\\xA5\\x01\\x00\\x00\\xA1\\x03\\x03';
  assert.equal(unescapeNginx(probe), probe);
});

test('unescapeNginx: inverts nginx escaping of any UTF-8 text', () => {
  // nginx's escape=default: `"`, `\` and bytes outside 0x20-0x7E become \xHH (upper-case hex).
  const escapeLikeNginx = (s: string): string => {
    let out = '';
    for (const b of Buffer.from(s, 'utf8')) {
      out += b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c ? '\\x' + b.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(b);
    }
    return out;
  };
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      assert.equal(unescapeNginx(escapeLikeNginx(s)), s);
    }),
    { numRuns: 500 },
  );
});
