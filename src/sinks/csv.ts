import type { Transaction } from '../model/types';

// transactions.csv: the record contract flattened for spreadsheets. Evidence is summarised as
// `file:line` pointers; reasons are joined with " | ".

export const CSV_COLUMNS = [
  'order_id', 'status', 'amount', 'currency', 'channel', 'created_at', 'paid_at', 'buyer_email', 'goods_id',
  'trade_no', 'confidence', 'flags', 'reasons', 'evidence',
] as const;

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // A leading = + - @ would be run as a formula by spreadsheet programs.
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',');
}

export function csvRow(t: Transaction): string {
  return [
    t.order_id, t.status, t.amount === null ? '' : t.amount.toFixed(2), t.currency, t.channel, t.created_at, t.paid_at,
    t.buyer_email, t.goods_id, t.trade_no, t.confidence, t.flags.join(' '), t.reasons.join(' | '),
    t.evidence.map((e) => `${e.file}:${e.line}`).join(' '),
  ].map(csvCell).join(',');
}
