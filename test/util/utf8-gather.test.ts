import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Utf8Gather } from '../../src/util/utf8-gather';

// The gather buffer must produce exactly the bytes that encoding the joined text once did
// (what the scratch files, the record spool and the outputs wrote before), for any text:
// multibyte characters, lone surrogates, pieces larger than the buffer, across clears.

const piece = fc.oneof(
  fc.constant(''),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
);

test('gathered bytes equal Buffer.from of the joined text, with newlines, across clears', () => {
  fc.assert(
    fc.property(fc.array(fc.array(piece, { maxLength: 12 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 64 }), (rounds, capacity) => {
      const g = new Utf8Gather(capacity);
      for (const parts of rounds) {
        let told = 0;
        for (const p of parts) {
          told += g.add(p);
          g.newline();
          told += 1;
        }
        const want = Buffer.from(parts.map((p) => p + '\n').join(''), 'utf8');
        assert.deepEqual(g.view(), want);
        assert.equal(told, want.length);
        assert.equal(g.length, want.length);
        g.clear();
        assert.equal(g.length, 0);
      }
    }),
    { numRuns: 500 },
  );
});

test('a piece far larger than the capacity is kept whole, and the buffer shrinks back after', () => {
  const g = new Utf8Gather(16);
  const big = '订单'.repeat(10_000) + 'x'.repeat(5);
  assert.equal(g.add('a'), 1);
  assert.equal(g.add(big), Buffer.byteLength(big));
  assert.equal(g.view().toString('utf8'), 'a' + big);
  g.clear();
  g.add('ok');
  assert.equal(g.view().toString('utf8'), 'ok');
});
