// Pacing by log time is for memory: a file ahead in time waits only once the orders still open
// hold a quarter of the correlator's bound. Before that, holding it would only leave a
// thread idle (rotated logs that do not overlap in time used to be read one at a time).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Correlator } from '../../src/correlate/correlator';
import { scoreRecord } from '../../src/score/score';
import { evidenceFactory } from '../support/evidence';
import { withTempDir } from '../support/temp-dir';

const T0 = Date.parse('2026-11-21T10:00:00+08:00');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

test('a file ahead in time reads on while few items are open, and waits once many are', async () => {
  await withTempDir('salvage-pacing-', async (dir) => {
    const c = new Correlator(scoreRecord, { maxInMemory: 10, spillParent: dir });
    c.expectFiles([{ file: 'old.log', startMs: T0 }, { file: 'new.log', startMs: T0 + 48 * HOUR }]);
    c.reached('old.log', T0);
    c.reached('new.log', T0 + 48 * HOUR);
    const both = new Set(['old.log', 'new.log']);
    assert.deepEqual([...c.holdBack(both)], [], 'nothing open: the later file is not held');

    // Orders read from the later file stay open: the watermark (old.log) is two days behind them.
    const ev = evidenceFactory('new.log');
    c.add(Array.from({ length: 2 }, (_, i) => ev('order_created', iso(T0 + 48 * HOUR + i * 1000), { order_id: `N${i}` })), 'new.log');
    assert.deepEqual([...c.holdBack(both)], [], '2 of 10 open: still below a quarter of the bound');

    c.add(Array.from({ length: 2 }, (_, i) => ev('order_viewed', iso(T0 + 48 * HOUR + 9000 + i), { order_id: `N${i}` })), 'new.log');
    assert.deepEqual([...c.holdBack(both)], ['new.log'], '4 of 10 open: the file ahead waits for the one behind');
    // The file behind is never held, whatever is open.
    assert.deepEqual([...c.holdBack(new Set(['old.log']))], []);
    c.finish(() => {}).records.dispose();
  });
});
