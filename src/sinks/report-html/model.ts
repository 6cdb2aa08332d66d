import type { RunReport } from '../report';
import type { EvidenceRef, Transaction } from '../../model/types';
import type { CalibrationBin } from '../../evaluate/types';
import { FORGERY_SIGNALS } from '../../evaluate/read-recovered';
import { bucketHours, bucketOf, bucketStarts, binIndex, HOUR_MS } from './scales';
import { maskContacts } from './escape';
import { sourceId } from '../../sources/source-id';
import { sourceLabel } from '../human-source';

// What report.html shows, built from a finished run's outputs as they stream past: report.json
// (read whole: it is small), then each record of transactions.ndjson, each line of
// rejects.ndjson and the first rows of review.csv. Nothing here reads a file; the caller
// (write-report.ts) feeds it. Tables keep their top rows and totals, so the page stays small
// however large the run; the full data stays in the NDJSON and CSV beside it.

export type Lang = 'en' | 'zh';

/** Rows kept per table. */
export const LIMITS = { files: 60, rejectReasons: 15, findingsPerKind: 60, review: 40, mentions: 10, templates: 3, buckets: 240 } as const;
/** Confidence histogram: 20 bins of 0.05 over [0, 1]. */
export const CONFIDENCE_BINS = 20;
/** Statuses that claim the shop was paid (the money the run recovered). */
const PAID = new Set(['paid', 'delivered', 'refunded']);
/** Flags that describe a record without being a finding (see src/sinks/review.ts). */
const INFORMATIONAL = new Set(['expired', 'in_baseline', 'explains_balance_break?']);
const FORGERY = new Set<string>(FORGERY_SIGNALS);
/** Evidence kinds that show a payment claim, looked for first when a finding links evidence. */
const PAYMENT_KINDS = new Set(['payment_notified', 'payment_rejected', 'callback_seen', 'payment_confirmed', 'payment_observed']);

export interface FileRow {
  file: string;
  format: string | null;
  lines: number;
  parsed: number;
  evidence: number;
  noise: number;
  rejected: number;
  damaged: boolean;
  errors: string[];
  copy_of: string | null;
}

export interface EvidenceLink { file: string; line: number; offset: number | null; kind: string }

export type FindingCategory = 'forged' | 'conflict' | 'paid_not_delivered' | 'sequence_gap' | 'balance_break' | 'other';

export interface FindingRow {
  category: FindingCategory;
  /** The flag or check that raised it (`bad_signature`, `amount_mismatch`, …). */
  kind: string;
  order_id: string | null;
  status: string | null;
  confidence: number | null;
  amount: number | null;
  detail: string;
  evidence: EvidenceLink[];
}

export interface ReviewRow { priority: string; order_id: string; status: string; confidence: string; amount: string; why: string; missing: string; contact: string }

export interface ReportModel {
  lang: Lang;
  generated_at: string;
  version: string;
  tz: string;
  card_keys: string;
  exit_code: number;
  out_dir: string;
  summary: {
    records: number;
    by_status: [string, number][];
    by_channel: [string, number][];
    paid_records: number;
    /** Per currency: the sum of amounts of records claiming payment, and of those at ≥ 0.9. */
    amounts: { currency: string; total: number; confident: number }[];
    restore_ready: number;
    restore_sql: { inserts: number; min_confidence: number } | null;
    review: { rows: number; high: number; medium: number; low: number };
    damaged_files: number;
    input_problems: string[];
    accounting_ok: boolean;
    accounting_problems: string[];
    mentions_attention: number;
  };
  files: { rows: FileRow[]; total: number; totals: { lines: number; parsed: number; evidence: number; noise: number; rejected: number; bytes: number } };
  rejects: { reasons: [string, number][]; kinds: number; total: number };
  mentions: { file: string; lines: number; noise: number; needs_attention: boolean; untracked: number; templates: { template: string; count: number }[] }[];
  coverage: {
    bucket_ms: number;
    starts: number[];
    lanes: { source: string; counts: number[]; total: number }[];
    gaps: { source: string; label: string; from_ms: number; to_ms: number; from: string; to: string; hours: number; others_wrote: number }[];
    clocks: { source: string; label: string; reference: string; reference_label: string; offset_s: number; pairs: number; corrected: boolean }[];
  };
  orders: { bucket_ms: number; starts: number[]; channels: string[]; counts: number[][]; amounts: number[][]; undated: number; total: number };
  confidence: number[];
  calibration: CalibrationBin[] | null;
  findings: { counts: [string, number][]; rows: FindingRow[]; total: number };
  review: { rows: ReviewRow[]; total: number };
}

