// Open correlation state: orders that go quiet are finished while reading, open state has a
// bound, and neither changes a single record compared with holding everything to the end.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Correlator, type CorrelatorOptions } from '../../src/correlate/correlator';
import { OrderTable } from '../../src/correlate/order-table';
import { LocalShelf, type FinalOrder, type OrderBuilds } from '../../src/correlate/order-shelf';
import { Watermark, typicalTime } from '../../src/correlate/watermark';
import { peekStart, peekStarts } from '../../src/pipeline/peek-start';
import { readingOrder, type FileTask } from '../../src/pipeline/run-files';
import type { Evidence } from '../../src/model/types';
import { evidenceFactory } from '../support/evidence';
import { withTempDir } from '../support/temp-dir';
import { scoreRecord } from '../../src/score/score';

/** An order table whose shelf builds a stand-in record (`{"n":<items>}`) and gives back each order's evidence at the end. */
function tableOf(bound: number, parent: string, built: string[] = []): OrderTable<{ id: string; evidence: string[]; stored: FinalOrder['stored'] }> {
  const builds: OrderBuilds<{ id: string; evidence: string[]; stored: FinalOrder['stored'] }> = {
    quiet: (id, items) => {
      built.push(id);
      return [`{"n":${items.length}}`, `{"id":"${id}"}`];
    },
    final: (o) => ({ id: o.id, evidence: o.evidence(), stored: o.stored }),
  };
  return new OrderTable({ maxOpenItems: bound }, new LocalShelf(builds, parent), () => new Map());
}

const T0 = Date.parse('2026-11-21T10:00:00+08:00');
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/**
 * A small shop day in three logs: the web server sees the buyer (client ip and user agent)
 * and a keyless order-creation line; the application logs the order and its payment; the
 * gateway's callback log has the trade number. Orders are `gap` ms apart.
 */
function shopLogs(orders: number, gap: number): Record<string, Evidence[]> {
  const web = evidenceFactory('web.log');
  const app = evidenceFactory('app.log');
  const pay = evidenceFactory('pay.log');
  const logs: Record<string, Evidence[]> = { 'web.log': [], 'app.log': [], 'pay.log': [] };
  for (let i = 0; i < orders; i++) {
    const t = T0 + i * gap;
    const id = `O${String(i).padStart(4, '0')}`;
    const client = { client_ip: `10.0.${i % 5}.1`, user_agent: `UA${i % 3}` };
    logs['web.log']!.push(web('order_created', iso(t), { ...client, amount: 5 + (i % 4) }));
    logs['web.log']!.push(web('order_viewed', iso(t + 2_000), { ...client, order_id: id }));
    logs['app.log']!.push(app('order_created', iso(t + 1_000), { order_id: id, amount: 5 + (i % 4) }, { format: 'laravel' }));
    if (i % 3 !== 2) {
      logs['pay.log']!.push(pay('payment_notified', iso(t + 40_000), { order_id: id, trade_no: `T${i}`, amount: 5 + (i % 4), channel: 'epay', gateway_success: 'yes' }, { format: 'epay-notify', signature: 'verified' }));
      // A refund days later names only the trade number.
      if (i % 7 === 0) logs['app.log']!.push(app('refunded', iso(t + 3_600_000), { trade_no: `T${i}` }, { format: 'laravel' }));
    }
  }
  for (const l of Object.values(logs)) l.sort((a, b) => a.tsMs - b.tsMs);
  return logs;
}

function chunks<T>(l: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < l.length; i += n) out.push(l.slice(i, i + n));
  return out;
}

interface Outcome {
  records: string;
  unjoined: string;
  fuzzy: number;
  state: ReturnType<Correlator['finish']>['state'];
}

function outcome(c: Correlator): Outcome {
  const r = c.finish();
  const records = JSON.stringify([...r.records.sorted()]);
  r.records.dispose();
  return { records, unjoined: JSON.stringify(r.unjoined), fuzzy: r.fuzzyJoins, state: r.state };
}

