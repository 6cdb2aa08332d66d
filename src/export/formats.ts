import type { Transaction } from '../model/types';
import { CSV_COLUMNS } from '../sinks/csv';
import { LineWriter } from '../sinks/line-writer';
import type { Sink } from '../sinks/sink';
import { RestoreScriptWriter, type RestoreScriptOptions, type RestoreScriptSummary } from '../sinks/sql/restore-writer';

// The export formats: each takes records one at a time and writes them as they come.

export const EXPORT_FORMATS = ['csv', 'ndjson', 'sql'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What an export wrote: rows, clear card keys, and for SQL the script's own summary. */
export interface ExportStats {
  rows: number;
  card_keys_revealed: number;
  sql?: RestoreScriptSummary;
}

export interface RecordWriter extends Sink<Transaction, ExportStats> {
  write(t: Transaction): Promise<void>;
  /** After a failure: stop writing and remove side files (the partial export stays, as written). */
  abort(): Promise<void>;
}

/** The record as exported: its clear card key only when asked for (and the run kept one). */
export function exportedRecord(t: Transaction, reveal: boolean): { record: Transaction; revealed: boolean } {
  if (t.card_key === undefined) return { record: t, revealed: false };
  if (reveal) return { record: t, revealed: true };
  const { card_key: _secret, ...masked } = t;
  return { record: masked, revealed: false };
}

/** RFC 4180: quoted when it holds a quote, comma, CR or LF; quotes doubled; nothing else added
 *  (no leading apostrophe: the cell is the value, as a database import expects it). */
export function rfc4180Field(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export const EXPORT_CSV_COLUMNS = [...CSV_COLUMNS, 'buyer_ip', 'pay_id', 'card_key'] as const;

export function exportCsvRow(t: Transaction, cardKey: string | undefined): string {
  return [
    t.order_id, t.status, t.amount === null ? '' : t.amount.toFixed(2), t.currency, t.channel, t.created_at, t.paid_at,
    t.buyer_email, t.goods_id, t.trade_no, t.confidence, t.flags.join(' '), t.reasons.join(' | '),
    t.evidence.map((e) => `${e.file}:${e.line}`).join(' '), t.buyer_ip, t.pay_id, cardKey,
  ].map(rfc4180Field).join(',');
}

const BOM = '\uFEFF';

export class CsvExport implements RecordWriter {
  private readonly w: LineWriter;
  private started = false;
  private revealed = 0;

  constructor(path: string, private readonly o: { bom: boolean; reveal: boolean }) {
    this.w = new LineWriter(path, 0o600);
  }

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // The BOM tells Excel the file is UTF-8 (without it, Chinese text opens garbled).
    await this.w.writeRaw((this.o.bom ? BOM : '') + EXPORT_CSV_COLUMNS.join(',') + '\r\n');
  }

  async write(t: Transaction): Promise<void> {
    await this.start();
    const { record, revealed } = exportedRecord(t, this.o.reveal);
    if (revealed) this.revealed++;
    await this.w.writeRaw(exportCsvRow(record, revealed ? record.card_key : record.card_key_masked) + '\r\n');
    this.w.lines++;
  }

  async close() {
    await this.start();
    await this.w.close();
    return { rows: this.w.lines, card_keys_revealed: this.revealed };
  }

  async abort(): Promise<void> {
    await this.w.close().catch(() => undefined);
  }
}

export class NdjsonExport implements RecordWriter {
  private readonly w: LineWriter;
  private revealed = 0;

  constructor(path: string, private readonly o: { reveal: boolean }) {
    this.w = new LineWriter(path, 0o600);
  }

  async write(t: Transaction): Promise<void> {
    const { record, revealed } = exportedRecord(t, this.o.reveal);
    if (revealed) this.revealed++;
    await this.w.write(JSON.stringify(record));
  }

  async close() {
    await this.w.close();
    return { rows: this.w.lines, card_keys_revealed: this.revealed };
  }

  async abort(): Promise<void> {
    await this.w.close().catch(() => undefined);
  }
}

export class SqlExport implements RecordWriter {
  private readonly w: RestoreScriptWriter;

  constructor(path: string, o: RestoreScriptOptions) {
    this.w = new RestoreScriptWriter(path, o);
  }

  write(t: Transaction): Promise<void> {
    return this.w.write(t);
  }

  async close() {
    const s = await this.w.close();
    return { rows: s.inserts, card_keys_revealed: s.card_keys_revealed, sql: s };
  }

  abort(): Promise<void> {
    return this.w.abort();
  }
}