interface OrderCell { n: number; amount: number }

/**
 * Collects the report's figures from a run's outputs. Feed `record` with every record of
 * transactions.ndjson, `reject` with every rejects.ndjson line, `reviewRow` with review.csv rows
 * in file order, then call `build`.
 */
export class ReportBuilder {
  private readonly confidence = new Array<number>(CONFIDENCE_BINS).fill(0);
  private readonly orders = new Map<number, Map<string, OrderCell>>();
  private readonly channels = new Map<string, number>();
  private undated = 0;
  private paidRecords = 0;
  private restoreReady = 0;
  private readonly amounts = new Map<string, { total: number; confident: number }>();
  private readonly rejectReasons = new Map<string, number>();
  private rejectTotal = 0;
  private readonly findingCounts = new Map<string, number>();
  private readonly findingRows = new Map<string, FindingRow[]>();
  private readonly review: ReviewRow[] = [];
  private readonly details = new Map<string, string>();

  constructor(private readonly report: RunReport) {
    // The checks' wording for an order's finding, shown beside the record.
    for (const f of report.checks?.relations?.findings ?? []) for (const id of f.order_ids) this.details.set(`${f.check}\u0000${id}`, f.detail);
  }

  record(t: Transaction): void {
    const c = binIndex(t.confidence, CONFIDENCE_BINS, 0, 1);
    if (c >= 0) this.confidence[c]!++;
    if (t.confidence >= 0.9) this.restoreReady++;
    if (PAID.has(t.status)) this.addPaid(t);
    const kinds = t.flags.filter((f) => !INFORMATIONAL.has(f));
    if (t.conflicts.length > 0 && !kinds.includes('conflict')) kinds.push('conflict');
    for (const kind of kinds) this.addFinding(t, kind);
  }

  reject(r: { reason?: unknown }): void {
    this.rejectTotal++;
    // Numbers vary from line to line (lengths, offsets): one reason, counted once. Digits that
    // belong to a name (UTF-8, GB2312) are kept.
    const reason = String(r.reason ?? '?').replace(/(?<![A-Za-z-])\d+/g, 'N').slice(0, 200);
    this.rejectReasons.set(reason, (this.rejectReasons.get(reason) ?? 0) + 1);
  }

  /** False once enough rows are kept: the caller may stop reading review.csv. */
  reviewRow(row: Record<string, string>): boolean {
    if (this.review.length >= LIMITS.review) return false;
    const get = (k: string) => row[k] ?? '';
    this.review.push({
      priority: get('priority'), order_id: get('order_id'), status: get('status'), confidence: get('confidence'), amount: get('amount'),
      why: maskContacts(get('why')), missing: get('missing'), contact: maskContacts(get('contact')),
    });
    return this.review.length < LIMITS.review;
  }

  private addPaid(t: Transaction): void {
    this.paidRecords++;
    const cur = t.currency ?? 'CNY';
    const a = this.amounts.get(cur) ?? { total: 0, confident: 0 };
    if (t.amount !== null) {
      a.total += t.amount;
      if (t.confidence >= 0.9) a.confident += t.amount;
    }
    this.amounts.set(cur, a);
    const ch = t.channel ?? 'unknown';
    this.channels.set(ch, (this.channels.get(ch) ?? 0) + 1);
    const ms = Date.parse(t.paid_at ?? t.created_at ?? '');
    if (!Number.isFinite(ms)) {
      this.undated++;
      return;
    }
    const hour = Math.floor(ms / HOUR_MS) * HOUR_MS;
    let row = this.orders.get(hour);
    if (!row) this.orders.set(hour, (row = new Map()));
    const cell = row.get(ch) ?? { n: 0, amount: 0 };
    cell.n++;
    cell.amount += t.amount ?? 0;
    row.set(ch, cell);
  }