/** Everything held to the end: the reference. */
function allAtOnce(logs: Record<string, Evidence[]>): Outcome {
  const c = new Correlator(scoreRecord, { maxInMemory: 1e9 });
  c.add(Object.values(logs).flat());
  return outcome(c);
}

/**
 * Files read side by side in batches, with the watermark on: interleaved as `picks` says, or
 * earliest batch first ('by-time', as paced reading does).
 */
function whileReading(logs: Record<string, Evidence[]>, picks: number[] | 'by-time', batch: number, opts: Partial<CorrelatorOptions>, parent: string): Outcome {
  const c = new Correlator(scoreRecord, { quietMs: 60_000, slackMs: 5_000, fuzzyWindowMs: 30_000, spillParent: parent, ...opts });
  const files = Object.keys(logs);
  c.expectFiles(files.map((f) => ({ file: f, startMs: logs[f]![0]?.tsMs ?? null })));
  const queues = files.map((f) => chunks(logs[f]!, batch));
  let k = 0;
  while (queues.some((q) => q.length > 0)) {
    const live = queues.map((q, i) => (q.length > 0 ? i : -1)).filter((i) => i >= 0);
    const i = picks === 'by-time'
      ? live.reduce((a, b) => (queues[b]![0]![0]!.tsMs < queues[a]![0]![0]!.tsMs ? b : a))
      : live[(picks[k++ % Math.max(1, picks.length)] ?? 0) % live.length]!;
    c.add(queues[i]!.shift()!, files[i]!);
    if (queues[i]!.length === 0) c.fileDone(files[i]!);
  }
  return outcome(c);
}

test('orders that went quiet are finished while reading, and the records are the same as holding everything', () => {
  withTempDir('salvage-quiet-', (parent) => {
      const logs = shopLogs(400, 20_000);
      const ref = allAtOnce(logs);
      const got = whileReading(logs, 'by-time', 10, {}, parent);
      assert.equal(got.records, ref.records);
      assert.equal(got.unjoined, ref.unjoined);
      assert.equal(got.fuzzy, ref.fuzzy);
      assert.ok(got.fuzzy >= 390, `creation lines joined (${got.fuzzy})`);
      assert.ok(got.state.finished_quiet >= 350, `most orders finished while reading (${got.state.finished_quiet})`);
      assert.ok(got.state.peak_open_orders < 60, `open orders stay few (peak ${got.state.peak_open_orders} of 400)`);
      // Only the refunded orders (a trade-number line an hour later) are built again at the end.
      assert.ok(got.state.records_kept_from_quiet >= 300, `records built once, when quiet (${got.state.records_kept_from_quiet})`);
    assert.equal(got.state.creation_joins_walked_again, false, 'read in time order, the joins made while reading stand');
      assert.equal(ref.state.finished_quiet, 0, 'without files there is no watermark, so nothing is finished early');
      assert.deepEqual(readdirSync(parent), [], 'scratch files are removed');
  });
});

test('past its bound, open state is finished early (oldest first), and still gives the same records', () => {
  withTempDir('salvage-bound-', (parent) => {
      const logs = shopLogs(200, 20_000);
      const ref = allAtOnce(logs);
      // No watermark (one file is never started), so only the bound frees memory.
      const c = new Correlator(scoreRecord, { maxInMemory: 40, spillParent: parent });
      c.expectFiles([{ file: 'never-read.log', startMs: null }]);
      for (const [f, l] of Object.entries(logs)) for (const b of chunks(l, 7)) c.add(b, f);
      const got = outcome(c);
      assert.equal(got.records, ref.records);
      assert.equal(got.state.finished_quiet, 0);
      assert.ok(got.state.finished_for_memory > 100, `finished for memory: ${got.state.finished_for_memory}`);
      assert.ok(got.state.peak_open_items <= 41, `open items never pass the bound (peak ${got.state.peak_open_items})`);
      assert.ok(got.state.late_evidence > 0, 'evidence for orders finished early is still joined');
  });
});

