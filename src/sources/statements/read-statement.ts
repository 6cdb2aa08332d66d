import type { Evidence, FileReport, Reject } from '../../model/types';
import { ZoneClock, isoWithOffset } from '../../../parsers/time';
import type { ParserContext } from '../../../parsers/parser';
import { cannotOpen, readLines, type TextLines } from '../read-lines';
import { FileAccount, sortedCounts } from '../file-account';
import { alipayBill } from './alipay-bill';
import { wechatBill } from './wechat-bill';
import { headerName, splitCsvRow, type BillFormat, type BillReader, type StatementFormat } from './common';

// A merchant statement (`--statement`): the gateway's downloadable bill, read by the same loop
// as a log file (src/sources/read-lines.ts: streamed line by line, hashed, every line accounted
// for as evidence, noise or rejected) but with its own readers, since its rows are the
// gateway's record rather than log entries.
// Lines are decoded one at a time (UTF-8 if valid, else GBK through iconv-lite), so byte
// offsets stay exact and a GBK Alipay bill and a UTF-8 WeChat bill need no option. Which bill
// it is comes from its column header, looked for in the first lines.

export const STATEMENT_FORMATS: BillFormat[] = [alipayBill, wechatBill];

/** The header must come within this many lines (Alipay puts about four `#` lines first). */
const HEADER_SEARCH_LINES = 64;

/** What one bill covers: for the check that paid records of its gateway appear in it. */
export interface StatementSpan {
  file: string;
  format: StatementFormat;
  channel: string;
  /** First and last row time (payments and refunds), epoch ms. */
  fromMs: number;
  toMs: number;
  payments: number;
  refunds: number;
  /** Rows of other business types / trade states, by type: read and not used. */
  other: Record<string, number>;
}

export interface StatementSinks {
  evidence(e: Evidence): void;
  reject(r: Reject): void;
}

export interface StatementOptions {
  tz: string;
  maxLineBytes: number;
}

export async function readStatement(path: string, display: string, opts: StatementOptions, sinks: StatementSinks): Promise<{ report: FileReport; span: StatementSpan | null }> {
  // A bill is complete for its period: an hour without rows had no trades, it is not a hole
  // in the evidence, so bills take no part in the coverage check (per_hour stays empty).
  const account = new FileAccount(display, sinks.reject);
  const unopened = cannotOpen(path);
  if (unopened !== undefined) {
    account.problem(unopened);
    return { report: account.report, span: null };
  }
  const bill = new BillLines({ file: display, clock: new ZoneClock(opts.tz) }, account, sinks.evidence);
  const read = await readLines(path, bill, { maxLineBytes: opts.maxLineBytes, chunkBytes: 1 << 20, onReadError: (m) => account.readFailed(m) });
  account.linesRead(read);
  const report = account.report;
  if (bill.format === null && !bill.unknown) {
    account.problem('no Alipay 业务明细 or WeChat bill column header found: not a statement this version reads / 无法识别的对账单格式');
  }
  if (bill.reader !== null) report.errors.push(...bill.reader.end());
  // A bill's last line may well have no newline; a file that is not one is read like a log.
  if (bill.format === null) account.noteUnterminated(read);
  account.close(read);
  sortedCounts(report.by_rule, bill.byRule);
  if (bill.first) report.first_ts = bill.first.ts;
  if (bill.last) report.last_ts = bill.last.ts;
  const fmt = bill.format;
  const span: StatementSpan | null =
    fmt && bill.first && bill.last
      ? { file: display, format: fmt.id, channel: fmt.channel, fromMs: bill.first.tsMs, toMs: bill.last.tsMs, payments: bill.payments, refunds: bill.refunds, other: bill.other }
      : null;
  return { report, span };
}

const NOT_A_ROW = 'not a bill row: no Alipay 业务明细 or WeChat bill column header above it / 不是对账单行（前面没有表头）';

/** What the statement reader does with a bill's lines: finds the column header, then hands each
 *  row to the bill format's reader and counts it where it went. */
