import type { EvidenceKind, Transaction } from '../model/types';
import { csvCell, reasonsCell } from './csv';
import { reasonsZh } from './reasons-zh';
import { COMMAND_DEFAULTS } from '../settings';

// review.csv: the worklist for the people who finish the job by hand (the seed's team called
// buyers and merchants for the last 0.3%). It holds only what a person must act on, and each row
// says what to ask, whom, and which lines to bring. It holds PII (buyer emails), so it is
// written with owner-only permissions.

export const REVIEW_COLUMNS = [
  'priority', 'task', 'order_id', 'status', 'confidence', 'amount', 'created_at', 'paid_at',
  'ask', 'ask_zh', 'whom', 'contact', 'why', 'why_zh', 'missing', 'missing_zh', 'evidence', 'reasons', 'reasons_zh',
] as const;

export type ReviewPriority = 'high' | 'medium' | 'low';
export type Whom = 'buyer' | 'gateway' | 'merchant';

/**
 * What a person must do about a record. Priorities:
 *  - high: money is owed or at risk now — a forged or tampered callback, a buyer who paid and got
 *    nothing, a card out without a payment, two payments, a bill that disagrees with the logs,
 *    values that disagree about the money;
 *  - medium: a payment may have happened that the logs do not prove — ask before restoring it;
 *  - low: a payment the logs prove well enough to restore, with a key field to fill in.
 */
export type ReviewTask =
  | 'forged_callback'
  | 'paid_not_delivered'
  | 'delivered_unpaid'
  | 'double_payment'
  | 'card_key_reused'
  | 'statement_mismatch'
  | 'conflict'
  | 'refused_callback'
  | 'payment_unproven'
  | 'missing_fields';

interface TaskText {
  priority: ReviewPriority;
  whom: Whom;
  ask: string;
  ask_zh: string;
  /** Evidence shown first (the rest follows, up to the row's limit). */
  kinds: readonly EvidenceKind[];
}

const CALLBACK: readonly EvidenceKind[] = ['payment_notified', 'payment_rejected', 'callback_seen'];
const PAYMENT: readonly EvidenceKind[] = ['payment_confirmed', 'payment_notified', 'payment_observed'];

export const TASKS: Record<ReviewTask, TaskText> = {
  forged_callback: {
    priority: 'high', whom: 'gateway', kinds: CALLBACK,
    ask: 'Confirm in the gateway console that it sent no such payment (forged, replayed or tampered callback); make sure no card went out for it and block the sender',
    ask_zh: '在支付平台后台确认没有这笔付款（回调系伪造、重放或被篡改）；确认未因此发卡，并封禁来源',
  },
  paid_not_delivered: {
    priority: 'high', whom: 'buyer', kinds: [...PAYMENT, 'order_failed'],
    ask: 'Ask the buyer whether the card arrived; if not, deliver it or refund the payment',
    ask_zh: '询问买家是否收到卡密；未收到则补发或退款',
  },
  delivered_unpaid: {
    priority: 'high', whom: 'gateway', kinds: ['card_delivered', 'payment_started', 'callback_seen'],
    ask: 'A card went out but no payment line survived: find the payment in the gateway bill, or treat the card as lost',
    ask_zh: '已发卡但未见付款记录：在支付平台账单中查找这笔付款，否则视为卡密损失',
  },
  double_payment: {
    priority: 'high', whom: 'gateway', kinds: CALLBACK,
    ask: 'The gateway reported more than one payment for this order: check each in the gateway console and refund the extra one',
    ask_zh: '同一订单收到多笔付款：在支付平台后台逐笔核对并退还多付的款项',
  },
  card_key_reused: {
    priority: 'high', whom: 'buyer', kinds: ['card_delivered'],
    ask: 'The same card key went to more than one order: ask the buyer whether it worked, and send a fresh one if not',
    ask_zh: '同一卡密发给了多个订单：询问买家卡密是否可用，不可用则补发新卡密',
  },
  statement_mismatch: {
    priority: 'high', whom: 'gateway', kinds: ['payment_confirmed', 'refunded', 'payment_notified'],
    ask: "The gateway's bill and the logs disagree on this payment: check it in the gateway console (another merchant account, a forged callback, or a payment the logs lost)",
    ask_zh: '对账单与日志不一致：在支付平台后台核对（可能是其他商户号、伪造回调，或日志丢失的付款）',
  },
  conflict: {
    priority: 'medium', whom: 'merchant', kinds: [],
    ask: 'The logs disagree on a value of this order: decide which is right, with the gateway bill or the last backup',
    ask_zh: '日志对该订单的字段值说法不一：请对照支付账单或最近备份确定正确值',
  },
  refused_callback: {
    priority: 'medium', whom: 'gateway', kinds: CALLBACK,
    ask: 'The shop refused every copy of a payment callback: check in the gateway console whether the buyer was charged, and refund or deliver',
    ask_zh: '商店拒绝了所有支付回调：在支付平台后台确认买家是否已扣款，再退款或补发',
  },
  payment_unproven: {
    priority: 'medium', whom: 'gateway', kinds: ['payment_started', 'callback_seen', ...PAYMENT, 'status_polled'],
    ask: 'A payment is claimed or was started but the logs do not prove it: look the order up in the gateway console before restoring it',
    ask_zh: '付款已发起或被声称，但日志不足以证明：恢复前请在支付平台后台查询该订单',
  },
  missing_fields: {
    priority: 'low', whom: 'gateway', kinds: PAYMENT,
    ask: 'The payment is proven, but its amount, paid time or gateway trade no is missing: fill it in from the gateway bill',
    ask_zh: '付款已证实，但缺少金额、付款时间或支付平台交易号：请从支付账单补全',
  },
};

