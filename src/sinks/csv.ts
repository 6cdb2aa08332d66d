import type { Transaction } from '../model/types';
import { LineWriter } from './line-writer';
import type { Sink } from './sink';

// transactions.csv: the record contract flattened for spreadsheets. Evidence is summarised as
// `file:line` pointers; reasons are joined with " | ", each score term as "text (weight)".

export const CSV_COLUMNS = [
  'order_id', 'status', 'amount', 'currency', 'channel', 'created_at', 'paid_at', 'buyer_email', 'goods_id',
  'trade_no', 'confidence', 'flags', 'reasons', 'evidence',
] as const;

/**
 * One CSV cell. A cell that starts with = + - @ (or a tab or carriage return) would be run as a
 * formula by spreadsheet programs, so such a cell, and only such a cell, gets a leading `'`
 * (OWASP's advice); plain numbers such as -1.5 are left alone. Text salvage writes itself never
 * starts so (see reasonsCell): the `'` marks a value that came from the logs that way.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** A score term (`+5.0 gateway callback …`) with its weight moved to the end (`gateway callback … (+5.0)`). */
const TERM = /^([+-]\d+(?:\.\d+)?) (.*)$/s;

/** The reasons as one cell: joined by " | ", each score term written as "text (weight)" so that
 *  the cell reads as text and does not start like a formula. */
export function reasonsCell(reasons: readonly string[]): string {
  return reasons.map((r) => {
    const m = TERM.exec(r);
    return m ? `${m[2]} (${m[1]})` : r;
  }).join(' | ');
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',');
}

export function csvRow(t: Transaction): string {
  return [
    t.order_id, t.status, t.amount === null ? '' : t.amount.toFixed(2), t.currency, t.channel, t.created_at, t.paid_at,
    t.buyer_email, t.goods_id, t.trade_no, t.confidence, t.flags.join(' '), reasonsCell(t.reasons),
    t.evidence.map((e) => `${e.file}:${e.line}`).join(' '),
  ].map(csvCell).join(',');
}

/** transactions.csv: the header, then one row per record. */
export class TransactionsCsv implements Sink<Transaction, { rows: number }> {
  private readonly out: LineWriter;
  private rows = 0;

  constructor(path: string, mode: number) {
    this.out = new LineWriter(path, mode);
    this.out.writeSync(csvHeader());
  }

  async write(t: Transaction): Promise<void> {
    this.rows++;
    await this.out.write(csvRow(t));
  }

  /** Rows written, the header not counted. */
  async close(): Promise<{ rows: number }> {
    await this.out.close();
    return { rows: this.rows };
  }
}
