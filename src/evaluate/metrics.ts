// Pure scoring of a recovery against the simulator's ground truth. No I/O here.

import { DateTime } from 'luxon';
import { TRANSACTION_STATUSES, type TransactionStatus } from '../model/types';
import { calibrate } from './calibration';
import {
  ACCURACY_FIELDS,
  type AccuracyField,
  type ConfusionMatrix,
  type EvaluationReport,
  type FalseRecord,
  type FieldAccuracy,
  type FieldMismatch,
  LOGGED_FIELDS,
  type LoggedField,
  type LoggedFieldAccuracy,
  type ForgedCallback,
  type ForgedOrder,
  type ForgedSummary,
  type ForgedTally,
  type MissedOrder,
  type Ratio,
  type RecoveredRecord,
  type ThresholdRow,
  type TruthOrder,
} from './types';

/** Confidence thresholds of the precision table. */
export const THRESHOLDS = [0.5, 0.8, 0.9, 0.99] as const;
/** The threshold whose precision --min-precision gates on. */
export const GATE_PRECISION_AT = 0.9;

export const NOT_RECOVERABLE = 'not recoverable: no surviving line shows its payment';
export const NOT_RECOVERED = 'recoverable but not recovered';
export const UNKNOWN_ORDER = 'order unknown to the truth';
export const NOT_IN_TRUTH = '(not in truth)';
export const NO_RECORD = '(no record)';

/** Truth statuses in lifecycle order (rows of the confusion matrix). */
export const TRUTH_STATUSES = ['created', 'paid', 'delivered', 'refunded', 'failed'] as const;

const CLAIM_STATUSES: ReadonlySet<TransactionStatus> = new Set<TransactionStatus>(['paid', 'delivered', 'refunded']);

/** A record "claims paid" when its status says money arrived: paid, delivered or refunded. */
export function claimsPaid(r: { status: TransactionStatus }): boolean {
  return CLAIM_STATUSES.has(r.status);
}

export function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, value: denominator === 0 ? null : numerator / denominator };
}

function contentKey(r: RecoveredRecord): string {
  return JSON.stringify([r.status, r.amount, r.paid_at, r.buyer_email, r.goods_id, r.flags, r.forgery_signals]);
}

/**
 * Order of preference among records of the same order_id (negative: a first). A claim beats a non-claim,
 * then higher confidence, then a fixed content order, so the choice never depends on file order.
 */
