// The correlator's scratch file: every block reads back as the lines it was written with,
// whatever they hold (empty lines, multibyte text), before and after its buffered writes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BlockFile } from '../../src/correlate/block-file';
import { withTempDir } from '../support/temp-dir';

const line = fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme-ascii' })).map((s) => s.replace(/\n/g, ' '));

test('every block reads back as its own lines, in order, flushed or not', async () => {
  await withTempDir('salvage-blockfile-', async (dir) => {
    fc.assert(
      fc.property(fc.array(fc.array(line, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 30 }), fc.nat(), (blocks, seed) => {
        const f = new BlockFile(dir, 'salvage-test-');
        try {
          const at = blocks.map((b) => f.append(b));
          // Read in an order of their own, some before anything reached the disk.
          const order = at.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 31) - ((b * 7919 + seed) % 31) || a - b);
          for (const i of order) assert.deepEqual(f.read(at[i]!), blocks[i]);
        } finally {
          f.dispose();
        }
      }),
      { numRuns: 200 },
    );
  });
});

test('a block larger than the read buffer, and one of a single empty line', async () => {
  await withTempDir('salvage-blockfile-', async (dir) => {
    const f = new BlockFile(dir, 'salvage-test-');
    try {
      const big = ['x'.repeat(100_000), '订单'.repeat(30_000), ''];
      const a = f.append(big);
      const b = f.append(['']);
      assert.deepEqual(f.read(b), ['']);
      assert.deepEqual(f.read(a), big);
    } finally {
      f.dispose();
    }
  });
});
