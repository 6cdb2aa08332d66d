// The pure parts of `salvage evaluate`: field comparison, calibration bins, line validation, gates,
// and properties of computeReport over generated truths and recoveries.

import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TRANSACTION_STATUSES, type TransactionStatus } from '../../src/model/types';
import { binIndex, calibrate } from '../../src/evaluate/calibration';
import { checkGates } from '../../src/evaluate/gates';
import { claimsPaid, compareField, computeReport, isoMillis, THRESHOLDS } from '../../src/evaluate/metrics';
import { forgerySignals, parseRecoveredLine } from '../../src/evaluate/read-recovered';
import { parseTruthLine } from '../../src/evaluate/read-truth';
import type { ForgedCallback, RecoveredRecord, TruthOrder } from '../../src/evaluate/types';

function truthOrder(o: Partial<TruthOrder> & { order_id: string }): TruthOrder {
  return { status: 'paid', paid: true, amount: 1, paid_at: null, buyer_email: null, goods_id: null, recoverable: true, ...o };
}

function record(o: Partial<RecoveredRecord> & { order_id: string }): RecoveredRecord {
  return {
    status: 'paid',
    confidence: 0.9,
    amount: null,
    paid_at: null,
    buyer_email: null,
    goods_id: null,
    flags: [],
    forgery_signals: [],
    line: 1,
    ...o,
  };
}

describe('field comparison', () => {
  test('amount matches to the cent, despite float noise', () => {
    const t = truthOrder({ order_id: 'A', amount: 0.3 });
    assert.equal(compareField('amount', t, record({ order_id: 'A', amount: 0.1 + 0.2 })), 'correct');
    assert.equal(compareField('amount', t, record({ order_id: 'A', amount: 0.31 })), 'wrong');
    assert.equal(compareField('amount', t, record({ order_id: 'A', amount: null })), 'missing');
    assert.equal(compareField('amount', truthOrder({ order_id: 'A', amount: null }), record({ order_id: 'A', amount: 1 })), 'truth_null');
  });

  test('paid_at within one second across offsets', () => {
    const t = truthOrder({ order_id: 'A', paid_at: '2026-11-21T14:04:02+08:00' });
    const at = (paid_at: string) => compareField('paid_at', t, record({ order_id: 'A', paid_at }));
    assert.equal(at('2026-11-21T06:04:03Z'), 'correct'); // exactly 1 s
    assert.equal(at('2026-11-21T06:04:03.001Z'), 'wrong');
    assert.equal(at('2026-11-21T14:04:02'), 'correct'); // no offset: shop time
    assert.equal(at('2026-11-21 14:04:01'), 'correct'); // SQL style
    assert.equal(at('2026-11-21T14:04:02+09:00'), 'wrong'); // an hour off
    assert.equal(at('yesterday'), 'wrong');
    assert.equal(isoMillis('2026-11-21T14:04:02+08:00'), Date.UTC(2026, 10, 21, 6, 4, 2));
  });

  test('e-mail ignores case and surrounding spaces; goods_id is exact', () => {
    const t = truthOrder({ order_id: 'A', buyer_email: 'Buyer@QQ.com', goods_id: '12' });
    assert.equal(compareField('buyer_email', t, record({ order_id: 'A', buyer_email: ' buyer@qq.com ' })), 'correct');
    assert.equal(compareField('buyer_email', t, record({ order_id: 'A', buyer_email: 'other@qq.com' })), 'wrong');
    assert.equal(compareField('goods_id', t, record({ order_id: 'A', goods_id: '12' })), 'correct');
    assert.equal(compareField('goods_id', t, record({ order_id: 'A', goods_id: '120' })), 'wrong');
  });
});

describe('calibration', () => {
  test('bin edges: lower bound in, upper bound out, 1 in the last bin', () => {
    assert.deepEqual([0, 0.4999, 0.5, 0.7999, 0.8, 0.9, 0.98999, 0.99, 1].map(binIndex), [0, 0, 1, 1, 2, 3, 3, 4, 4]);
  });

  test('mean confidence and observed fraction per bin', () => {
    const bins = calibrate([
      { confidence: 0.95, correct: true },
      { confidence: 0.91, correct: false },
      { confidence: 0.93, correct: true },
      { confidence: 0.1, correct: false },
    ]);
    assert.equal(bins[3]!.claims, 3);
    assert.ok(Math.abs(bins[3]!.mean_confidence! - 0.93) < 1e-12);
    assert.equal(bins[3]!.fraction_correct, 2 / 3);
    assert.equal(bins[0]!.fraction_correct, 0);
    assert.equal(bins[2]!.claims, 0);
    assert.equal(bins[2]!.mean_confidence, null);
  });
});