  private addFinding(t: Transaction, kind: string): void {
    this.findingCounts.set(kind, (this.findingCounts.get(kind) ?? 0) + 1);
    let rows = this.findingRows.get(kind);
    if (!rows) this.findingRows.set(kind, (rows = []));
    if (rows.length >= LIMITS.findingsPerKind) return;
    const category: FindingCategory = FORGERY.has(kind) ? 'forged' : kind === 'conflict' ? 'conflict' : kind === 'paid_not_delivered' ? 'paid_not_delivered' : 'other';
    const detail = kind === 'conflict'
      ? t.conflicts.map((c) => `${c.field}: ${c.values.map((v) => `${v.value} (${v.file}:${v.line})`).join(' ≠ ')}`).join('; ')
      : this.details.get(`${kind}\u0000${t.order_id}`) ?? t.reasons.find((r) => r.includes(kind)) ?? '';
    rows.push({
      category, kind, order_id: t.order_id, status: t.status, confidence: t.confidence, amount: t.amount,
      detail: maskContacts(detail), evidence: pickEvidence(t.evidence, category),
    });
  }

  build(opts: { lang: Lang; outDir: string; calibration?: CalibrationBin[] | null; formatTime: (ms: number) => string }): ReportModel {
    const r = this.report;
    const inputs = r.inputs ?? [];
    const outputs = (r.outputs ?? {}) as Record<string, unknown>;
    const review = (outputs['review.csv'] ?? {}) as Partial<Record<'rows' | 'high' | 'medium' | 'low', number>>;
    const sql = outputs['restore.sql'] as { inserts?: number; min_confidence?: number } | undefined;
    const files = inputs
      .map((f): FileRow => ({
        file: f.file, format: f.format, lines: f.lines_total, parsed: f.parsed, evidence: f.evidence_lines, noise: f.noise, rejected: f.rejected,
        damaged: f.damaged, errors: f.errors.slice(0, 3), copy_of: f.copy_of ?? null,
      }))
      // Damaged files first, then the largest: the top of the table is what needs a look.
      .sort((a, b) => Number(b.damaged) - Number(a.damaged) || b.lines - a.lines || (a.file < b.file ? -1 : 1));
    const totals = r.totals ?? { lines_total: 0, parsed: 0, evidence_lines: 0, noise: 0, rejected: 0, bytes: 0 };
    const byCount = (m: Map<string, number> | Record<string, number>): [string, number][] =>
      [...(m instanceof Map ? m : Object.entries(m))].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

    return {
      lang: opts.lang,
      generated_at: r.run?.generated_at ?? '',
      version: r.tool?.version ?? '',
      tz: r.settings?.tz ?? '',
      card_keys: String(outputs.card_keys ?? 'masked'),
      exit_code: r.exit_code,
      out_dir: opts.outDir,
      summary: {
        records: r.records?.total ?? 0,
        by_status: byCount(r.records?.by_status ?? {}),
        by_channel: byCount(r.records?.by_channel ?? {}),
        paid_records: this.paidRecords,
        amounts: [...this.amounts].map(([currency, a]) => ({ currency, total: round2(a.total), confident: round2(a.confident) })),
        restore_ready: this.restoreReady,
        restore_sql: sql && typeof sql.inserts === 'number' ? { inserts: sql.inserts, min_confidence: sql.min_confidence ?? 0 } : null,
        review: { rows: review.rows ?? 0, high: review.high ?? 0, medium: review.medium ?? 0, low: review.low ?? 0 },
        damaged_files: inputs.filter((f) => f.damaged).length,
        input_problems: (r.input_problems ?? []).map((p) => p.message).slice(0, 10),
        accounting_ok: r.accounting?.ok ?? true,
        accounting_problems: (r.accounting?.problems ?? []).slice(0, 10),
        mentions_attention: (r.mentions_audit ?? []).filter((m) => m.needs_attention).length,
      },
      files: {
        rows: files.slice(0, LIMITS.files),
        total: files.length,
        totals: { lines: totals.lines_total, parsed: totals.parsed, evidence: totals.evidence_lines, noise: totals.noise, rejected: totals.rejected, bytes: totals.bytes },
      },
      rejects: { reasons: byCount(this.rejectReasons).slice(0, LIMITS.rejectReasons), kinds: this.rejectReasons.size, total: this.rejectTotal },
      mentions: (r.mentions_audit ?? [])
        .slice()
        .sort((a, b) => b.noise_lines_mentioning_known_orders - a.noise_lines_mentioning_known_orders)
        .slice(0, LIMITS.mentions)
        .map((m) => ({
          file: m.file, lines: m.noise_lines_mentioning_known_orders, noise: m.noise, needs_attention: m.needs_attention, untracked: m.untracked_lines,
          templates: m.templates.slice(0, LIMITS.templates).map((t) => ({ template: maskContacts(t.template), count: t.count })),
        })),
      coverage: coverageOf(r, opts.formatTime),
      orders: this.ordersOf(),
      confidence: this.confidence.slice(),
      calibration: opts.calibration ?? null,
      findings: this.findingsOf(r),
      review: { rows: this.review, total: review.rows ?? this.review.length },
    };
  }