/** reconstruct's --review-below unless told (settings.ts says why). */
export const DEFAULT_REVIEW_BELOW = COMMAND_DEFAULTS.reviewBelow;

/** Flags that describe a record without asking anything of a person. */
export const INFORMATIONAL = new Set(['expired', 'in_baseline', 'explains_balance_break?']);
const FORGERY = new Set(['bad_signature', 'replayed_notify', 'amount_mismatch']);
const PAID = new Set(['paid', 'delivered', 'refunded']);

/** Fields a restored order needs (review.csv's `missing` lists the buyer contact too). */
const KEY_FIELDS = new Set(['amount', 'paid time', 'gateway trade no']);

/** Money-carrying fields of a conflict: a disagreement there is high priority. */
const MONEY_FIELDS = new Set(['amount', 'trade_no', 'paid_at']);

export interface ReviewItem {
  task: ReviewTask;
  priority: ReviewPriority;
}

/** Key fields a restorable (paid) record should have, English and Chinese. */
function missingFields(t: Transaction): { en: string; zh: string }[] {
  if (!PAID.has(t.status)) return [];
  const out: { en: string; zh: string }[] = [];
  if (t.amount === null) out.push({ en: 'amount', zh: '金额' });
  if (t.paid_at === null) out.push({ en: 'paid time', zh: '付款时间' });
  if (t.trade_no === null && t.status !== 'refunded') out.push({ en: 'gateway trade no', zh: '支付平台交易号' });
  if (t.buyer_email === null) out.push({ en: 'buyer contact', zh: '买家联系方式' });
  return out;
}

/** The one task a record asks of a person, or null: most records ask nothing. The first that applies wins. */
export function reviewTask(t: Transaction, threshold: number): ReviewItem | null {
  const has = (f: string) => t.flags.includes(f);
  const pick = (task: ReviewTask, priority: ReviewPriority = TASKS[task].priority): ReviewItem => ({ task, priority });
  if ([...FORGERY].some(has)) return pick('forged_callback');
  if (has('paid_not_delivered') || (has('paid_but_failed') && t.status !== 'delivered')) return pick('paid_not_delivered');
  if (has('delivered_without_payment_evidence')) return pick('delivered_unpaid');
  if (has('multiple_payments')) return pick('double_payment');
  if (has('card_key_reused')) return pick('card_key_reused');
  if (has('statement_only') || has('not_in_statement')) return pick('statement_mismatch');
  if (t.conflicts.length > 0 || has('baseline_mismatch')) return pick('conflict', t.conflicts.some((c) => MONEY_FIELDS.has(c.field)) ? 'high' : 'medium');
  if (has('notify_refused_by_shop')) return pick('refused_callback');
  // Any other flag a check raised is something to look at; the informational ones ask nothing.
  const other = t.flags.filter((f) => !INFORMATIONAL.has(f) && f !== 'paid_but_failed');
  if (other.length > 0) return pick('payment_unproven');
  // The shop itself closed it unpaid (dujiaoka status 1 -> -1): nobody has anything to ask.
  if (has('expired') && !PAID.has(t.status)) return null;
  if (PAID.has(t.status)) {
    if (t.confidence < threshold) return pick('payment_unproven');
    // Without these the order cannot be restored as it was; a missing buyer contact alone asks
    // nothing of anyone (the card went out, or paid_not_delivered says so).
    return missingFields(t).some((m) => KEY_FIELDS.has(m.en)) ? pick('missing_fields') : null;
  }
  // Payment started and a callback reached the shop, but nothing shows it paid: maybe a payment
  // the logs lost. A checkout left at the gateway page with no callback is an abandoned order.
  if (t.status === 'pending' && t.confidence < threshold && t.evidence.some((e) => CALLBACK.includes(e.kind))) return pick('payment_unproven');
  // An order only seen being created, or failed: no money moved, nothing to ask.
  return null;
}

