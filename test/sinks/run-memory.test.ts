import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { runMemory } from '../../src/sinks/report';

// report.json → run.memory: the process's peak resident memory in MB (maxRSS is in kilobytes),
// and whether it stayed within the budget.
test('peak RSS in MB, rounded, and within the budget exactly when it is not above it', () => {
  assert.deepEqual(runMemory(256, 262_144), { peak_rss_mb: 256, budget_mb: 256, within_budget: true });
  assert.deepEqual(runMemory(256, 263_000), { peak_rss_mb: 257, budget_mb: 256, within_budget: false });
  fc.assert(fc.property(fc.integer({ min: 1, max: 8_000_000 }), fc.integer({ min: 1, max: 4096 }), (kb, budget) => {
    const m = runMemory(budget, kb);
    assert.equal(m.peak_rss_mb, Math.round(kb / 1024));
    assert.equal(m.within_budget, m.peak_rss_mb <= budget);
  }));
  assert.ok(runMemory(256).peak_rss_mb > 0, 'this process has a peak of its own');
});