  private ordersOf(): ReportModel['orders'] {
    const channels = [...this.channels].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c);
    const hours = [...this.orders.keys()];
    const total = this.paidRecords;
    if (hours.length === 0) return { bucket_ms: HOUR_MS, starts: [], channels, counts: channels.map(() => []), amounts: channels.map(() => []), undated: this.undated, total };
    const first = Math.min(...hours);
    const last = Math.max(...hours);
    const bucketMs = bucketHours(first, last, LIMITS.buckets) * HOUR_MS;
    const starts = bucketStarts(first, last, bucketMs);
    const counts = channels.map(() => new Array<number>(starts.length).fill(0));
    const amounts = channels.map(() => new Array<number>(starts.length).fill(0));
    for (const [hour, row] of this.orders) {
      const b = bucketOf(hour, starts[0]!, bucketMs);
      for (const [ch, cell] of row) {
        const i = channels.indexOf(ch);
        counts[i]![b]! += cell.n;
        amounts[i]![b]! += cell.amount;
      }
    }
    return { bucket_ms: bucketMs, starts, channels, counts, amounts: amounts.map((a) => a.map(round2)), undated: this.undated, total };
  }

  private findingsOf(r: RunReport): ReportModel['findings'] {
    const rows: FindingRow[] = [];
    const counts = new Map(this.findingCounts);
    const order: FindingCategory[] = ['forged', 'conflict', 'paid_not_delivered', 'other'];
    const kinds = [...this.findingRows.keys()].sort((a, b) => order.indexOf(categoryOf(a)) - order.indexOf(categoryOf(b)) || (a < b ? -1 : 1));
    for (const k of kinds) rows.push(...this.findingRows.get(k)!);
    const seq = r.checks?.sequence;
    if (seq && seq.missing_count > 0) {
      counts.set('sequence_gap', seq.missing.length);
      for (const [lo, hi] of seq.missing.slice(0, LIMITS.findingsPerKind)) {
        rows.push({ category: 'sequence_gap', kind: 'sequence_gap', order_id: null, status: null, confidence: null, amount: null, detail: `${seq.basis ?? ''} ${lo === hi ? lo : `${lo}–${hi}`} (${hi - lo + 1})`, evidence: [] });
      }
    }
    const breaks = r.checks?.balances?.breaks ?? [];
    if (breaks.length > 0) {
      counts.set('balance_break', breaks.length);
      for (const b of breaks.slice(0, LIMITS.findingsPerKind)) {
        const cands = b.candidates.slice(0, 5).map((c) => c.order_id).join(', ');
        rows.push({
          category: 'balance_break', kind: 'balance_break', order_id: b.candidates[0]?.order_id ?? null, status: null, confidence: null, amount: b.missing_amount,
          detail: `merchant ${b.merchant_id}: expected ${b.expected_before}, found ${b.found_before}${cands ? `; candidates ${cands}` : ''}`,
          evidence: [{ file: b.at.file, line: b.at.line, offset: null, kind: 'balance_changed' }],
        });
      }
    }
    return { counts: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)), rows, total: [...counts.values()].reduce((a, b) => a + b, 0) };
  }
}