describe('line validation', () => {
  test('recovered lines', () => {
    assert.equal(parseRecoveredLine('{"order_id":"A","status":"paid","confidence":0.5}', 1).ok, true);
    const bad = (s: string) => {
      const p = parseRecoveredLine(s, 1);
      assert.equal(p.ok, false, s);
      return (p as { error: string }).error;
    };
    assert.match(bad('[1]'), /not a JSON object/);
    assert.match(bad('{"status":"paid","confidence":0.5}'), /missing order_id/);
    assert.match(bad('{"order_id":"","status":"paid","confidence":0.5}'), /order_id/);
    assert.match(bad('{"order_id":"A","status":"paid","confidence":-0.01}'), /confidence/);
    assert.match(bad('{"order_id":"A","status":"paid"}'), /confidence .*got nothing/);
    assert.match(bad('{"order_id":"A","status":"settled","confidence":0.5}'), /status must be one of/);
    assert.match(bad('{"order_id":"A","status":"paid","confidence":0.5,"amount":"9.90"}'), /amount/);
    assert.match(bad('{"order_id":"A","status":"paid","confidence":0.5,"flags":"bad_signature"}'), /flags/);
  });

  test('truth lines', () => {
    assert.equal(parseTruthLine('{"order_id":"A","status":"paid","paid":true,"recoverable":false,"lines":[]}').ok, true);
    assert.equal(parseTruthLine('{"order_id":"A","status":"paid","paid":"yes","recoverable":false}').ok, false);
  });

  test('forgery signals from flags and reasons', () => {
    assert.deepEqual(forgerySignals(['AMOUNT_MISMATCH'], ['notify replayed_notify x3']), ['amount_mismatch', 'replayed_notify']);
    assert.deepEqual(forgerySignals(['late_delivery'], ['ok']), []);
  });
});

describe('gates', () => {
  const truth = new Map([['A', truthOrder({ order_id: 'A' })], ['B', truthOrder({ order_id: 'B', recoverable: false })]]);

  test('recall gate uses recoverable recall; precision gate uses precision at 0.9', () => {
    // A recovered at 0.95 (correct), C unknown claimed at 0.95: recoverable recall 1/1, precision@0.9 1/2.
    const report = computeReport(truth, [record({ order_id: 'A', confidence: 0.95 }), record({ order_id: 'C', confidence: 0.95 })], null);
    assert.equal(report.recall.paid.value, 1 / 2);
    const g = checkGates(report, { minRecall: 1, minPrecision: 0.5 });
    assert.deepEqual(g.map((x) => [x.gate, x.actual, x.passed]), [
      ['min-recall', 1, true],
      ['min-precision', 0.5, true],
    ]);
    assert.equal(checkGates(report, { minPrecision: 0.51 })[0]!.passed, false);
  });

  test('undefined metric passes with a note', () => {
    const report = computeReport(truth, [record({ order_id: 'A', confidence: 0.5 })], null);
    const [g] = checkGates(report, { minPrecision: 0.99 });
    assert.equal(g!.actual, null);
    assert.equal(g!.passed, true);
    assert.ok(g!.note);
  });
});

describe('duplicates and forged orders', () => {
  test('an order is recovered when any of its records claims paid; the claim is its primary record', () => {
    const truth = new Map([['A', truthOrder({ order_id: 'A', amount: 5 })]]);
    const report = computeReport(
      truth,
      [record({ order_id: 'A', status: 'failed', confidence: 0.99, line: 1 }), record({ order_id: 'A', status: 'paid', confidence: 0.6, amount: 5, line: 2 })],
      null,
    );
    assert.equal(report.recall.paid.value, 1);
    assert.equal(report.fields.amount.correct, 1);
    assert.equal(report.counts.duplicate_records, 1);
    assert.equal(report.confusion.counts['paid']!['paid'], 1);
  });

  test('a forged order unknown to the truth, claimed paid, is wrongly paid', () => {
    const forged: ForgedCallback[] = [{ order_id: 'Z', forgery: 'replay' }];
    const report = computeReport(new Map([['A', truthOrder({ order_id: 'A' })]]), [record({ order_id: 'Z', confidence: 0.3 })], forged);
    assert.equal(report.forged!.wrongly_paid, 1);
    assert.equal(report.forged!.wrongly_paid_confident, 0);
    assert.equal(report.forged!.flagged, 0);
    assert.equal(report.false_records[0]!.reason, 'order unknown to the truth; forged callback (replay)');
  });
});

// ---- properties -------------------------------------------------------------------------------

const TRUTH_STATUS = fc.constantFrom('created', 'paid', 'delivered', 'refunded', 'failed');
const ids = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

