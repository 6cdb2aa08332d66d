// OrderKeys keeps each order's callbacks and flow steps in shared typed arrays: what comes back
// per order must be what a plain list per order would hold, in the order noted.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OrderKeys } from '../../src/correlate/order-keys';
import type { Step, StepSpan } from '../../src/correlate/host-skew';

type Op = { t: 'cb'; order: number; code: number; ts: number } | { t: 'step'; order: number; source: number; step: number; ts: number };

const ts = fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('cb' as const), order: fc.nat(40), code: fc.integer({ min: -4, max: 4 }).filter((c) => c !== 0), ts }),
  fc.record({ t: fc.constant('step' as const), order: fc.nat(40), source: fc.integer({ min: 1, max: 3 }), step: fc.nat(5), ts }),
);

test('callbacks and step spans per order match a list per order, in the order first noted', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
      const k = new OrderKeys();
      const cbs = new Map<number, { code: number; ts: number }[]>();
      const steps = new Map<number, StepSpan[]>();
      const rowOf = new Map<number, number>();
      const sources = ['a', 'b', 'c', 'd'];
      for (const o of ops) {
        const row = k.row(`order-${o.order}`);
        rowOf.set(o.order, row);
        if (o.t === 'cb') {
          k.noteCallback(row, o.code, o.ts);
          cbs.set(o.order, [...(cbs.get(o.order) ?? []), { code: o.code, ts: o.ts }]);
        } else {
          k.noteStep(row, o.source, o.step as Step, o.ts);
          const list = steps.get(o.order) ?? [];
          const s = list.find((x) => x.source === o.source && x.step === o.step);
          if (s) {
            s.first = Math.min(s.first, o.ts);
            s.last = Math.max(s.last, o.ts);
          } else list.push({ source: o.source, step: o.step as Step, first: o.ts, last: o.ts });
          steps.set(o.order, list);
        }
      }
      for (const [order, row] of rowOf) {
        const c = cbs.get(order) ?? [];
        assert.equal(k.hasCallbacks(row), c.length > 0);
        assert.deepEqual(k.callbackTimes(row, sources), c.map((x) => ({ source: sources[Math.abs(x.code) - 1], web: x.code < 0, tsMs: x.ts })));
        const s = steps.get(order) ?? [];
        assert.equal(k.hasSteps(row), s.length > 0);
        assert.deepEqual(k.stepSpans(row), s);
      }
    }),
    { numRuns: 100 },
  );
});
