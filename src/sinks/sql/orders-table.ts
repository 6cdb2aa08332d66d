import type { Transaction, TransactionStatus } from '../../model/types';
import type { ZoneClock } from '../../../parsers/time';
import { sqlDecimal, sqlString, sqlWallTime, textProblem, type TextColumn } from './literal';

// One recovered record → one row of the shop's real orders table, with the real column names:
//   dujiaoka  `orders`          (assimon/dujiaoka database/sql/install.sql)
//   acg-faka  `<prefix>order`   (lizhipay/acg-faka kernel/Install/Install.sql, prefix `acg_` by default)
// Columns declared NOT NULL without a default get a value from the record when it has one, else
// the documented placeholder below, and the row says so. Pure: same record, same row.

export const PLATFORMS = ['dujiaoka', 'acg-faka'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** acg-faka's installer form proposes this prefix (app/View/Install.html, config/database.php). */
export const ACG_FAKA_DEFAULT_PREFIX = 'acg_';

/** What a column gets when the logs never showed its value. Documented in the README. */
export const PLACEHOLDERS = {
  title: 'salvage: title not in logs',
  ip: '0.0.0.0',
  email: '',
  id: 0,
  amount: 0,
  device: 0,
} as const;

export interface RowOptions {
  zone: ZoneClock;
  /** acg-faka table prefix. */
  prefix: string;
  /** Write card keys in clear when the record carries them (a run made with --reveal-card-keys). */
  revealCardKeys: boolean;
}

export interface OrderRow {
  table: string;
  /** Column → SQL literal, in the order written. */
  values: [string, string][];
  /** Columns whose value came from the record: the only ones an existing row gets on a duplicate key. */
  fromEvidence: string[];
  /** Columns that carry a placeholder. */
  placeholders: string[];
  /** What the reader of the script should know about this row (status mapping, values left out). */
  notes: string[];
  /** The card key in this row is in clear. */
  revealed: boolean;
}

export type RowResult = { row: OrderRow } | { skip: string };

/** dujiaoka app/Models/Order.php: STATUS_WAIT_PAY 1, STATUS_PENDING 2, STATUS_PROCESSING 3,
 *  STATUS_COMPLETED 4, STATUS_FAILURE 5, STATUS_ABNORMAL 6, STATUS_EXPIRED -1. */
const DUJIAOKA_STATUS: Record<TransactionStatus, number | null> = {
  created: 1,
  pending: 1,
  // Paid but no delivery seen: 待处理, so the operator looks at it (never 4, completed).
  paid: 2,
  delivered: 4,
  // dujiaoka has no refund status; its operators mark refunded orders 处理失败 (5).
  refunded: 5,
  failed: 5,
  unknown: null,
};

const isExpired = (t: Transaction) => t.flags.includes('expired') && (t.status === 'created' || t.status === 'pending');

/** The shop's status code for a record, or null when the record's status cannot be restored. */
export function dujiaokaStatus(t: Transaction): number | null {
  if (isExpired(t)) return -1;
  return DUJIAOKA_STATUS[t.status];
}

/** acg-faka has two flags, `status` 0 unpaid / 1 paid and `delivery_status` 0 / 1, and no state
 *  for refunded, failed or expired orders: those are written unpaid, so no report counts them as sales. */
export function acgFakaStatus(t: Transaction): { status: number; delivery: number } | null {
  switch (t.status) {
    case 'delivered': return { status: 1, delivery: 1 };
    case 'paid': return { status: 1, delivery: 0 };
    case 'created': case 'pending': case 'refunded': case 'failed': return { status: 0, delivery: 0 };
    default: return null;
  }
}

const INT_MAX = 2147483647;
const intOf = (v: string | null | undefined): number | null => (v !== null && v !== undefined && /^\d{1,10}$/.test(v) && Number(v) <= INT_MAX ? Number(v) : null);

/** Kinds whose time is when the shop last changed the order. */
const CHANGES_ORDER = new Set(['payment_confirmed', 'card_delivered', 'refunded', 'order_failed', 'order_expired']);

function lastChange(t: Transaction): string | null {
  let best: string | null = null;
  let bestMs = -Infinity;
  for (const e of t.evidence) {
    if (!CHANGES_ORDER.has(e.kind) || e.ts === null) continue;
    const ms = Date.parse(e.ts);
    if (ms > bestMs) { bestMs = ms; best = e.ts; }
  }
  return best ?? t.paid_at ?? t.created_at;
}

class RowBuilder {
  readonly values: [string, string][] = [];
  readonly fromEvidence: string[] = [];
  readonly placeholders: string[] = [];
  readonly notes: string[] = [];

  evidence(col: string, literal: string): void {
    this.values.push([col, literal]);
    this.fromEvidence.push(col);
  }

  placeholder(col: string, literal: string): void {
    this.values.push([col, literal]);
    this.placeholders.push(col);
  }

  /** The unique key the duplicate check is on: written, never updated. */
  key(col: string, literal: string): void {
    this.values.push([col, literal]);
  }

  fixed(col: string, literal: string): void {
    this.values.push([col, literal]);
  }

  /** A text value from the record if the column takes it, else the fallback (a placeholder or NULL). */
  text(col: string, v: string | null | undefined, spec: TextColumn, fallback: { placeholder: string } | null): void {
    const problem = v === null || v === undefined ? null : textProblem(v, spec);
    if (v !== null && v !== undefined && problem === null) return this.evidence(col, sqlString(v));
    if (problem !== null) this.notes.push(`${col} left out (${problem})`);
    if (fallback) this.placeholder(col, sqlString(fallback.placeholder));
    else this.fixed(col, 'NULL');
  }

  build(table: string, revealed: boolean): OrderRow {
    return { table, values: this.values, fromEvidence: this.fromEvidence, placeholders: this.placeholders, notes: this.notes, revealed };
  }
}

function cardKeyOf(t: Transaction, reveal: boolean): { value: string | null; revealed: boolean } {
  if (reveal && t.card_key !== undefined) return { value: t.card_key, revealed: true };
  return { value: t.card_key_masked ?? null, revealed: false };
}

function dujiaokaRow(t: Transaction, o: RowOptions): RowResult {
  const status = dujiaokaStatus(t);
  if (status === null) return { skip: `status ${t.status} cannot be restored` };
  const created = sqlWallTime(t.created_at, o.zone);
  if (created === null) return { skip: 'creation time unknown' };
  const idProblem = textProblem(t.order_id, { maxChars: 150, mb3: true });
  if (idProblem) return { skip: `order number does not fit order_sn (${idProblem})` };
  const r = new RowBuilder();
  r.key('order_sn', sqlString(t.order_id));
  const goods = intOf(t.goods_id);
  if (goods !== null) r.evidence('goods_id', String(goods));
  else r.placeholder('goods_id', String(PLACEHOLDERS.id));
  r.placeholder('title', sqlString(PLACEHOLDERS.title));
  if (t.amount !== null) {
    // buy_amount stays at its default 1, so the unit price is the amount.
    for (const c of ['goods_price', 'total_price', 'actual_price']) r.evidence(c, sqlDecimal(t.amount));
  } else {
    for (const c of ['total_price', 'actual_price']) r.placeholder(c, sqlDecimal(PLACEHOLDERS.amount));
  }
  r.text('email', t.buyer_email, { maxChars: 200, mb3: true }, { placeholder: PLACEHOLDERS.email });
  const card = cardKeyOf(t, o.revealCardKeys);
  // info holds the delivered card keys, one per line (OrderProcessService::completedOrder).
  r.text('info', card.value, { maxChars: 21845 }, null);
  const pay = intOf(t.pay_id);
  if (pay !== null) r.evidence('pay_id', String(pay));
  r.text('buy_ip', t.buyer_ip, { maxChars: 50, mb3: true }, { placeholder: PLACEHOLDERS.ip });
  // Before payment the shop holds '' here (the column's default), not a placeholder.
  if (t.trade_no !== null) r.text('trade_no', t.trade_no, { maxChars: 200, mb3: true }, null);
  else r.fixed('trade_no', "''");
  r.evidence('status', String(status));
  r.evidence('created_at', sqlString(created));
  r.evidence('updated_at', sqlString(sqlWallTime(lastChange(t), o.zone) ?? created));
  if (t.status === 'refunded') r.notes.push('refunded: written as 5 (处理失败), dujiaoka has no refund status');
  if (status === -1) r.notes.push('expired: -1 (过期)');
  return { row: r.build('orders', card.revealed) };
}

function acgFakaRow(t: Transaction, o: RowOptions): RowResult {
  const st = acgFakaStatus(t);
  if (st === null) return { skip: `status ${t.status} cannot be restored` };
  const created = sqlWallTime(t.created_at, o.zone);
  if (created === null) return { skip: 'creation time unknown' };
  const idProblem = textProblem(t.order_id, { maxChars: 19 });
  if (idProblem) return { skip: `order number does not fit trade_no (${idProblem})` };
  const r = new RowBuilder();
  r.key('trade_no', sqlString(t.order_id));
  if (t.amount !== null) r.evidence('amount', sqlDecimal(t.amount));
  else r.placeholder('amount', sqlDecimal(PLACEHOLDERS.amount));
  const goods = intOf(t.goods_id);
  if (goods !== null) r.evidence('commodity_id', String(goods));
  else r.placeholder('commodity_id', String(PLACEHOLDERS.id));
  const pay = intOf(t.pay_id);
  if (pay !== null) r.evidence('pay_id', String(pay));
  else r.placeholder('pay_id', String(PLACEHOLDERS.id));
  r.evidence('create_time', sqlString(created));
  r.text('create_ip', t.buyer_ip, { maxChars: 64 }, { placeholder: PLACEHOLDERS.ip });
  r.placeholder('create_device', String(PLACEHOLDERS.device));
  const paid = st.status === 1 ? sqlWallTime(t.paid_at, o.zone) : null;
  r.evidence('pay_time', paid === null ? 'NULL' : sqlString(paid));
  r.evidence('status', String(st.status));
  r.evidence('delivery_status', String(st.delivery));
  const card = cardKeyOf(t, o.revealCardKeys);
  r.text('secret', card.value, { maxChars: 1 << 30 }, null);
  r.text('contact', t.buyer_email, { maxChars: 32 }, null);
  if (t.status === 'refunded' || t.status === 'failed') r.notes.push(`${t.status}: written unpaid (status 0), acg-faka has no state for it`);
  if (isExpired(t)) r.notes.push('expired: unpaid (status 0), acg-faka has no expiry state');
  return { row: r.build(o.prefix + 'order', card.revealed) };
}

export function orderRow(platform: Platform, t: Transaction, o: RowOptions): RowResult {
  return platform === 'dujiaoka' ? dujiaokaRow(t, o) : acgFakaRow(t, o);
}

/** The table a platform's rows go into. */
export function ordersTable(platform: Platform, prefix: string): string {
  return platform === 'dujiaoka' ? 'orders' : prefix + 'order';
}
