// The spill store gives back exactly the text it was given, whatever the mix of lengths and scripts,
// whether the text is still in its write buffer, half flushed, or long gone to the file.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { SpillTextStore } from '../../src/simulate/text-store';

const tmp = mkdtempSync(join(tmpdir(), 'salvage-textstore-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;

test('every text comes back as it was put, read at once or after more was written', () => {
  const line = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    // long enough to cross 64 KB read blocks, and now and then the 1 MB write buffer
    fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.integer({ min: 1000, max: 60_000 })).map(([s, k]) => s.repeat(k)),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 120 }), fc.array(fc.nat(), { maxLength: 60 }), (texts, probes) => {
      const path = join(tmp, `spill-${n++}`);
      const store = new SpillTextStore(path);
      try {
        const refs: number[] = [];
        texts.forEach((t, i) => {
          refs.push(store.put(t));
          // reads while writing: from the write buffer, and from blocks of a file that is still growing
          const j = probes[i % Math.max(1, probes.length)] ?? 0;
          if (probes.length > 0) assert.equal(store.get(refs[j % refs.length]!), texts[j % refs.length]);
        });
        texts.forEach((t, i) => assert.equal(store.get(refs[i]!), t));
        for (const p of probes) if (texts.length > 0) assert.equal(store.get(refs[p % texts.length]!), texts[p % texts.length]);
      } finally {
        store.close();
      }
      assert.equal(existsSync(path), false, 'close removes the spill file');
    }),
    { numRuns: 25 },
  );
});

test('a million short lines: numbers are consecutive and each line reads back', () => {
  const store = new SpillTextStore(join(tmp, 'many'));
  try {
    const text = (i: number): string => `${i} 订单 ${'x'.repeat(i % 97)}`;
    for (let i = 0; i < 1_000_000; i++) assert.equal(store.put(text(i)), i);
    for (let i = 0; i < 1_000_000; i += 997) assert.equal(store.get(i), text(i));
    for (let i = 999_999; i >= 0; i -= 7919) assert.equal(store.get(i), text(i));
  } finally {
    store.close();
  }
});

test('lines read back while the file still grows: a block read before its end was written is read again', () => {
  const store = new SpillTextStore(join(tmp, 'growing'));
  try {
    const text = (i: number): string => `${i}:${'日志'.repeat(150)}${'y'.repeat(i % 300)}`;
    for (let i = 0; i < 3000; i++) {
      store.put(text(i));
      // the recent lines straddle the write buffer, the file's last (partial) block and older blocks
      for (let j = Math.max(0, i - 1500); j <= i; j += 7) assert.equal(store.get(j), text(j), `line ${j} after ${i} were written`);
    }
  } finally {
    store.close();
  }
});

test('texts read ahead in ranges come back the same, and so do the others, before and after forget', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 200 }), { minLength: 1, maxLength: 400 }), fc.array(fc.nat(), { maxLength: 200 }), fc.nat(), (texts, picks, spread) => {
      const store = new SpillTextStore(join(tmp, `ahead-${n++}`));
      try {
        // some lines far apart (beyond the gap one read spans), so that preload issues several reads
        const pad = 'p'.repeat(spread % 3 === 0 ? 70_000 : 10);
        const refs = texts.map((t) => {
          store.put(pad);
          return store.put(t);
        });
        const chosen = picks.map((p) => refs[p % refs.length]!);
        store.preload(chosen);
        texts.forEach((t, i) => assert.equal(store.get(refs[i]!), t));
        store.forget();
        texts.forEach((t, i) => assert.equal(store.get(refs[i]!), t));
      } finally {
        store.close();
      }
    }),
    { numRuns: 30 },
  );
});
