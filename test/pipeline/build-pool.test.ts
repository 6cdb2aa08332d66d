// Records built on builder threads (src/pipeline/build-pool.ts) must be exactly those built on
// the calling thread (LocalShelf): the same records, checks' view, copies dropped and which
// records stood from the quiet build, in the same order, whatever was parked when, with which
// corrections, and whatever was added late or taken back.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkedView, type Evidence } from '../../src/model/types';
import { recordBuilds, type Settled } from '../../src/correlate/order-build';
import { LocalShelf, type Shelf } from '../../src/correlate/order-shelf';
import { BuildPool } from '../../src/pipeline/build-pool';
import { laneOf } from '../../src/pipeline/build-protocol';
import { scoreRecord } from '../../src/score/score';
import { evidenceFactory } from '../support/evidence';
import { withTempDir } from '../support/temp-dir';

const T0 = Date.parse('2026-11-21T10:00:00+08:00');
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const KINDS: Evidence['kind'][] = ['order_created', 'order_viewed', 'payment_started', 'payment_notified', 'payment_confirmed', 'card_delivered'];
/** The sources evidence comes from, as clock corrections name them. */
const SOURCES = ['nginx-combined@logs/web1', 'laravel@logs/app'];

// An order is parked with at least one item: the order table never lets go of an order with none.
type Op =
  | { t: 'park'; id: number; items: { kind: number; at: number; src: number; copy: boolean }[]; build: boolean; corr: number }
  | { t: 'flush' };

const item = fc.record({ kind: fc.nat(KINDS.length - 1), at: fc.nat(3_600), src: fc.nat(1), copy: fc.boolean() });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('park' as const), id: fc.nat(9), items: fc.array(item, { minLength: 1, maxLength: 4 }), build: fc.boolean(), corr: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('flush' as const) }) },
);
/** Three clock-correction states: none, web1 90 s fast, web1 30 s fast. */
const CORRECTIONS: ReadonlyMap<string, number>[] = [new Map(), new Map([[SOURCES[0]!, 90]]), new Map([[SOURCES[0]!, 30]])];

/** What a shelf gives at the end, in a form to compare (the checks' view as the builder threads send it). */
function settledAll(shelf: Shelf<Settled>, corr: ReadonlyMap<string, number>, open: Map<string, string[]>, retracted: Map<string, Set<string>>) {
  try {
    return [...shelf.settle(corr, open, retracted)].map((s) => ({ ...s, checked: s.checked.map(checkedView) }));
  } finally {
    shelf.dispose();
  }
}

test('builder threads give exactly the records the calling thread builds (property)', async () => {
  await withTempDir('salvage-build-pool-', (parent) => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), fc.nat(2), fc.array(fc.nat(9), { maxLength: 3 }), fc.array(fc.nat(200), { maxLength: 3 }), fc.integer({ min: 1, max: 2 }), (ops, finalCorr, openIds, gonePicks, threads) => {
        const web = evidenceFactory('logs/web1/access.log');
        const app = evidenceFactory('logs/app/laravel.log');
        const text = (id: string, x: { kind: number; at: number; src: number; copy: boolean }) => {
          const e = (x.src === 0 ? web : app)(KINDS[x.kind]!, iso(T0 + x.at * 1000), { order_id: id, amount: 5, channel: 'epay' }, { format: x.src === 0 ? 'nginx-combined' : 'laravel' });
          // A copy of a line seen in another place: the same fingerprint.
          return JSON.stringify(x.copy ? { ...e, fingerprint: 'fp-shared' } : e);
        };
        const local = new LocalShelf(recordBuilds(scoreRecord), parent);
        const pool = new BuildPool(threads, parent);
        const parked = new Map<string, string[]>();
        for (const o of ops) {
          if (o.t === 'flush') {
            pool.flush();
            continue;
          }
          const id = `O${o.id}`;
          const items = o.items.map((x) => text(id, x));
          const corr = o.build ? CORRECTIONS[o.corr]! : null;
          local.park(id, items, corr);
          pool.park(id, items, corr);
          parked.set(id, [...(parked.get(id) ?? []), ...items]);
        }
        const open = new Map<string, string[]>();
        for (const n of openIds) open.set(`O${n}`, [text(`O${n}`, { kind: 1, at: 4_000, src: 1, copy: false })]);
        const lines = [...parked].flatMap(([id, l]) => l.map((j) => [id, j] as const));
        const retracted = new Map<string, Set<string>>();
        for (const p of gonePicks) {
          if (lines.length === 0) break;
          const [id, j] = lines[p % lines.length]!;
          retracted.set(id, (retracted.get(id) ?? new Set()).add(j));
        }
        const want = settledAll(local, CORRECTIONS[finalCorr]!, open, retracted);
        const got = settledAll(pool, CORRECTIONS[finalCorr]!, open, retracted);
        assert.deepEqual(got, want);
        assert.deepEqual(want.map((s) => s.id), [...want.map((s) => s.id)].sort(), 'in order-number order');
      }),
      { numRuns: 25 },
    );
  });
});

test('the records stood from the quiet build only when built with the final corrections', async () => {
  await withTempDir('salvage-build-pool-', (parent) => {
    const web = evidenceFactory('logs/web1/access.log');
    const ev = (id: string) => JSON.stringify(web('order_viewed', iso(T0), { order_id: id, amount: 5 }));
    const pool = new BuildPool(2, parent);
    pool.park('A', [ev('A')], CORRECTIONS[1]!);
    pool.park('B', [ev('B')], CORRECTIONS[0]!);
    pool.park('C', [ev('C')], null);
    const got = [...pool.settle(CORRECTIONS[1]!, new Map(), new Map())].map((s) => [s.id, s.kept]);
    pool.dispose();
    assert.deepEqual(got, [['A', true], ['B', false], ['C', false]]);
    assert.ok(pool.bytes > 0, 'the builders say how much they parked');
  });
});

test('an order always goes to the same builder, and orders spread over all of them (property)', () => {
  fc.assert(
    fc.property(fc.string(), fc.integer({ min: 1, max: 8 }), (id, n) => {
      const lane = laneOf(id, n);
      assert.ok(Number.isInteger(lane) && lane >= 0 && lane < n);
      assert.equal(laneOf(id, n), lane);
    }),
  );
  const seen = new Set(Array.from({ length: 200 }, (_, i) => laneOf(`ORDER${i}`, 4)));
  assert.equal(seen.size, 4);
});