export function compareRecords(a: RecoveredRecord, b: RecoveredRecord): number {
  const ca = claimsPaid(a) ? 1 : 0;
  const cb = claimsPaid(b) ? 1 : 0;
  if (ca !== cb) return cb - ca;
  if (a.confidence !== b.confidence) return b.confidence - a.confidence;
  const ka = contentKey(a);
  const kb = contentKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The record that stands for each order_id: its best claim if any, else its most confident record. */
export function primaryRecords(records: readonly RecoveredRecord[]): Map<string, RecoveredRecord> {
  const best = new Map<string, RecoveredRecord>();
  for (const r of records) {
    const cur = best.get(r.order_id);
    if (cur === undefined || compareRecords(r, cur) < 0) best.set(r.order_id, r);
  }
  return best;
}

// ---- field comparison -------------------------------------------------------------------------

function cents(yuan: number): number {
  return Math.round(Number((yuan * 100).toFixed(4)));
}

/**
 * Epoch ms of an ISO 8601 time (a space instead of "T" is accepted too); times without an offset
 * are read as shop time (Asia/Shanghai).
 */
export function isoMillis(s: string): number | null {
  const opts = { zone: 'Asia/Shanghai' };
  let d = DateTime.fromISO(s.trim(), opts);
  if (!d.isValid) d = DateTime.fromSQL(s.trim(), opts);
  return d.isValid ? d.toMillis() : null;
}

type Cmp = 'correct' | 'wrong' | 'missing' | 'truth_null';

/** Compare one field of a matched paid record against the truth. */
export function compareField(field: AccuracyField, truth: TruthOrder, rec: RecoveredRecord): Cmp {
  const t = truth[field];
  const r = rec[field];
  if (t === null) return 'truth_null';
  if (r === null) return 'missing';
  switch (field) {
    case 'amount':
      return cents(t as number) === cents(r as number) ? 'correct' : 'wrong';
    case 'paid_at': {
      const tm = isoMillis(t as string);
      if (tm === null) return 'truth_null';
      const rm = isoMillis(r as string);
      return rm !== null && Math.abs(tm - rm) <= 1000 ? 'correct' : 'wrong';
    }
    case 'buyer_email':
      return (t as string).trim().toLowerCase() === (r as string).trim().toLowerCase() ? 'correct' : 'wrong';
    case 'goods_id':
      return String(t).trim() === String(r).trim() ? 'correct' : 'wrong';
  }
}

function emptyAccuracy(): FieldAccuracy {
  return { n: 0, compared: 0, correct: 0, wrong: 0, missing: 0, truth_null: 0, accuracy: null };
}

function emptyLogged(): Record<LoggedField, LoggedFieldAccuracy> {
  return Object.fromEntries(LOGGED_FIELDS.map((f) => [f, { n: 0, correct: 0, wrong: 0, missing: 0, accuracy: null }])) as Record<LoggedField, LoggedFieldAccuracy>;
}

/** Truth written with `--vocabulary` lists, per order, the fields its logs carry (possibly none). */
function truthSaysLogged(truth: ReadonlyMap<string, TruthOrder>): boolean {
  for (const t of truth.values()) return t.logged !== undefined;
  return false;
}

// ---- forged callbacks -------------------------------------------------------------------------

function summarizeForged(
  forged: readonly ForgedCallback[],
  truth: ReadonlyMap<string, TruthOrder>,
  byOrder: ReadonlyMap<string, RecoveredRecord[]>,
  primary: ReadonlyMap<string, RecoveredRecord>,
): ForgedSummary {
  const kinds = new Map<string, Set<string>>();
  for (const f of forged) {
    let s = kinds.get(f.order_id);
    if (!s) kinds.set(f.order_id, (s = new Set()));
    s.add(f.forgery);
  }
  const byForgery: Record<string, ForgedTally> = {};
  for (const k of ['bad_signature', 'wrong_amount', 'replay']) byForgery[k] = { orders: 0, flagged: 0, wrongly_paid: 0 };
  const list: ForgedOrder[] = [];
  let flaggedN = 0;
  let wrongN = 0;
  let wrongConfident = 0;
  for (const orderId of [...kinds.keys()].sort()) {
    const t = truth.get(orderId);
    const recs = byOrder.get(orderId) ?? [];
    const p = primary.get(orderId);
    const signals = [...new Set(recs.flatMap((r) => r.forgery_signals))].sort();
    const flagged = signals.length > 0;
    const truthPaid = t?.paid === true;
    const wrongly = !truthPaid && p !== undefined && claimsPaid(p);
    if (flagged) flaggedN++;
    if (wrongly) wrongN++;
    if (wrongly && p!.confidence >= GATE_PRECISION_AT) wrongConfident++;
    const forgeries = [...kinds.get(orderId)!].sort();
    for (const k of forgeries) {
      const tally = (byForgery[k] ??= { orders: 0, flagged: 0, wrongly_paid: 0 });
      tally.orders++;
      if (flagged) tally.flagged++;
      if (wrongly) tally.wrongly_paid++;
    }
    list.push({
      order_id: orderId,
      forgeries,
      truth_status: t?.status ?? null,
      truth_paid: truthPaid,
      record_status: p?.status ?? null,
      record_confidence: p?.confidence ?? null,
      flagged,
      signals,
      wrongly_paid: wrongly,
    });
  }
  return {
    orders: list.length,
    flagged: flaggedN,
    wrongly_paid: wrongN,
    wrongly_paid_confident: wrongConfident,
    by_forgery: byForgery,
    orders_list: list,
  };
}

// ---- confusion matrix -------------------------------------------------------------------------

function confusion(
  truth: ReadonlyMap<string, TruthOrder>,
  primary: ReadonlyMap<string, RecoveredRecord>,
): ConfusionMatrix {
  const extra = new Set<string>();
  for (const t of truth.values()) if (!(TRUTH_STATUSES as readonly string[]).includes(t.status)) extra.add(t.status);
  const rows = [...TRUTH_STATUSES, ...[...extra].sort(), NOT_IN_TRUTH];
  const cols = [...TRANSACTION_STATUSES, NO_RECORD];
  const counts: Record<string, Record<string, number>> = {};
  for (const r of rows) counts[r] = Object.fromEntries(cols.map((c) => [c, 0]));
  for (const t of truth.values()) counts[t.status]![primary.get(t.order_id)?.status ?? NO_RECORD]!++;
  for (const [orderId, p] of primary) if (!truth.has(orderId)) counts[NOT_IN_TRUTH]![p.status]!++;
  return { truth_statuses: rows, recovered_statuses: cols, counts };
}

// ---- the report -------------------------------------------------------------------------------

/**
 * Score recovered records against the truth. Matching is by order_id; an order counts as recovered
 * when any of its records claims paid. Precision and calibration count records; recall, field accuracy,
 * the forged figures and the confusion matrix count orders (through each order's primary record).
 */
export function computeReport(
  truth: ReadonlyMap<string, TruthOrder>,
  records: readonly RecoveredRecord[],
  forged: readonly ForgedCallback[] | null,
  dbRows = 0,
): EvaluationReport {
  const primary = primaryRecords(records);
  const byOrder = new Map<string, RecoveredRecord[]>();
  for (const r of records) {
    const list = byOrder.get(r.order_id);
    if (list) list.push(r);
    else byOrder.set(r.order_id, [r]);
  }
  const forgedKinds = new Map<string, Set<string>>();
  for (const f of forged ?? []) {
    let s = forgedKinds.get(f.order_id);
    if (!s) forgedKinds.set(f.order_id, (s = new Set()));
    s.add(f.forgery);
  }

  // Recall and field accuracy, over truth orders.
  let paid = 0;
  let paidRec = 0;
  let hit = 0;
  let hitRec = 0;
  const hitAt = THRESHOLDS.map(() => 0);
  const hitRecAt = THRESHOLDS.map(() => 0);
  const fields = Object.fromEntries(ACCURACY_FIELDS.map((f) => [f, emptyAccuracy()])) as Record<AccuracyField, FieldAccuracy>;
  const mismatches: FieldMismatch[] = [];
  const missed: MissedOrder[] = [];
  let logged: Record<LoggedField, LoggedFieldAccuracy> | null = null;
  for (const t of truth.values()) {
    if (!t.paid) continue;
    paid++;
    if (t.recoverable) paidRec++;
    const p = primary.get(t.order_id);
    if (p === undefined || !claimsPaid(p)) {
      let reason = t.recoverable ? NOT_RECOVERED : NOT_RECOVERABLE;
      if (p !== undefined) reason += `; record exists with status ${p.status}`;
      missed.push({
        order_id: t.order_id,
        truth_status: t.status,
        amount: t.amount,
        recoverable: t.recoverable,
        record_status: p?.status ?? null,
        record_confidence: p?.confidence ?? null,
        reason,
      });
      continue;
    }
    hit++;
    if (t.recoverable) hitRec++;
    THRESHOLDS.forEach((th, i) => {
      if (p.confidence >= th) {
        hitAt[i]!++;
        if (t.recoverable) hitRecAt[i]!++;
      }
    });
    if (t.logged !== undefined) {
      for (const f of LOGGED_FIELDS) {
        if (!t.logged.includes(f)) continue;
        const c = compareField(f, t, p);
        const acc = (logged ??= emptyLogged())[f];
        acc.n++;
        if (c === 'correct') acc.correct++;
        else if (c === 'wrong') acc.wrong++;
        else acc.missing++;
      }
    }
    for (const f of ACCURACY_FIELDS) {
      const acc = fields[f];
      acc.n++;
      const c = compareField(f, t, p);
      acc[c]++;
      if (c === 'correct' || c === 'wrong') acc.compared++;
      if (c === 'wrong') {
        mismatches.push({ order_id: t.order_id, field: f, truth: t[f]!, recovered: p[f]!, line: p.line });
      }
    }
  }
  for (const f of ACCURACY_FIELDS) fields[f].accuracy = ratio(fields[f].correct, fields[f].compared).value;
  if (truthSaysLogged(truth)) logged ??= emptyLogged();
  if (logged) for (const f of LOGGED_FIELDS) logged[f].accuracy = ratio(logged[f].correct, logged[f].n).value;

  // Precision, calibration and false records, over records.
  const claims: { confidence: number; correct: boolean }[] = [];
  const falseRecords: FalseRecord[] = [];
  const recordsAt = THRESHOLDS.map(() => 0);
  const claimsAt = THRESHOLDS.map(() => 0);
  const correctAt = THRESHOLDS.map(() => 0);
  let unknown = 0;
  for (const r of records) {
    const t = truth.get(r.order_id);
    if (t === undefined) unknown++;
    THRESHOLDS.forEach((th, i) => {
      if (r.confidence >= th) recordsAt[i]!++;
    });
    if (!claimsPaid(r)) continue;
    const correct = t !== undefined && t.paid;
    claims.push({ confidence: r.confidence, correct });
    THRESHOLDS.forEach((th, i) => {
      if (r.confidence >= th) {
        claimsAt[i]!++;
        if (correct) correctAt[i]!++;
      }
    });
    if (!correct) {
      const forgeries = [...(forgedKinds.get(r.order_id) ?? [])].sort();
      let reason = t === undefined ? UNKNOWN_ORDER : `truth status is ${t.status}, not paid`;
      if (forgeries.length > 0) reason += `; forged callback (${forgeries.join(', ')})`;
      if (r.forgery_signals.length > 0) reason += `; flagged ${r.forgery_signals.join(', ')}`;
      falseRecords.push({
        order_id: r.order_id,
        status: r.status,
        confidence: r.confidence,
        line: r.line,
        truth_status: t?.status ?? null,
        forgeries,
        signals: r.forgery_signals,
        reason,
      });
    }
  }

  const thresholds: ThresholdRow[] = THRESHOLDS.map((th, i) => ({
    min_confidence: th,
    records: recordsAt[i]!,
    claims: claimsAt[i]!,
    correct: correctAt[i]!,
    precision: ratio(correctAt[i]!, claimsAt[i]!).value,
    recall_paid: ratio(hitAt[i]!, paid).value,
    recall_recoverable: ratio(hitRecAt[i]!, paidRec).value,
  }));

  const byRecord = (a: { order_id: string }, b: { order_id: string }) =>
    a.order_id < b.order_id ? -1 : a.order_id > b.order_id ? 1 : 0;
  missed.sort(byRecord);
  mismatches.sort((a, b) => byRecord(a, b) || ACCURACY_FIELDS.indexOf(a.field) - ACCURACY_FIELDS.indexOf(b.field));
  falseRecords.sort(
    (a, b) =>
      byRecord(a, b) ||
      b.confidence - a.confidence ||
      a.status.localeCompare(b.status) ||
      a.signals.join(',').localeCompare(b.signals.join(',')) ||
      a.line - b.line,
  );

  return {
    counts: {
      truth_orders: truth.size,
      truth_paid: paid,
      truth_paid_recoverable: paidRec,
      db_rows: dbRows,
      records: records.length,
      records_claiming_paid: claims.length,
      records_unknown_order: unknown,
      duplicate_records: records.length - primary.size,
    },
    recall: { paid: ratio(hit, paid), paid_recoverable: ratio(hitRec, paidRec) },
    thresholds,
    fields,
    logged_fields: logged,
    field_mismatches: mismatches,
    calibration: calibrate(claims),
    forged: forged === null ? null : summarizeForged(forged, truth, byOrder, primary),
    missed,
    false_records: falseRecords,
    confusion: confusion(truth, primary),
  };
}
