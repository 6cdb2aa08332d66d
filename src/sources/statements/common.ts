import type { Evidence, EvidenceFields } from '../../model/types';
import { fieldNamesOf } from '../../model/evidence-fields';
import { ZoneClock, isoWithOffset } from '../../../parsers/time';

// What the two bill readers share: splitting a row into cells, reading the bills' money and
// time values, and building one Evidence item per bill row. Bills are the gateway's own record
// of a payment, so every item is `payment_confirmed` (or `refunded`) with weight 1, and carries
// `statement: 'yes'` so later stages can tell it from the shop's own confirmation line.

export type StatementFormat = 'statement-alipay' | 'statement-wechat';

/** What one line of a bill turned out to be. */
export type RowOutcome =
  | { kind: 'noise' }
  | { kind: 'other'; what: string }
  | { kind: 'reject'; reason: string }
  | { kind: 'evidence'; evidence: Evidence };

export interface RowContext {
  file: string;
  clock: ZoneClock;
}

/** Reads the rows under one bill's column header. One instance per file. */
export interface BillReader {
  line(text: string, lineNo: number, offset: number): RowOutcome;
  /** Notes about the whole file once it is read (a missing end marker, totals that disagree). */
  end(): string[];
}

export interface BillFormat {
  id: StatementFormat;
  /** The record channel of this gateway (as in src/correlate/channel.ts). */
  channel: string;
  /** Is this row (cells already normalised with `headerName`) the bill's column header? */
  isHeader(names: string[]): boolean;
  begin(header: string[], ctx: RowContext): BillReader;
}

/** Header cell → comparable name: no BOM, backtick, spaces; full-width parentheses made ASCII. */
export function headerName(cell: string): string {
  return cell.replace(/[\ufeff`\s]/g, '').replace(/（/g, '(').replace(/）/g, ')');
}

/**
 * One CSV row (RFC 4180 quoting, `""` inside quotes). Bills are written one row per line, so a
 * quote left open at the end of the line simply ends the last cell.
 */
export function splitCsvRow(text: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cur += '"'; i++; }
        else quoted = false;
      } else cur += c;
    } else if (c === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (c === ',') {
      cells.push(cur);
      cur = '';
    } else cur += c;
  }
  cells.push(cur);
  return cells;
}

/** Alipay pads values with tabs (so spreadsheets keep them as text); WeChat prefixes a backtick. */
export function cleanCell(cell: string): string {
  let s = cell.trim();
  if (s.startsWith('`')) s = s.slice(1).trim();
  return s;
}

/** A yuan amount as bills write it ("10.00", "-10.00", "1,234.50", "¥9.9") → number, or null. */
export function parseYuan(s: string): number | null {
  const t = s.replace(/[,¥￥\s]/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? Math.round(v * 100) / 100 : null;
}

const TIME_RE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** A bill time ("2026-11-21 10:00:05", read in the shop's zone) → instant and ISO with offset. */
export function parseBillTime(s: string, clock: ZoneClock): { ms: number; iso: string } | null {
  const m = TIME_RE.exec(s.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, se);
  const check = new Date(wall);
  if (check.getUTCDate() !== d) return null; // 2026-02-31 and the like
  const t = clock.resolveWall(wall);
  return { ms: t.ms, iso: isoWithOffset(t.ms, t.offsetMin) };
}

/** Column index by any of the given names (first found), or -1. */
export function columnOf(header: string[], ...names: string[]): number {
  for (const n of names) {
    const i = header.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

function fnv(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0x1f, 0x01000193);
}

/** The same bill row in two files (a day bill and a month bill, or a file given twice) is counted once. */
export function rowFingerprint(format: string, kind: string, fields: EvidenceFields, tsMs: number): string {
  let h = fnv(format, 0x811c9dc5);
  let h2 = fnv(kind, 0x5bd1e995);
  for (const k of ['order_id', 'trade_no', 'refund_no', 'amount', 'refund_amount'] as const) {
    const v = String(fields[k] ?? '');
    h = fnv(v, h);
    h2 = fnv(v, fnv(k, h2));
  }
  h = fnv(String(tsMs), h);
  return 'bill.' + (h >>> 0).toString(36) + '.' + (h2 >>> 0).toString(36);
}

export function billEvidence(
  format: StatementFormat,
  rule: string,
  kind: 'payment_confirmed' | 'refunded',
  at: { ms: number; iso: string },
  fields: EvidenceFields,
  ctx: RowContext,
  lineNo: number,
  offset: number,
): Evidence {
  // A bill's empty cells say nothing: they are left out (the fields' order stays as given).
  const clean: EvidenceFields = { ...fields };
  for (const k of fieldNamesOf(clean)) if (clean[k] === undefined || clean[k] === '') delete clean[k];
  clean.statement = 'yes';
  return {
    kind,
    rule,
    weight: 1,
    format,
    ts: at.iso,
    tsMs: at.ms,
    source: { file: ctx.file, line: lineNo, lineEnd: lineNo, offset },
    fields: clean,
    fingerprint: rowFingerprint(format, kind, clean, at.ms),
  };
}