test('results do not depend on how the files interleave, the batch size or the bound (property)', () => {
  withTempDir('salvage-quiet-prop-', (parent) => {
      const logs = shopLogs(60, 15_000);
      const ref = allAtOnce(logs);
      fc.assert(
        fc.property(fc.array(fc.nat(5), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 25 }), fc.integer({ min: 5, max: 400 }), fc.integer({ min: 0, max: 120_000 }), (picks, batch, bound, quietMs) => {
          const got = whileReading(logs, picks, batch, { maxInMemory: bound, quietMs }, parent);
          assert.equal(got.records, ref.records);
          assert.equal(got.unjoined, ref.unjoined);
          assert.equal(got.fuzzy, ref.fuzzy);
        }),
        { numRuns: 60 },
      );
  });
});

test('a creation line joined while reading is taken back when evidence out of time order shows a closer order', () => {
  const ev = evidenceFactory('web.log');
  const late = evidenceFactory('late.log');
  const client = { client_ip: '10.9.9.9', user_agent: 'UA' };
  const creation = ev('order_created', iso(T0), { ...client, amount: 9 });
  const far = ev('order_viewed', iso(T0 + 20_000), { ...client, order_id: 'FAR' });
  const after = ev('order_viewed', iso(T0 + 3_600_000), { order_id: 'OTHER' });
  // The closer order's first sighting arrives only after the watermark has moved on.
  const near = late('order_viewed', iso(T0 + 5_000), { ...client, order_id: 'NEAR' }, { fingerprint: 'late-1' });

  const c = new Correlator(scoreRecord, { quietMs: 60_000, slackMs: 1_000 });
  c.expectFiles([{ file: 'web.log', startMs: T0 }]);
  c.add([creation, far], 'web.log');
  c.add([after], 'web.log');
  c.fileDone('web.log');
  c.add([near]);
  const got = outcome(c);
  const ref = allAtOnce({ a: [creation, far, after, near] });
  assert.equal(got.records, ref.records);
  const recs = JSON.parse(got.records) as { order_id: string; amount: number | null; reasons: string[] }[];
  assert.equal(recs.find((r) => r.order_id === 'NEAR')!.amount, 9, 'the creation line went to the closer order in the end');
  assert.equal(recs.find((r) => r.order_id === 'FAR')!.amount, null, 'and was taken back from the one it was joined to while reading');
  assert.equal(got.state.creation_joins_walked_again, true);
});

test('order table: a finished order keeps its record unless something comes after', () => {
  withTempDir('salvage-table-', (parent) => {
    const built: string[] = [];
    const t = tableOf(100, parent, built);
    try {
      t.add('A', '{"a":1}', 1000);
      t.add('B', '{"b":1}', 5000);
      assert.equal(t.finishQuiet(2000), 1);
      assert.deepEqual(built, ['A']);
      assert.equal(t.openOrders, 1);
      t.add('C', '{"c":1}', 6000);
      t.finishQuiet(10_000);
      t.addLate('C', '{"c":2}');
      t.add('B', '{"b":2}', 7000);
      t.retract('B', '{"b":1}');
      const out = [...t.settle(new Map())];
      assert.deepEqual(out.map((o) => o.id), ['A', 'B', 'C']);
      assert.deepEqual(out[0], { id: 'A', evidence: ['{"a":1}'], stored: { header: '{"n":1}', record: '{"id":"A"}' } });
      assert.deepEqual(out[1], { id: 'B', evidence: ['{"b":2}'], stored: null }, 'retracted evidence is gone and the record must be rebuilt');
      assert.deepEqual(out[2], { id: 'C', evidence: ['{"c":1}', '{"c":2}'], stored: null });
      assert.equal(t.stats.late_evidence, 2);
    } finally {
      t.dispose();
    }
  });
});

test('watermark: the least position of the files still being read; unknown starts hold it back', () => {
  const w = new Watermark();
  assert.equal(w.value(), -Infinity, 'nothing tracked');
  w.expect('a', 100);
  w.expect('b', null);
  assert.equal(w.value(), -Infinity);
  w.reached('b', 50);
  w.reached('a', 300);
  assert.equal(w.value(), 50);
  w.reached('b', 40);
  assert.equal(w.value(), 40, 'the latest word counts (a wild clock does not stick)');
  w.reached('b', 50);
  w.done('b');
  assert.equal(w.value(), 300);
  w.done('a');
  assert.equal(w.value(), Infinity);
  assert.equal(typicalTime([5, NaN, 1, 1e15, 3]), 5);
  assert.ok(Number.isNaN(typicalTime([NaN])));
});