function categoryOf(kind: string): FindingCategory {
  return FORGERY.has(kind) ? 'forged' : kind === 'conflict' ? 'conflict' : kind === 'paid_not_delivered' ? 'paid_not_delivered' : 'other';
}

/** Up to three evidence lines, payment claims first when the finding is about a payment. */
export function pickEvidence(refs: readonly EvidenceRef[], category: FindingCategory): EvidenceLink[] {
  const wanted = category === 'forged' || category === 'paid_not_delivered';
  const sorted = wanted ? [...refs.filter((e) => PAYMENT_KINDS.has(e.kind)), ...refs.filter((e) => !PAYMENT_KINDS.has(e.kind))] : refs;
  return sorted.slice(0, 3).map((e) => ({ file: e.file, line: e.line, offset: Number.isFinite(e.offset) ? e.offset : null, kind: e.kind }));
}

/** Lines per bucket for each source (format and folder, so each host is a lane), with its holes. */
function coverageOf(r: RunReport, formatTime: (ms: number) => string): ReportModel['coverage'] {
  const perSource = new Map<string, Map<number, number>>();
  let first = Infinity;
  let last = -Infinity;
  for (const f of r.inputs ?? []) {
    if (!f.format || f.copy_of) continue;
    const key = sourceKey(f.format, f.file);
    let m = perSource.get(key);
    if (!m) perSource.set(key, (m = new Map()));
    for (const [h, c] of Object.entries(f.per_hour ?? {})) {
      const hour = Number(h);
      if (!Number.isFinite(hour)) continue;
      m.set(hour, (m.get(hour) ?? 0) + c);
      first = Math.min(first, hour);
      last = Math.max(last, hour);
    }
  }
  const gaps = (r.checks?.coverage?.gaps ?? []).map((g) => {
    const from = Date.parse(g.from);
    const to = Date.parse(g.to);
    // "web2 (shop.access.log)", as the terminal summary names it: a person does not read source keys.
    return { source: g.source, label: sourceLabel(g.source, r.inputs ?? [], g.from), from_ms: from, to_ms: to, from: formatTime(from), to: formatTime(to), hours: g.hours, others_wrote: g.others_wrote };
  });
  const clocks = (r.checks?.clocks ?? []).map((c) => ({
    source: c.source, label: sourceLabel(c.source, r.inputs ?? []), reference: c.reference, reference_label: sourceLabel(c.reference, r.inputs ?? []),
    offset_s: c.median_offset_s, pairs: c.pairs, corrected: c.corrected,
  }));
  if (!Number.isFinite(first)) return { bucket_ms: HOUR_MS, starts: [], lanes: [], gaps, clocks };
  const bucketMs = bucketHours(first, last, LIMITS.buckets) * HOUR_MS;
  const starts = bucketStarts(first, last, bucketMs);
  const lanes = [...perSource].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([source, m]) => {
    const counts = new Array<number>(starts.length).fill(0);
    let total = 0;
    for (const [h, c] of m) {
      counts[bucketOf(h, starts[0]!, bucketMs)]! += c;
      total += c;
    }
    return { source, counts, total };
  });
  return { bucket_ms: bucketMs, starts, lanes, gaps, clocks };
}

/** Same grouping as the coverage check (src/sources/source-id.ts), so lanes and holes line up. */
function sourceKey(format: string, file: string): string {
  return sourceId(format, file);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
