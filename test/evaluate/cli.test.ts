// `salvage evaluate` run in-process on hand-made truth and recovered files. Every expected figure below
// is worked out by hand from the fixture (see the comments next to each order and record).

import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../support/run-cli';

const run = (argv: string[], cwd: string) => runCli(argv, cwd);

const ndjson = (rows: readonly object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

const root = mkdtempSync(path.join(tmpdir(), 'salvage-evaluate-'));
after(() => rmSync(root, { recursive: true, force: true }));

// ---- the fixture ------------------------------------------------------------------------------

function order(id: string, o: Partial<Record<string, unknown>>): object {
  return {
    order_id: id,
    status: 'delivered',
    paid: true,
    amount: 1,
    currency: 'CNY',
    channel: 'epay',
    created_at: '2026-11-21T13:00:00+08:00',
    paid_at: null,
    buyer_email: null,
    goods_id: 'g',
    trade_no: null,
    recoverable: true,
    lines: [{ file: 'nginx/access.log', line: 1 }],
    ...o,
  };
}

// Truth: 9 orders; paid: T1 T2 T3 T4 T5 T8 T9 (7); paid and recoverable: T1 T2 T3 T5 T8 (5).
const TRUTH = [
  order('T1', { amount: 10, paid_at: '2026-11-21T14:04:02+08:00', buyer_email: 'a@x.com', goods_id: '3' }),
  order('T2', { status: 'paid', amount: 20.5, paid_at: '2026-11-21T15:00:00+08:00', buyer_email: 'b@x.com', goods_id: '4' }),
  order('T3', { status: 'refunded', amount: 5, paid_at: '2026-11-21T15:30:00+08:00', buyer_email: null, goods_id: '5' }),
  order('T4', { amount: 30, paid_at: '2026-11-21T16:00:00+08:00', buyer_email: 'd@x.com', goods_id: '7', recoverable: false }),
  order('T5', { amount: 8, paid_at: '2026-11-21T16:10:00+08:00', buyer_email: 'f@x.com', goods_id: '9' }),
  order('T6', { status: 'created', paid: false, amount: 6, recoverable: false }),
  order('T7', { status: 'failed', paid: false, amount: 7, recoverable: false }),
  order('T8', { amount: 12.3, paid_at: '2026-11-21T17:00:00+08:00', buyer_email: 'e@x.com', goods_id: '8' }),
  order('T9', { amount: 40, paid_at: '2026-11-21T18:00:00+08:00', recoverable: false }),
];

const DAMAGE = {
  profile: 'fixture',
  actions: [
    { type: 'truncate', file: 'nginx/access.log', lines: [3, 4, 5], detail: 'cut' },
    { type: 'forged_callback', file: 'nginx/access.log', lines: [9], order_id: 'T6', forgery: 'wrong_amount', detail: 'x' },
    { type: 'forged_callback', file: 'nginx/access.log', lines: [10], order_id: 'T7', forgery: 'bad_signature', detail: 'x' },
    { type: 'forged_callback', file: 'nginx/access.log', lines: [11], order_id: 'T8', forgery: 'replay', detail: 'x' },
    { type: 'forged_callback', file: 'nginx/access.log', lines: [12], order_id: 'T2', forgery: 'bad_signature', detail: 'x' },
  ],
};

function rec(id: string, status: string, confidence: number, o: Partial<Record<string, unknown>> = {}): object {
  return {
    order_id: id,
    status,
    amount: null,
    currency: 'CNY',
    channel: 'epay',
    created_at: null,
    paid_at: null,
    buyer_email: null,
    goods_id: null,
    trade_no: null,
    confidence,
    reasons: [],
    flags: [],
    conflicts: [],
    evidence: [],
    ...o,
  };
}

const RECOVERED = [
  // R1: all four fields right (paid_at 0.8 s off in UTC, e-mail differs only in case).
  rec('T1', 'delivered', 0.995, { amount: 10, paid_at: '2026-11-21T06:04:02.800Z', buyer_email: 'A@x.com', goods_id: '3' }),
  // R2: amount wrong by a cent, paid_at 2 s off (wrong), e-mail missing, goods right.
  rec('T2', 'paid', 0.92, { amount: 20.49, paid_at: '2026-11-21T15:00:02+08:00', goods_id: '4' }),
  // R3: amount right, paid_at missing, e-mail given but truth has none, goods wrong.
  rec('T3', 'refunded', 0.85, { amount: 5, buyer_email: 'c@x.com', goods_id: '6' }),
  // R4: not-recoverable order recovered anyway: amount and e-mail and goods right, paid_at missing.
  rec('T4', 'delivered', 0.6, { amount: 30, buyer_email: 'd@x.com', goods_id: '7' }),
  // R5: T5 only pending: missed.
  rec('T5', 'pending', 0.3),
  // R6: the forged wrong_amount callback believed: false record, flagged.
  rec('T6', 'paid', 0.91, { amount: 0.01, flags: ['amount_mismatch'] }),
  // R7: bad signature noticed in the reasons, not claimed paid.
  rec('T7', 'failed', 0.7, { reasons: ['notify rejected: bad_signature'] }),
  // R8: replayed notify flagged; paid_at without offset read as shop time (correct); goods missing.
  rec('T8', 'delivered', 0.95, { amount: 12.3, paid_at: '2026-11-21T17:00:00', buyer_email: 'e@x.com', flags: ['replayed_notify'] }),
  // R9: an order the truth does not know.
  rec('X9', 'paid', 0.55),
  // R10: duplicate of T1 with a wrong amount and low confidence: R1 stays T1's primary record.
  rec('T1', 'paid', 0.4, { amount: 11 }),
];

function writeTruth(dir: string, files: Partial<Record<'recoverable' | 'orders' | 'damage' | 'meta', string>> = {}): string {
  mkdirSync(dir, { recursive: true });
  const all = {
    recoverable: ndjson(TRUTH),
    orders: ndjson(TRUTH.map((_, i) => ({ id: i + 1, order_sn: `T${i + 1}` }))),
    damage: JSON.stringify(DAMAGE),
    meta: JSON.stringify({ seed: 42, profile: 'fixture', shop: { name: 'nested, dropped' } }),
    ...files,
  };
  writeFileSync(path.join(dir, 'recoverable.ndjson'), all.recoverable);
  writeFileSync(path.join(dir, 'orders.ndjson'), all.orders);
  writeFileSync(path.join(dir, 'damage.json'), all.damage);
  writeFileSync(path.join(dir, 'meta.json'), all.meta);
  return dir;
}

const sim = path.join(root, 'sim');
const truthDir = writeTruth(path.join(sim, 'truth'));
const outDir = path.join(root, 'out');
mkdirSync(outDir);
const recoveredFile = path.join(outDir, 'transactions.ndjson');
writeFileSync(recoveredFile, ndjson(RECOVERED));

const near = (a: number | null, b: number) => {
  assert.ok(a !== null && Math.abs(a - b) < 1e-9, `expected ${b}, got ${a}`);
};

// ---- figures ----------------------------------------------------------------------------------

describe('evaluate --json on the hand-made fixture', () => {
  let doc: any; // eslint-disable-line @typescript-eslint/no-explicit-any

  test('runs and exits 0 without gates', async () => {
    const r = await run(['evaluate', '--truth', truthDir, '--recovered', recoveredFile, '--json'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1, 'one JSON object on one line');
    doc = JSON.parse(r.stdout);
    assert.equal(doc.passed, true);
    assert.equal(doc.inputs.profile, 'fixture');
    assert.deepEqual(doc.inputs.meta, { seed: 42, profile: 'fixture' });
  });

  test('counts', () => {
    assert.deepEqual(doc.counts, {
      truth_orders: 9,
      truth_paid: 7,
      truth_paid_recoverable: 5,
      db_rows: 9,
      records: 10,
      records_claiming_paid: 8, // R1 R2 R3 R4 R6 R8 R9 R10
      records_unknown_order: 1, // R9
      duplicate_records: 1, // R10
    });
  });

  test('recall: 5 of 7 paid orders, 4 of 5 recoverable ones', () => {
    assert.deepEqual(doc.recall.paid, { numerator: 5, denominator: 7, value: 5 / 7 });
    assert.deepEqual(doc.recall.paid_recoverable, { numerator: 4, denominator: 5, value: 4 / 5 });
  });

  test('precision and counts at each threshold', () => {
    const rows = doc.thresholds.map((t: Record<string, number>) => [t.min_confidence, t.records, t.claims, t.correct]);
    assert.deepEqual(rows, [
      [0.5, 8, 7, 5], // R5 0.3 and R10 0.4 below; R7 is not a claim; R6 R9 wrong
      [0.8, 5, 5, 4], // R1 R2 R3 R6 R8
      [0.9, 4, 4, 3], // R1 R2 R6 R8
      [0.99, 1, 1, 1], // R1
    ]);
    assert.deepEqual(doc.thresholds.map((t: { precision: number }) => t.precision), [5 / 7, 4 / 5, 3 / 4, 1]);
    // recall at threshold, by the primary record's confidence: T1 .995, T2 .92, T3 .85, T4 .6, T8 .95
    assert.deepEqual(doc.thresholds.map((t: { recall_paid: number }) => t.recall_paid), [5 / 7, 4 / 7, 3 / 7, 1 / 7]);
    assert.deepEqual(doc.thresholds.map((t: { recall_recoverable: number }) => t.recall_recoverable), [4 / 5, 4 / 5, 3 / 5, 1 / 5]);
  });

  test('field accuracy over the 5 matched paid orders', () => {
    assert.deepEqual(doc.fields.amount, { n: 5, compared: 5, correct: 4, wrong: 1, missing: 0, truth_null: 0, accuracy: 4 / 5 });
    assert.deepEqual(doc.fields.paid_at, { n: 5, compared: 3, correct: 2, wrong: 1, missing: 2, truth_null: 0, accuracy: 2 / 3 });
    assert.deepEqual(doc.fields.buyer_email, { n: 5, compared: 3, correct: 3, wrong: 0, missing: 1, truth_null: 1, accuracy: 1 });
    assert.deepEqual(doc.fields.goods_id, { n: 5, compared: 4, correct: 3, wrong: 1, missing: 1, truth_null: 0, accuracy: 3 / 4 });
    assert.deepEqual(
      doc.field_mismatches.map((m: { order_id: string; field: string }) => `${m.order_id}.${m.field}`),
      ['T2.amount', 'T2.paid_at', 'T3.goods_id'],
    );
  });

  test('calibration bins', () => {
    const bins = doc.calibration.map((b: Record<string, unknown>) => [b.label, b.claims, b.correct]);
    assert.deepEqual(bins, [
      ['[0,0.5)', 1, 1], // R10
      ['[0.5,0.8)', 2, 1], // R4 ok, R9 wrong
      ['[0.8,0.9)', 1, 1], // R3
      ['[0.9,0.99)', 3, 2], // R2 ok, R6 wrong, R8 ok
      ['[0.99,1]', 1, 1], // R1
    ]);
    near(doc.calibration[1].mean_confidence, (0.6 + 0.55) / 2);
    near(doc.calibration[3].mean_confidence, (0.92 + 0.91 + 0.95) / 3);
    near(doc.calibration[3].fraction_correct, 2 / 3);
  });

  test('forged callbacks', () => {
    const f = doc.forged;
    assert.equal(f.orders, 4); // T2 T6 T7 T8
    assert.equal(f.flagged, 3); // T6 flag, T7 reason, T8 flag; T2 not flagged
    assert.equal(f.wrongly_paid, 1); // T6
    assert.equal(f.wrongly_paid_confident, 1); // R6 at 0.91
    assert.deepEqual(f.by_forgery, {
      bad_signature: { orders: 2, flagged: 1, wrongly_paid: 0 },
      wrong_amount: { orders: 1, flagged: 1, wrongly_paid: 1 },
      replay: { orders: 1, flagged: 1, wrongly_paid: 0 },
    });
    const t7 = f.orders_list.find((o: { order_id: string }) => o.order_id === 'T7');
    assert.deepEqual(t7.signals, ['bad_signature']);
    assert.equal(t7.wrongly_paid, false);
  });

  test('missed orders and false records, with reasons', () => {
    assert.deepEqual(
      doc.missed.map((m: { order_id: string; reason: string }) => [m.order_id, m.reason]),
      [
        ['T5', 'recoverable but not recovered; record exists with status pending'],
        ['T9', 'not recoverable: no surviving line shows its payment'],
      ],
    );
    assert.deepEqual(
      doc.false_records.map((m: { order_id: string; line: number; reason: string }) => [m.order_id, m.line, m.reason]),
      [
        ['T6', 6, 'truth status is created, not paid; forged callback (wrong_amount); flagged amount_mismatch'],
        ['X9', 9, 'order unknown to the truth'],
      ],
    );
  });

  test('status confusion matrix (one count per order)', () => {
    const c = doc.confusion.counts;
    assert.equal(c.delivered.delivered, 3); // T1 T4 T8
    assert.equal(c.delivered.pending, 1); // T5
    assert.equal(c.delivered['(no record)'], 1); // T9
    assert.equal(c.paid.paid, 1);
    assert.equal(c.refunded.refunded, 1);
    assert.equal(c.created.paid, 1); // T6
    assert.equal(c.failed.failed, 1);
    assert.equal(c['(not in truth)'].paid, 1); // X9
    let total = 0;
    for (const row of Object.values(c) as Record<string, number>[]) for (const v of Object.values(row)) total += v;
    assert.equal(total, 10); // 9 truth orders + 1 unknown order
  });
});

describe('evaluate table output', () => {
  test('prints the headings and figures', async () => {
    const r = await run(['evaluate', '--truth', 'sim/truth', '--recovered', 'out'], root); // relative to cwd; --recovered as folder
    assert.equal(r.code, 0, r.stderr);
    for (const h of ['Recall (paid) 召回率', 'Precision by confidence', 'Field accuracy', 'Calibration', 'Forged callbacks', 'Status confusion', 'Missed paid orders', 'False paid records']) {
      assert.ok(r.stdout.includes(h), `missing heading ${h}`);
    }
    assert.match(r.stdout, /recoverable paid orders 可恢复的已支付订单\s+5\s+4\s+80\.0%/);
    assert.match(r.stdout, /0\.90\s+4\s+4\s+3\s+75\.0%/);
    assert.ok(r.stdout.includes('recoverable but not recovered; record exists with status pending'));
  });

  test('--list-limit cuts the lists and says how many more', async () => {
    const r = await run(['evaluate', '--truth', truthDir, '--recovered', recoveredFile, '--list-limit', '1'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('T5'));
    assert.ok(!r.stdout.includes('not recoverable: no surviving line'));
    assert.match(r.stdout, /\.\.\. 1 more/);
  });
});

// ---- gates ------------------------------------------------------------------------------------

describe('gates', () => {
  const base = ['evaluate', '--truth', truthDir, '--recovered', recoveredFile];

  test('met exactly: exit 0', async () => {
    const r = await run([...base, '--min-recall', '0.8', '--min-precision', '0.75'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /PASS/);
  });

  test('recall gate missed: exit 1, says which', async () => {
    const r = await run([...base, '--min-recall', '0.81', '--min-precision', '0.75', '--json'], root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /gate failed: --min-recall 0\.81/);
    assert.doesNotMatch(r.stderr, /min-precision/);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.passed, false);
    assert.deepEqual(doc.gates.map((g: { gate: string; passed: boolean }) => [g.gate, g.passed]), [
      ['min-recall', false],
      ['min-precision', true],
    ]);
  });

  test('precision gate missed: exit 1, says which', async () => {
    const r = await run([...base, '--min-precision', '0.76'], root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /gate failed: --min-precision 0\.76/);
    assert.match(r.stdout, /FAIL/);
  });

  test('gate outside [0,1] is a usage error', async () => {
    const r = await run([...base, '--min-recall', '95'], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--min-recall must be a number between 0 and 1/);
  });

  test('non-numeric gate is a usage error', async () => {
    const r = await run([...base, '--min-precision', 'high'], root);
    assert.equal(r.code, 2);
  });

  test('missing --recovered is a usage error', async () => {
    const r = await run(['evaluate', '--truth', truthDir], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /recovered/);
  });
});

// ---- bad input --------------------------------------------------------------------------------

describe('bad input', () => {
  test('a missing truth folder says so', async () => {
    const r = await run(['evaluate', '--truth', path.join(root, 'nope'), '--recovered', recoveredFile], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /truth folder not found: .*nope/);
    assert.match(r.stderr, /salvage simulate/);
  });

  test('the parent of the truth folder gets a "did you mean"', async () => {
    const r = await run(['evaluate', '--truth', sim, '--recovered', recoveredFile], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /has no recoverable\.ndjson/);
    assert.ok(r.stderr.includes(`Did you mean --truth ${truthDir}`), r.stderr);
  });

  test('a truth folder without orders.ndjson says which file is missing', async () => {
    const dir = writeTruth(path.join(root, 'no-orders'));
    rmSync(path.join(dir, 'orders.ndjson'));
    const r = await run(['evaluate', '--truth', dir, '--recovered', recoveredFile], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /has no orders\.ndjson/);
  });

  test('an empty recoverable.ndjson is an error', async () => {
    const dir = writeTruth(path.join(root, 'empty'), { recoverable: '\n\n' });
    const r = await run(['evaluate', '--truth', dir, '--recovered', recoveredFile], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /recoverable\.ndjson is empty/);
  });

  test('an empty orders.ndjson is an error', async () => {
    const dir = writeTruth(path.join(root, 'empty-orders'), { orders: '' });
    const r = await run(['evaluate', '--truth', dir, '--recovered', recoveredFile], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /orders\.ndjson is empty/);
  });

  test('a missing damage.json is a warning; forged figures are null', async () => {
    const dir = writeTruth(path.join(root, 'no-damage'));
    rmSync(path.join(dir, 'damage.json'));
    const r = await run(['evaluate', '--truth', dir, '--recovered', recoveredFile, '--json'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).forged, null);
    assert.match(r.stderr, /damage\.json is missing/);
  });

  test('a broken truth line names file and line', async () => {
    const dir = writeTruth(path.join(root, 'bad-truth'), { recoverable: ndjson(TRUTH.slice(0, 2)) + '{"order_id":"Z","status":"paid"}\n' });
    const r = await run(['evaluate', '--truth', dir, '--recovered', recoveredFile], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /recoverable\.ndjson line 3: "paid" must be true or false/);
  });

  test('one broken recovered line: file and line in the message', async () => {
    const f = path.join(root, 'one-bad.ndjson');
    writeFileSync(f, ndjson(RECOVERED.slice(0, 2)) + '{"order_id": "T3", "status": "paid", \n');
    const r = await run(['evaluate', '--truth', truthDir, '--recovered', f], root);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${f} line 3: invalid JSON`), r.stderr);
    assert.equal(r.stdout, '');
  });

  test('every broken recovered line is reported, blank lines are counted but fine', async () => {
    const f = path.join(root, 'bad.ndjson');
    const lines = [
      JSON.stringify(RECOVERED[0]), // 1 ok
      '', // 2 blank
      '{not json', // 3
      JSON.stringify({ ...(RECOVERED[1] as object), order_id: undefined }), // 4 missing order_id
      JSON.stringify({ ...(RECOVERED[1] as object), confidence: 1.5 }), // 5 out of range
      JSON.stringify({ ...(RECOVERED[1] as object), confidence: '0.9' }), // 6 not a number
      JSON.stringify(RECOVERED[2]), // 7 ok
      JSON.stringify({ ...(RECOVERED[1] as object), confidence: null }), // 8 not a number
    ];
    writeFileSync(f, lines.join('\r\n') + '\r\n');
    const r = await run(['evaluate', '--truth', truthDir, '--recovered', f, '--json'], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /5 broken lines/);
    assert.match(r.stderr, /line 3: invalid JSON/);
    assert.match(r.stderr, /line 4: missing order_id/);
    assert.match(r.stderr, /line 5: confidence must be a number in \[0,1\], got 1\.5/);
    assert.match(r.stderr, /line 6: confidence must be a number in \[0,1\], got "0\.9"/);
    assert.match(r.stderr, /line 8: confidence must be a number in \[0,1\], got null/);
    assert.doesNotMatch(r.stderr, /line [127]:/);
    assert.equal(r.stdout, '');
  });

  test('a missing recovered file says what to pass', async () => {
    const r = await run(['evaluate', '--truth', truthDir, '--recovered', path.join(root, 'none.ndjson')], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /recovered file not found/);
  });

  test('an empty recovered file is valid: nothing recovered', async () => {
    const f = path.join(root, 'empty.ndjson');
    writeFileSync(f, '');
    const r = await run(['evaluate', '--truth', truthDir, '--recovered', f, '--json', '--min-recall', '0.1'], root);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.recall.paid.value, 0);
    assert.equal(doc.missed.length, 7);
    assert.equal(doc.thresholds[2].precision, null);
  });
});