/** Kept for callers that only want the priority. */
export function reviewPriority(t: Transaction, threshold: number): ReviewPriority | null {
  return reviewTask(t, threshold)?.priority ?? null;
}

/** Whom to ask, with how to reach them, in English with Chinese beside it. */
function contactOf(t: Transaction, whom: Whom): string {
  const gateway = t.channel ?? 'gateway';
  if (whom === 'buyer' && t.buyer_email) return `buyer 买家: ${t.buyer_email}`;
  if (whom !== 'merchant' && t.trade_no) return `gateway 支付平台: ${gateway} merchant console, trade no 交易号 ${t.trade_no}`;
  if (whom !== 'merchant') return `gateway 支付平台: ${gateway} bill, search order 搜索订单号 ${t.order_id}${t.buyer_email ? `; buyer 买家: ${t.buyer_email}` : ''}`;
  return `merchant 商户: gateway bill or last backup 支付账单或最近备份${t.buyer_email ? `; buyer 买家: ${t.buyer_email}` : ''}`;
}

const FLAG_ZH: Record<string, string> = {
  bad_signature: '签名校验失败', replayed_notify: '回调被重放', amount_mismatch: '金额不符', paid_not_delivered: '已付款未发卡',
  paid_but_failed: '已付款但订单失败', delivered_without_payment_evidence: '已发卡无付款证据', multiple_payments: '多笔付款',
  card_key_reused: '卡密重复', statement_only: '仅见于对账单', not_in_statement: '对账单中没有', baseline_mismatch: '与备份不符',
  notify_refused_by_shop: '商店拒绝回调', callback_for_unknown_order: '回调指向未知订单', expired: '已过期', in_baseline: '见于备份',
  'explains_balance_break?': '可能解释余额断链',
};

function why(t: Transaction, threshold: number): { en: string; zh: string } {
  const en: string[] = [];
  const zh: string[] = [];
  if (t.confidence < threshold) {
    en.push(`confidence ${t.confidence} < ${threshold}`);
    zh.push(`置信度 ${t.confidence} < ${threshold}`);
  }
  if (t.flags.length) {
    en.push(`flags: ${t.flags.join(', ')}`);
    zh.push(`标记：${t.flags.map((f) => FLAG_ZH[f] ?? f).join('、')}`);
  }
  for (const c of t.conflicts) {
    const values = c.values.map((v) => v.value).join(' vs ');
    en.push(`${c.field} disagrees: ${values}`);
    zh.push(`${c.field} 不一致：${values}`);
  }
  return { en: en.join('; '), zh: zh.join('；') };
}

/** Up to five `file:line` pointers, the lines that matter to the task first. */
function evidenceFor(t: Transaction, task: ReviewTask): string {
  const first = new Set<EvidenceKind>(TASKS[task].kinds);
  const refs = new Set<string>();
  if (task === 'conflict') for (const c of t.conflicts) for (const v of c.values) refs.add(`${v.file}:${v.line}`);
  for (const e of t.evidence) if (first.has(e.kind)) refs.add(`${e.file}:${e.line}`);
  for (const e of t.evidence) refs.add(`${e.file}:${e.line}`);
  return [...refs].slice(0, 5).join(' ');
}

export function reviewRow(t: Transaction, threshold: number, item: ReviewItem | null = reviewTask(t, threshold)): string {
  const task = item?.task ?? 'payment_unproven';
  const text = TASKS[task];
  const w = why(t, threshold);
  const missing = missingFields(t);
  return [
    item?.priority ?? '', task, t.order_id, t.status, t.confidence, t.amount === null ? '' : t.amount.toFixed(2), t.created_at, t.paid_at,
    text.ask, text.ask_zh, text.whom, contactOf(t, text.whom), w.en, w.zh, missing.map((m) => m.en).join(', '), missing.map((m) => m.zh).join('、'),
    evidenceFor(t, task), reasonsCell(t.reasons), reasonsCell(reasonsZh(t.reasons)),
  ]
    .map(csvCell)
    .join(',');
}
