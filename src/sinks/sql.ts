import type { Transaction } from '../model/types';

// restore.sql: INSERT statements for dujiaoka's `orders` table (see the domain notes), one per
// record at or above the confidence threshold; records below it are written as comments so
// nobody restores them by accident. Times are written in the shop's zone (dujiaoka stores PRC
// local time without an offset).

const STATUS_TO_DUJIAOKA: Record<string, number | undefined> = {
  created: 1,
  pending: 1,
  paid: 2,
  delivered: 4,
  refunded: 4,
  failed: 5,
};

export function sqlString(v: string | null | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  return "'" + v.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\0/g, '\\0') + "'";
}

/** ISO with offset → `YYYY-MM-DD HH:MM:SS` in the same offset (what the shop's DB held). */
export function sqlLocalTime(iso: string | null): string | null {
  if (!iso) return null;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : null;
}

/** No time of writing here: the same inputs give the same script byte for byte (the time is in report.json). */
export function sqlHeader(toolVersion: string): string {
  return [
    `-- salvage ${toolVersion} restore script for dujiaoka \`orders\` (when and from what: report.json beside it)`,
    '-- Review before running. Rows use INSERT IGNORE so existing orders are never overwritten.',
    '-- 请先审核再执行；INSERT IGNORE 不会覆盖已存在的订单。',
    'SET NAMES utf8mb4;',
    '',
  ].join('\n');
}

export function sqlForTransaction(t: Transaction, minConfidence: number): string {
  const status = STATUS_TO_DUJIAOKA[t.status];
  const where = t.evidence.slice(0, 3).map((e) => `${e.file}:${e.line}`).join(', ');
  const head = `-- ${t.order_id}: ${t.status}, confidence ${t.confidence}${t.flags.length ? ', flags ' + t.flags.join(' ') : ''}; evidence ${where}${t.evidence.length > 3 ? ' …' : ''}`;
  const created = sqlLocalTime(t.created_at);
  const updated = sqlLocalTime(t.paid_at) ?? created;
  const values = [
    sqlString(t.order_id),
    t.goods_id !== null && /^\d+$/.test(t.goods_id) ? t.goods_id : 'NULL',
    t.amount !== null ? t.amount.toFixed(2) : 'NULL',
    t.amount !== null ? t.amount.toFixed(2) : 'NULL',
    sqlString(t.buyer_email),
    sqlString(t.trade_no),
    String(status ?? 1),
    sqlString(created),
    sqlString(updated),
  ].join(', ');
  const stmt = `INSERT IGNORE INTO orders (order_sn, goods_id, total_price, actual_price, email, trade_no, status, created_at, updated_at) VALUES (${values});`;
  const usable = status !== undefined && t.confidence >= minConfidence && created !== null;
  if (usable) return `${head}\n${stmt}`;
  const why = status === undefined ? `status ${t.status} cannot be restored` : created === null ? 'creation time unknown' : `confidence below ${minConfidence}`;
  return `${head}\n-- skipped (${why}): ${stmt}`;
}
