import { statSync } from 'node:fs';
import { emptyFileReport } from '../../model/file-report';
import type { Evidence, FileReport, Reject } from '../../model/types';
import { ZoneClock, isoWithOffset } from '../../../parsers/time';
import { LineSplitter, HEAD_BYTES } from '../line-splitter';
import { decodeLine, printableHead } from '../decode-line';
import { readInput, noteRead } from '../read-input';
import { alipayBill } from './alipay-bill';
import { wechatBill } from './wechat-bill';
import { headerName, splitCsvRow, type BillFormat, type BillReader, type StatementFormat } from './common';

// A merchant statement (`--statement`): the gateway's downloadable bill, read like a log file
// (streamed line by line, hashed, every line accounted for as evidence, noise or rejected) but
// with its own readers, since its rows are the gateway's record rather than log entries.
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
  const report: FileReport = emptyFileReport(display);
  try {
    statSync(path);
  } catch (e) {
    report.damaged = true;
    report.errors.push(`cannot open: ${(e as Error).message}`);
    return { report, span: null };
  }
  const clock = new ZoneClock(opts.tz);
  const ctx = { file: display, clock };
  let format: BillFormat | null = null;
  let reader: BillReader | null = null;
  let unknown = false;
  let sawGbk = false;
  let first: Evidence | null = null;
  let last: Evidence | null = null;
  let payments = 0;
  let refunds = 0;
  const other: Record<string, number> = {};
  const byRule = new Map<string, number>();

  const reject = (lineNo: number, offset: number, reason: string, head: string) => {
    report.rejected++;
    sinks.reject({ file: display, line: lineNo, offset, reason, head: head.length > HEAD_BYTES ? head.slice(0, HEAD_BYTES) : head });
  };
  const noise = () => {
    report.parsed++;
    report.noise++;
  };
  const NOT_A_ROW = 'not a bill row: no Alipay 业务明细 or WeChat bill column header above it / 不是对账单行（前面没有表头）';

  const handle = (text: string, lineNo: number, offset: number) => {
    if (reader !== null) {
      const r = reader.line(text, lineNo, offset);
      switch (r.kind) {
        case 'noise':
          noise();
          return;
        case 'other':
          noise();
          other[r.what] = (other[r.what] ?? 0) + 1;
          return;
        case 'reject':
          reject(lineNo, offset, r.reason, text);
          return;
        case 'evidence': {
          const e = r.evidence;
          report.parsed++;
          report.evidence_lines++;
          report.evidence_items++;
          byRule.set(e.rule, (byRule.get(e.rule) ?? 0) + 1);
          if (e.kind === 'refunded') refunds++;
          else payments++;
          if (first === null || e.tsMs < first.tsMs) first = e;
          if (last === null || e.tsMs > last.tsMs) last = e;
          sinks.evidence(e);
          return;
        }
      }
    }
    const t = text.trim();
    if (t === '' || t.startsWith('#')) {
      noise();
      return;
    }
    if (!unknown) {
      const names = splitCsvRow(t).map(headerName);
      const f = STATEMENT_FORMATS.find((x) => x.isHeader(names));
      if (f) {
        format = f;
        report.format = f.id;
        report.detect_confidence = 1;
        reader = f.begin(names, ctx);
        noise();
        return;
      }
    }
    reject(lineNo, offset, NOT_A_ROW, text);
  };

  const splitter = new LineSplitter(
    {
      line(buf, start, end, lineNo, offset) {
        if (reader === null && !unknown && lineNo > HEADER_SEARCH_LINES) {
          unknown = true;
          report.damaged = true;
          report.errors.push(`no Alipay 业务明细 or WeChat bill column header in the first ${HEADER_SEARCH_LINES} lines: not a statement this version reads; its lines are rejected / 无法识别的对账单格式`);
        }
        const d = decodeLine(buf, start, end);
        if (!d.ok) {
          reject(lineNo, offset, d.reason, printableHead(buf, start, end));
          return;
        }
        if (d.encoding === 'gbk') sawGbk = true;
        handle(d.text, lineNo, offset);
      },
      overlong(head, length, lineNo, offset) {
        reject(lineNo, offset, `line too long: ${length} bytes (limit ${opts.maxLineBytes}) / 行过长`, printableHead(head, 0, head.length));
      },
    },
    opts.maxLineBytes,
  );

  const read = await readInput(path, (chunk) => splitter.push(chunk)).catch((e: Error) => {
    report.damaged = true;
    report.errors.push(`read error: ${e.message} / 读取失败`);
    return undefined;
  });
  const stats = splitter.end();
  report.lines_total = stats.lines;
  noteRead(report, read);
  if (reader === null && !unknown) {
    report.damaged = true;
    report.errors.push('no Alipay 业务明细 or WeChat bill column header found: not a statement this version reads / 无法识别的对账单格式');
  }
  if (reader !== null) report.errors.push(...(reader as BillReader).end());
  if (stats.unterminatedLastLine && stats.lines > 0 && format === null) {
    report.errors.push('the last line has no newline: it may have been cut short / 最后一行没有换行符，可能被截断');
  }
  if (report.rejected > 0) report.damaged = true;
  if (sawGbk) report.encoding = 'gbk';
  for (const [r, c] of [...byRule].sort((a, b) => (a[0] < b[0] ? -1 : 1))) report.by_rule[r] = c;
  const f0 = first as Evidence | null;
  const l0 = last as Evidence | null;
  if (f0) report.first_ts = f0.ts;
  if (l0) report.last_ts = l0.ts;
  const fmt = format as BillFormat | null;
  const span: StatementSpan | null =
    fmt && f0 && l0 ? { file: display, format: fmt.id, channel: fmt.channel, fromMs: f0.tsMs, toMs: l0.tsMs, payments, refunds, other } : null;
  return { report, span };
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