test('files are read earliest first; unknown starts first, then the biggest', () => {
  const t = (display: string, startMs: number | null): FileTask => ({ path: `/nonexistent/${display}`, display, startMs });
  const order = [t('c', 300), t('a', 100), t('x', null), t('b', 100)].sort(readingOrder).map((x) => x.display);
  assert.deepEqual(order, ['x', 'a', 'b', 'c']);
});

test('peekStart reads the first timestamp of plain and gzip files, and says null when it cannot', async () => {
  await withTempDir('salvage-peek-', async (dir) => {
    const lines = [
      '1.2.3.4 - - [21/Nov/2026:10:00:05 +0800] "GET / HTTP/1.1" 200 5 "-" "UA"',
      '1.2.3.4 - - [21/Nov/2026:10:00:07 +0800] "GET /a HTTP/1.1" 200 5 "-" "UA"',
    ].join('\n') + '\n';
    writeFileSync(join(dir, 'a.log'), lines);
    writeFileSync(join(dir, 'a.log.gz'), gzipSync(lines));
    // A gzip cut short still gives its first lines.
    const big = gzipSync(lines.repeat(5000));
    writeFileSync(join(dir, 'cut.log.gz'), big.subarray(0, big.length >> 1));
    writeFileSync(join(dir, 'junk.bin'), Buffer.from([0, 1, 2, 255, 254, 10, 0, 0]));
    const want = Date.parse('2026-11-21T10:00:05+08:00');
    assert.equal(await peekStart(join(dir, 'a.log'), { tz: 'Asia/Shanghai' }), want);
    assert.equal(await peekStart(join(dir, 'a.log.gz'), { tz: 'Asia/Shanghai' }), want);
    assert.equal(await peekStart(join(dir, 'cut.log.gz'), { tz: 'Asia/Shanghai' }), want);
    assert.equal(await peekStart(join(dir, 'junk.bin'), { tz: 'Asia/Shanghai' }), null);
    assert.equal(await peekStart(join(dir, 'missing.log'), { tz: 'Asia/Shanghai' }), null);
    const names = ['a.log', 'junk.bin', 'a.log.gz', 'missing.log', 'cut.log.gz'];
    const many = await peekStarts(names.map((n) => ({ path: join(dir, n), opts: { tz: 'Asia/Shanghai' } })), 2);
    assert.deepEqual(many, [want, null, want, null, want], 'many files, a few at a time, answers in the order asked');
  });
});

test('every line without a key ends somewhere: placed by a join, or listed as unjoined with why', () => {
  const ev = evidenceFactory('web.log');
  const timeless = { ...ev('callback_seen', iso(T0), { pay_handler: 'epay' }), ts: null, tsMs: NaN };
  const stray = ev('order_viewed', iso(T0), {});
  const balance = ev('balance_changed', iso(T0), { merchant_id: 'M1', before: 1, after: 2, change: 1 });
  const c = new Correlator(scoreRecord);
  c.add([timeless, stray, balance]);
  const r = c.finish();
  r.records.dispose();
  assert.deepEqual(r.unjoined.map((u) => [u.line, u.why]), [
    [timeless.source.line, 'callback whose content was not logged, and its line has no time'],
    [stray.source.line, 'no order number or trade number on this line'],
  ]);
  assert.equal(r.balanceChanges.length, 1, 'a keyless balance line goes to the balance check');
});