class BillLines implements TextLines {
  format: BillFormat | null = null;
  reader: BillReader | null = null;
  /** No header came within HEADER_SEARCH_LINES lines. */
  unknown = false;
  first: Evidence | null = null;
  last: Evidence | null = null;
  payments = 0;
  refunds = 0;
  readonly other: Record<string, number> = {};
  readonly byRule = new Map<string, number>();

  constructor(
    private readonly ctx: ParserContext,
    private readonly account: FileAccount,
    private readonly evidence: (e: Evidence) => void,
  ) {}

  text(text: string, lineNo: number, offset: number): void {
    this.headerOverdue(lineNo);
    if (this.reader !== null) {
      this.row(this.reader.line(text, lineNo, offset), text, lineNo, offset);
      return;
    }
    const t = text.trim();
    if (t === '' || t.startsWith('#')) {
      this.account.noise();
      return;
    }
    if (!this.unknown) {
      const names = splitCsvRow(t).map(headerName);
      const f = STATEMENT_FORMATS.find((x) => x.isHeader(names));
      if (f) {
        this.format = f;
        this.account.report.format = f.id;
        this.account.report.detect_confidence = 1;
        this.reader = f.begin(names, this.ctx);
        this.account.noise();
        return;
      }
    }
    this.account.reject(lineNo, offset, NOT_A_ROW, text);
  }

  reject(lineNo: number, offset: number, reason: string, head: string): void {
    this.headerOverdue(lineNo);
    this.account.reject(lineNo, offset, reason, head);
  }

  private headerOverdue(lineNo: number): void {
    if (this.reader === null && !this.unknown && lineNo > HEADER_SEARCH_LINES) {
      this.unknown = true;
      this.account.problem(`no Alipay 业务明细 or WeChat bill column header in the first ${HEADER_SEARCH_LINES} lines: not a statement this version reads; its lines are rejected / 无法识别的对账单格式`);
    }
  }

  private row(r: ReturnType<BillReader['line']>, text: string, lineNo: number, offset: number): void {
    switch (r.kind) {
      case 'noise':
        this.account.noise();
        return;
      case 'other':
        this.account.noise();
        this.other[r.what] = (this.other[r.what] ?? 0) + 1;
        return;
      case 'reject':
        this.account.reject(lineNo, offset, r.reason, text);
        return;
      case 'evidence': {
        const e = r.evidence;
        const report = this.account.report;
        report.parsed++;
        report.evidence_lines++;
        report.evidence_items++;
        this.byRule.set(e.rule, (this.byRule.get(e.rule) ?? 0) + 1);
        if (e.kind === 'refunded') this.refunds++;
        else this.payments++;
        if (this.first === null || e.tsMs < this.first.tsMs) this.first = e;
        if (this.last === null || e.tsMs > this.last.tsMs) this.last = e;
        this.evidence(e);
        return;
      }
    }
  }
}

/**
 * Every `--statement` file in turn, in the calling thread (bills are few and small). Evidence
 * goes to `evidence` in batches; rejects one by one, as the log files' do.
 */
export async function readStatements(
  files: { path: string; display: string }[],
  opts: StatementOptions,
  sinks: { evidence(items: Evidence[]): void; reject(r: Reject): void },
): Promise<{ reports: FileReport[]; spans: StatementSpan[] }> {
  const reports: FileReport[] = [];
  const spans: StatementSpan[] = [];
  for (const f of files) {
    let batch: Evidence[] = [];
    const { report, span } = await readStatement(f.path, f.display, opts, {
      evidence: (e) => {
        batch.push(e);
        if (batch.length >= 2000) {
          sinks.evidence(batch);
          batch = [];
        }
      },
      reject: (r) => sinks.reject(r),
    });
    if (batch.length > 0) sinks.evidence(batch);
    reports.push(report);
    if (span) spans.push(span);
  }
  return { reports, spans };
}

/** A span's time range as text, for the report. */
export function spanRange(s: StatementSpan, clock: ZoneClock): { from: string; to: string } {
  return { from: isoWithOffset(s.fromMs, clock.offsetAt(s.fromMs)), to: isoWithOffset(s.toMs, clock.offsetAt(s.toMs)) };
}
