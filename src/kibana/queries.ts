import { DEFAULT_REVIEW_BELOW, INFORMATIONAL } from '../sinks/review';

// The KQL of the saved searches, in one place: the README's "first queries" table shows the same
// strings (a test keeps them in step).

/** At or above it, every paid claim in the drills was right (docs/confidence.md); review.csv's default. */
export const REVIEW_THRESHOLD = DEFAULT_REVIEW_BELOW;

/** Flags that say a payment callback was forged, replayed or altered on the way. */
export const CALLBACK_FLAGS = ['bad_signature', 'amount_mismatch', 'replayed_notify', 'notify_refused_by_shop', 'callback_for_unknown_order'] as const;

/** Every flag the checks and the correlator give a record that asks something of a person (each puts the record on the worklist: test/kibana/import-rules.test.ts). */
export const ANOMALY_FLAGS = [
  ...CALLBACK_FLAGS,
  'paid_not_delivered',
  'delivered_without_payment_evidence',
  'paid_but_failed',
  'multiple_payments',
  'card_key_reused',
  'statement_only',
  'not_in_statement',
  'baseline_mismatch',
] as const;

/** Flags that describe a record without asking anything (review.csv ignores them too). */
export const INFORMATIONAL_FLAGS = [...INFORMATIONAL].sort();

const anyOf = (field: string, values: readonly string[]) => `${field} : (${values.map((v) => `"${v}"`).join(' or ')})`;

export interface SearchSpec {
  id: string;
  title: string;
  description: string;
  view: 'transactions' | 'evidence';
  kql: string;
  columns: string[];
  sort: [string, 'asc' | 'desc'][];
}

const RECORD_COLUMNS = ['salvage.order.id', 'salvage.status', 'salvage.channel', 'salvage.amount', 'salvage.confidence', 'salvage.flags', 'salvage.record_id'];

export const SEARCHES: SearchSpec[] = [
  {
    id: 'low-confidence',
    title: 'salvage: low confidence / 低置信度',
    description: `Records below ${REVIEW_THRESHOLD} (the confidence above which every paid claim in the drills was right), least sure first. / 置信度低于 ${REVIEW_THRESHOLD} 的记录。`,
    view: 'transactions',
    kql: `salvage.confidence < ${REVIEW_THRESHOLD}`,
    columns: [...RECORD_COLUMNS, 'salvage.reasons'],
    sort: [['salvage.confidence', 'asc']],
  },
  {
    id: 'conflicts',
    title: 'salvage: conflicting evidence / 证据冲突',
    description: 'Records whose sources disagree on a field (amount, trade no, …); the record\'s conflicts.detail lists each value with its file and line. / 各来源字段取值不一致的记录。',
    view: 'transactions',
    kql: 'salvage.conflicts.count > 0',
    columns: [...RECORD_COLUMNS, 'salvage.conflicts.fields'],
    sort: [['salvage.conflicts.count', 'desc']],
  },
  {
    id: 'forged-callbacks',
    title: 'salvage: forged or tampered callbacks / 伪造或篡改的回调',
    description: 'Payment callbacks with a bad signature, an amount that differs from the order, a replay, one the shop refused, or one for an order nothing else knows. / 签名错误、金额不符、重放、被商店拒绝或指向未知订单的支付回调。',
    view: 'transactions',
    kql: anyOf('salvage.flags', CALLBACK_FLAGS),
    columns: [...RECORD_COLUMNS, 'salvage.payment.trade_no'],
    sort: [['@timestamp', 'desc']],
  },
  {
    id: 'paid-not-delivered',
    title: 'salvage: paid but not delivered / 已付款未发卡',
    description: 'A payment was shown, but no delivery line survived: the buyer may be owed a card. / 有付款证据但没有发卡记录。',
    view: 'transactions',
    kql: 'salvage.flags : "paid_not_delivered"',
    columns: [...RECORD_COLUMNS, 'user.email'],
    sort: [['@timestamp', 'desc']],
  },
  {
    id: 'review-queue',
    title: 'salvage: review queue / 人工复核队列',
    description: 'What review.csv lists, task for task (salvage.review.task; the run\'s --review-below applies), most urgent first. / 与 review.csv 相同的待办清单（按任务与优先级）。',
    view: 'transactions',
    kql: 'salvage.review.task : *',
    columns: ['salvage.review.priority', 'salvage.review.task', ...RECORD_COLUMNS, 'salvage.reasons', 'user.email'],
    sort: [['salvage.review.rank', 'asc'], ['salvage.confidence', 'asc']],
  },
];