test('order table: whatever is finished, parked, added late or taken back, the end gives each order exactly its evidence (property)', () => {
  type Op = { t: 'add'; id: number; ts: number } | { t: 'late'; id: number } | { t: 'quiet'; before: number } | { t: 'retract'; pick: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ t: fc.constant('add' as const), id: fc.nat(6), ts: fc.nat(100) }),
    fc.record({ t: fc.constant('late' as const), id: fc.nat(6) }),
    fc.record({ t: fc.constant('quiet' as const), before: fc.nat(120) }),
    fc.record({ t: fc.constant('retract' as const), pick: fc.nat(1000) }),
  );
  withTempDir('salvage-table-prop-', (parent) => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 2, max: 30 }), (ops, bound) => {
        const t = tableOf(bound, parent);
        // The model: each order's evidence, and whether the record built when it first went quiet still stands.
        const want = new Map<string, string[]>();
        let n = 0;
        try {
          for (const o of ops) {
            if (o.t === 'quiet') {
              t.finishQuiet(o.before);
              continue;
            }
            if (o.t === 'retract') {
              const all = [...want].flatMap(([id, l]) => l.map((j) => [id, j] as const));
              if (all.length === 0) continue;
              const [id, j] = all[o.pick % all.length]!;
              t.retract(id, j);
              want.get(id)!.splice(want.get(id)!.indexOf(j), 1);
              continue;
            }
            const id = `O${o.id}`;
            const json = `{"i":${n++}}`;
            if (o.t === 'add') t.add(id, json, o.ts);
            else t.addLate(id, json);
            if (!want.has(id)) want.set(id, []);
            want.get(id)!.push(json);
            assert.ok(t.stats.peak_open_items <= bound + 1);
          }
          const got = new Map<string, string[]>();
          for (const f of t.settle(new Map())) {
            const evidence = f.evidence;
            got.set(f.id, evidence);
            // A stored record is only offered for an order whose evidence is all in its first parking.
            if (f.stored) assert.equal(f.stored.header, `{"n":${evidence.length}}`);
          }
          const norm = (m: Map<string, string[]>) => [...m].filter(([, l]) => l.length > 0).map(([id, l]) => [id, [...l].sort()]).sort();
          assert.deepEqual(norm(got), norm(want));
        } finally {
          t.dispose();
        }
      }),
      { numRuns: 300 },
    );
  });
});

test('joins compare times after clock correction: a creation line on a web server whose clock is 97 s fast still finds its order', () => {
  const app = evidenceFactory('logs/app/laravel.log');
  const web1 = evidenceFactory('logs/nginx/web1/access.log');
  const web2 = evidenceFactory('logs/nginx/web2/access.log');
  const SKEW = 97_000;
  const items: Evidence[] = [];
  // Six callbacks seen by the application and by web1: they say web1's clock is 97 s fast.
  for (let i = 0; i < 6; i++) {
    const t = T0 + i * 600_000;
    const f = { order_id: `P${i}`, trade_no: `T${i}`, amount: 5, channel: 'epay', gateway_success: 'yes' };
    items.push(app('payment_notified', iso(t), f, { format: 'laravel' }));
    items.push(web1('payment_notified', iso(t + SKEW), f, { format: 'nginx-combined', signature: 'verified' }));
  }
  const client = { client_ip: '10.7.7.7', user_agent: 'UA' };
  const at = T0 + 3_600_000;
  // The buyer's order form went to web1 (logged 97 s late), the bill page to web2, two seconds later.
  items.push(web1('order_created', iso(at + SKEW), { ...client, amount: 9 }, { format: 'nginx-combined' }));
  items.push(web2('order_viewed', iso(at + 2_000), { ...client, order_id: 'Z' }, { format: 'nginx-combined' }));

  const c = new Correlator(scoreRecord);
  c.add(items);
  const r = c.finish();
  const recs = [...r.records.sorted()];
  r.records.dispose();
  assert.ok(r.clockSkew.some((k) => k.corrected && /web1/.test(k.source) && k.median_offset_s === 97), JSON.stringify(r.clockSkew));
  const z = recs.find((t) => t.order_id === 'Z')!;
  assert.ok(z.reasons.some((x) => /joined .* by client 10\.7\.7\.7 and user agent within 2 s/.test(x)), z.reasons.join('\n'));
  assert.equal(z.amount, 9);
  assert.deepEqual(r.unjoined, [], 'nothing is left over');
  assert.equal(r.state.creation_joins_walked_again, true, 'the correction made the joins be worked out again');
});