const scenario = fc
  .record({
    truth: fc.uniqueArray(
      fc.record({
        order_id: fc.constantFrom(...ids),
        status: TRUTH_STATUS,
        paid: fc.boolean(),
        amount: fc.option(fc.integer({ min: 1, max: 50000 }).map((c) => c / 100), { nil: null }),
        recoverable: fc.boolean(),
        buyer_email: fc.option(fc.constantFrom('a@x.com', 'b@x.com'), { nil: null }),
      }),
      { selector: (o) => o.order_id, minLength: 1, maxLength: ids.length },
    ),
    records: fc.array(
      fc.record({
        order_id: fc.constantFrom(...ids, 'X', 'Y'),
        status: fc.constantFrom(...TRANSACTION_STATUSES),
        confidence: fc.oneof(fc.constantFrom(0, 0.5, 0.8, 0.9, 0.99, 1), fc.double({ min: 0, max: 1, noNaN: true })),
        amount: fc.option(fc.integer({ min: 1, max: 50000 }).map((c) => c / 100), { nil: null }),
        buyer_email: fc.option(fc.constantFrom('a@x.com', 'b@x.com'), { nil: null }),
        flags: fc.subarray(['bad_signature', 'replayed_notify', 'late']),
      }),
      { maxLength: 30 },
    ),
    forged: fc.array(fc.record({ order_id: fc.constantFrom(...ids, 'X'), forgery: fc.constantFrom('bad_signature', 'wrong_amount', 'replay') }), {
      maxLength: 4,
    }),
    seed: fc.integer(),
  })
  .map((s) => ({
    truth: new Map(s.truth.map((o) => [o.order_id, truthOrder({ ...o, paid_at: null, goods_id: null })])),
    records: s.records.map((r, i) =>
      record({ ...r, status: r.status as TransactionStatus, forgery_signals: forgerySignals(r.flags, []), line: i + 1 }),
    ),
    forged: s.forged as ForgedCallback[],
    seed: s.seed,
  }));

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const a = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = a.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** The report without record line numbers (which a permutation legitimately changes). */
function withoutLines(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'line' ? undefined : v)));
}

describe('properties of computeReport', () => {
  test('ratios lie in [0,1]; counts and recall fall as the threshold rises', () => {
    fc.assert(
      fc.property(scenario, ({ truth, records, forged }) => {
        const r = computeReport(truth, records, forged);
        const inUnit = (v: number | null) => v === null || (v >= 0 && v <= 1);
        assert.ok(inUnit(r.recall.paid.value) && inUnit(r.recall.paid_recoverable.value));
        assert.ok(r.recall.paid_recoverable.numerator <= r.recall.paid.numerator);
        for (let i = 0; i < r.thresholds.length; i++) {
          const t = r.thresholds[i]!;
          assert.ok(inUnit(t.precision) && inUnit(t.recall_paid) && inUnit(t.recall_recoverable));
          assert.ok(t.correct <= t.claims && t.claims <= t.records);
          if (i > 0) {
            const p = r.thresholds[i - 1]!;
            assert.ok(t.records <= p.records && t.claims <= p.claims && t.correct <= p.correct);
            assert.ok((t.recall_paid ?? 0) <= (p.recall_paid ?? 0));
          }
        }
        // recall at the lowest threshold never exceeds overall recall
        assert.ok((r.thresholds[0]!.recall_paid ?? 0) <= (r.recall.paid.value ?? 0));
        // every truth paid order is either recovered or in the missed list
        assert.equal(r.recall.paid.numerator + r.missed.length, r.counts.truth_paid);
        // every claim lands in one calibration bin; wrong claims are the false records
        const claims = records.filter(claimsPaid);
        assert.equal(r.calibration.reduce((s, b) => s + b.claims, 0), claims.length);
        const correct = claims.filter((c) => truth.get(c.order_id)?.paid === true).length;
        assert.equal(r.calibration.reduce((s, b) => s + b.correct, 0), correct);
        assert.equal(r.false_records.length, claims.length - correct);
        // the confusion matrix counts each order once
        const orders = new Set([...truth.keys(), ...records.map((x) => x.order_id)]);
        let total = 0;
        for (const row of Object.values(r.confusion.counts)) for (const v of Object.values(row)) total += v;
        assert.equal(total, orders.size);
        // field accuracy: the parts add up to n
        for (const f of Object.values(r.fields)) {
          assert.equal(f.correct + f.wrong, f.compared);
          assert.equal(f.compared + f.missing + f.truth_null, f.n);
          assert.equal(f.n, r.recall.paid.numerator);
        }
        assert.deepEqual([...THRESHOLDS], r.thresholds.map((t) => t.min_confidence));
      }),
      { numRuns: 300 },
    );
  });

  test('the order of records and of forged actions does not change the report', () => {
    fc.assert(
      fc.property(scenario, ({ truth, records, forged, seed }) => {
        const a = computeReport(truth, records, forged);
        const b = computeReport(truth, shuffle(records, seed), shuffle(forged, seed ^ 0x5bd1e995));
        assert.deepEqual(withoutLines(b), withoutLines(a));
      }),
      { numRuns: 300 },
    );
  });

  test('adding a correct confident claim for a missed order never lowers recall or precision at 0.9', () => {
    fc.assert(
      fc.property(scenario, ({ truth, records, forged }) => {
        const before = computeReport(truth, records, forged);
        const missed = before.missed[0];
        fc.pre(missed !== undefined);
        const after = computeReport(truth, [...records, record({ order_id: missed!.order_id, confidence: 0.95 })], forged);
        assert.equal(after.recall.paid.numerator, before.recall.paid.numerator + 1);
        assert.ok((after.thresholds[2]!.precision ?? 0) >= (before.thresholds[2]!.precision ?? 0));
      }),
      { numRuns: 200 },
    );
  });
});
