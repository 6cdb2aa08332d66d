// Shapes used by `salvage evaluate`: the slim views of the simulator's ground truth and of a
// recovered transactions.ndjson, and the report computed from them. Only the fields evaluation
// needs are kept, so memory grows with the number of orders and not with the size of the files.

import type { TransactionStatus } from '../model/types';

/** Bad or missing evaluation input (truth folder or recovered file). The command turns it into a UsageError. */
export class EvaluateInputError extends Error {
  override name = 'EvaluateInputError';
}

/** One order of `<truth>/recoverable.ndjson`, reduced to what evaluation compares. */
export interface TruthOrder {
  order_id: string;
  /** created | paid | delivered | refunded | failed (kept as written). */
  status: string;
  paid: boolean;
  amount: number | null;
  paid_at: string | null;
  buyer_email: string | null;
  goods_id: string | null;
  /** Whether some surviving log line shows the order's payment. */
  recoverable: boolean;
  /** The fields (LOGGED_FIELDS) some surviving application-log entry about the order carries; absent in
   *  truth written without `--vocabulary`. */
  logged?: readonly string[];
}

export const FORGERY_KINDS = ['bad_signature', 'wrong_amount', 'replay'] as const;
export type ForgeryKind = (typeof FORGERY_KINDS)[number];

/** A `forged_callback` action of `<truth>/damage.json`. */
export interface ForgedCallback {
  order_id: string;
  /** Usually one of FORGERY_KINDS; kept as written when the simulator uses another word. */
  forgery: string;
}

export type MetaScalar = string | number | boolean | null;

export interface TruthSet {
  /** Keyed by order_id. */
  orders: Map<string, TruthOrder>;
  /** Number of non-blank lines in orders.ndjson (the raw DB rows). */
  dbRows: number;
  /** Damage profile named in damage.json, or null when damage.json is missing. */
  profile: string | null;
  /** forged_callback actions, or null when damage.json is missing. */
  forged: ForgedCallback[] | null;
  /** Top-level scalar fields of meta.json, or null when it is missing. */
  meta: Record<string, MetaScalar> | null;
  /** Non-fatal problems with the truth folder (missing damage.json, ...). */
  warnings: string[];
}

/** One line of the recovered transactions.ndjson, reduced to what evaluation compares. */
export interface RecoveredRecord {
  order_id: string;
  status: TransactionStatus;
  confidence: number;
  amount: number | null;
  paid_at: string | null;
  buyer_email: string | null;
  goods_id: string | null;
  flags: string[];
  /** Forgery keywords (bad_signature, amount_mismatch, ...) found in `flags` or `reasons`. */
  forgery_signals: string[];
  /** 1-based line in the recovered file. */
  line: number;
}

/** numerator / denominator, with value null when the denominator is 0. */
export interface Ratio {
  numerator: number;
  denominator: number;
  value: number | null;
}

export interface ThresholdRow {
  min_confidence: number;
  /** Records (any status) with confidence >= min_confidence. */
  records: number;
  /** Of those, records claiming paid (status paid, delivered or refunded). */
  claims: number;
  /** Claims whose order exists in the truth and is paid. */
  correct: number;
  precision: number | null;
  /** Truth paid orders with a claiming record at this confidence, over all truth paid orders. */
  recall_paid: number | null;
  /** The same over truth paid orders that are recoverable. */
  recall_recoverable: number | null;
}

export const ACCURACY_FIELDS = ['amount', 'paid_at', 'buyer_email', 'goods_id'] as const;
export type AccuracyField = (typeof ACCURACY_FIELDS)[number];

/** Fields the truth can say the logs carry (recoverable.ndjson `logged`). */
export const LOGGED_FIELDS = ['buyer_email', 'goods_id'] as const;
export type LoggedField = (typeof LOGGED_FIELDS)[number];

/**
 * One field over the recovered orders (truth paid, a record claims paid) whose surviving logs carry it:
 * here a missing value counts against the recovery, since the logs held it.
 */
export interface LoggedFieldAccuracy {
  n: number;
  correct: number;
  wrong: number;
  missing: number;
  /** correct / n. */
  accuracy: number | null;
}

export interface FieldAccuracy {
  /** Matched paid records (truth paid, a record claims paid). */
  n: number;
  /** Pairs where both truth and record have a value. */
  compared: number;
  correct: number;
  wrong: number;
  /** Record value null while the truth has one: missing, not wrong. */
  missing: number;
  /** Truth value null: nothing to compare against. */
  truth_null: number;
  /** correct / compared. */
  accuracy: number | null;
}

export interface FieldMismatch {
  order_id: string;
  field: AccuracyField;
  truth: string | number;
  recovered: string | number;
  line: number;
}

export interface CalibrationBin {
  label: string;
  lo: number;
  hi: number;
  hi_inclusive: boolean;
  /** Records claiming paid whose confidence falls in the bin. */
  claims: number;
  mean_confidence: number | null;
  correct: number;
  fraction_correct: number | null;
}

export interface ForgedTally {
  orders: number;
  flagged: number;
  wrongly_paid: number;
}

export interface ForgedOrder {
  order_id: string;
  forgeries: string[];
  truth_status: string | null;
  truth_paid: boolean;
  record_status: TransactionStatus | null;
  record_confidence: number | null;
  flagged: boolean;
  signals: string[];
  wrongly_paid: boolean;
}

export interface ForgedSummary extends ForgedTally {
  /** Wrongly paid with a claim at confidence >= 0.9. */
  wrongly_paid_confident: number;
  by_forgery: Record<string, ForgedTally>;
  orders_list: ForgedOrder[];
}

export interface MissedOrder {
  order_id: string;
  truth_status: string;
  amount: number | null;
  recoverable: boolean;
  record_status: TransactionStatus | null;
  record_confidence: number | null;
  reason: string;
}

export interface FalseRecord {
  order_id: string;
  status: TransactionStatus;
  confidence: number;
  line: number;
  truth_status: string | null;
  forgeries: string[];
  signals: string[];
  reason: string;
}

export interface ConfusionMatrix {
  /** Row labels: truth statuses, then "(not in truth)". */
  truth_statuses: string[];
  /** Column labels: recovered statuses, then "(no record)". */
  recovered_statuses: string[];
  counts: Record<string, Record<string, number>>;
}

export interface GateResult {
  gate: 'min-recall' | 'min-precision';
  metric: string;
  required: number;
  actual: number | null;
  passed: boolean;
  note: string | null;
}

export interface EvaluationCounts {
  truth_orders: number;
  truth_paid: number;
  truth_paid_recoverable: number;
  db_rows: number;
  records: number;
  records_claiming_paid: number;
  /** Records whose order_id the truth does not know. */
  records_unknown_order: number;
  /** Records beyond the first for an order_id that appears more than once. */
  duplicate_records: number;
}

export interface EvaluationReport {
  counts: EvaluationCounts;
  recall: { paid: Ratio; paid_recoverable: Ratio };
  thresholds: ThresholdRow[];
  fields: Record<AccuracyField, FieldAccuracy>;
  /** null when the truth does not say which fields the logs carry (truth written without --vocabulary). */
  logged_fields: Record<LoggedField, LoggedFieldAccuracy> | null;
  field_mismatches: FieldMismatch[];
  calibration: CalibrationBin[];
  /** null when damage.json is missing. */
  forged: ForgedSummary | null;
  missed: MissedOrder[];
  false_records: FalseRecord[];
  confusion: ConfusionMatrix;
}
