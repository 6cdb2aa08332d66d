import { createHash } from 'node:crypto';
import type { EvidenceKind, EvidenceRef, Transaction, TransactionStatus } from '../../model/types';
import { unjoinedReasonKey, type RunReport } from '../report';
import type { Unjoined } from '../../correlate/correlator';
import type { CoverageGap } from '../../checks/coverage';
import { DEFAULT_REVIEW_BELOW, reviewTask, type ReviewPriority } from '../review';

// The three kinds of document, built from a finished run's outputs alone (pure: same outputs,
// same documents). _ids depend only on what a document is about, never on the run, so indexing
// a run again overwrites instead of adding, and the same record has the same _id in every
// run's index (comparing two runs is a join on _id).

/** A record's evidence pointer as read back from transactions.ndjson (older runs may lack the client fields). */
type EvidencePointer = EvidenceRef;

/** Sorts the review queue most urgent first (the priority's words sort alphabetically). */
const PRIORITY_RANK: Record<ReviewPriority, number> = { high: 1, medium: 2, low: 3 };

export interface RunIdentity {
  id: string;
  generatedAt: string;
  /** The run's --review-below, so that the documents name the same tasks as its review.csv. */
  reviewBelow: number;
}

export type Doc = Record<string, unknown>;

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

/** The record's _id: a hash of its order number (the same as the flat index of earlier versions). */
export function transactionId(orderId: string): string {
  return sha1(orderId);
}

/** An evidence item's _id: its record and the exact line and reading of it. */
export function evidenceId(orderId: string, ref: EvidenceRef): string {
  return sha1(['evidence', orderId, ref.file, ref.line, ref.offset, ref.kind, ref.rule].join('\0'));
}

/** An evidence item that joined no order: its line and reading (such lines have no offset in the outputs). */
export function unjoinedId(u: Unjoined): string {
  return sha1(['unjoined', u.file, u.line, u.kind, u.rule].join('\0'));
}

/** A coverage hole: its source and start. */
export function coverageGapId(g: CoverageGap): string {
  return sha1(['gap', g.source, g.from].join('\0'));
}

/**
 * A run's id, used in its index names: when the report was written and a hash of it, so the
 * same out-dir always maps to the same indices (indexing it twice is idempotent) and two runs
 * never share them. Lower case: index names must be.
 */
export function runIdentity(reportText: string): RunIdentity {
  // The time sits in `run`, the part of report.json that differs between runs (older reports kept it at the top).
  const report = JSON.parse(reportText) as { generated_at?: unknown; run?: { generated_at?: unknown }; outputs?: Record<string, { below?: unknown } | undefined> };
  const at = report.run?.generated_at ?? report.generated_at;
  const generatedAt = typeof at === 'string' ? at : '';
  const ms = Date.parse(generatedAt);
  if (!Number.isFinite(ms)) throw new Error('report.json has no generated_at time');
  const stamp = new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'z').toLowerCase();
  const below = report.outputs?.['review.csv']?.below;
  return {
    id: `${stamp}-${createHash('sha256').update(reportText).digest('hex').slice(0, 8)}`,
    generatedAt: new Date(ms).toISOString(),
    reviewBelow: typeof below === 'number' && below >= 0 && below <= 1 ? below : DEFAULT_REVIEW_BELOW,
  };
}

const SUCCESS_STATUSES = new Set<TransactionStatus>(['paid', 'delivered']);
const FAILURE_STATUSES = new Set<TransactionStatus>(['failed', 'refunded']);
const SUCCESS_KINDS = new Set<EvidenceKind>(['order_created', 'payment_notified', 'payment_confirmed', 'payment_observed', 'card_delivered']);
const FAILURE_KINDS = new Set<EvidenceKind>(['payment_rejected', 'order_failed', 'order_expired']);

function outcomeOfStatus(s: TransactionStatus): string {
  return SUCCESS_STATUSES.has(s) ? 'success' : FAILURE_STATUSES.has(s) ? 'failure' : 'unknown';
}
function outcomeOfKind(k: EvidenceKind): string {
  return SUCCESS_KINDS.has(k) ? 'success' : FAILURE_KINDS.has(k) ? 'failure' : 'unknown';
}

const isNginx = (format: string) => format.startsWith('nginx');
const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
/** Only what the ip field type takes: a malformed address would fail the whole document. */
function ipOrNull(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  if (IPV4.test(s)) return s.split('.').every((o) => Number(o) <= 255) ? s : null;
  return /^[0-9a-f:.]+$/i.test(s) && s.includes(':') ? s : null;
}
const isoOrNull = (s: string | null | undefined) => (s && Number.isFinite(Date.parse(s)) ? s : null);

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** The record-level fields every document about a record carries, so one filter works on both indices. */
function recordFields(t: Transaction, run: RunIdentity): Doc {
  return {
    run: { id: run.id },
    record_id: transactionId(t.order_id),
    order: { id: t.order_id },
    status: t.status,
    channel: t.channel,
    amount: t.amount,
    currency: t.currency,
    confidence: t.confidence,
    flags: t.flags,
  };
}

function timestampOf(t: Transaction, run: RunIdentity): { ts: string; from: string } {
  if (isoOrNull(t.paid_at)) return { ts: t.paid_at!, from: 'paid_at' };
  if (isoOrNull(t.created_at)) return { ts: t.created_at!, from: 'created_at' };
  const times = t.evidence.map((e) => e.ts).filter((x): x is string => isoOrNull(x) !== null).sort((a, b) => Date.parse(a) - Date.parse(b));
  if (times.length) return { ts: times[0]!, from: 'evidence' };
  return { ts: run.generatedAt, from: 'run' };
}

export function transactionDocument(t: Transaction, run: RunIdentity): Doc {
  const { ts, from } = timestampOf(t, run);
  const refs = t.evidence as EvidencePointer[];
  const ips = uniq(refs.map((r) => ipOrNull(r.client_ip)).filter((x): x is string => x !== null));
  const times = refs.map((e) => e.ts).filter((x): x is string => isoOrNull(x) !== null).map((x) => Date.parse(x));
  const task = reviewTask(t, run.reviewBelow);
  return {
    '@timestamp': ts,
    event: { kind: 'event', category: ['web'], type: ['info'], action: `order-${t.status}`, outcome: outcomeOfStatus(t.status), dataset: 'salvage.transactions', module: 'salvage' },
    ...(t.buyer_email ? { user: { email: t.buyer_email } } : {}),
    ...(ips.length ? { related: { ip: ips } } : {}),
    log: refs.length ? { file: { path: refs[0]!.file }, offset: refs[0]!.offset } : undefined,
    salvage: {
      ...recordFields(t, run),
      order: { id: t.order_id, goods_id: t.goods_id, created_at: isoOrNull(t.created_at), paid_at: isoOrNull(t.paid_at) },
      payment: { trade_no: t.trade_no },
      reasons: t.reasons,
      conflicts: { count: t.conflicts.length, fields: uniq(t.conflicts.map((c) => c.field)), detail: t.conflicts },
      evidence: {
        count: refs.length,
        kinds: uniq(refs.map((r) => r.kind)),
        rules: uniq(refs.map((r) => r.rule)),
        formats: uniq(refs.map((r) => r.source)),
        files: uniq(refs.map((r) => r.file)),
        first_ts: times.length ? new Date(Math.min(...times)).toISOString() : null,
        last_ts: times.length ? new Date(Math.max(...times)).toISOString() : null,
      },
      // The task review.csv gives the record (absent: it asks nothing), so that Kibana's review
      // queue is the same list as the worklist, not a broader search of its own.
      ...(task ? { review: { task: task.task, priority: task.priority, rank: PRIORITY_RANK[task.priority] } } : {}),
      timestamp_from: from,
      provenance: t.provenance,
      // The record exactly as transactions.ndjson has it (stored, not indexed), so that
      // `salvage export --from es:<alias>` gives back what the run wrote, field for field.
      record: t,
    },
  };
}

/** One document per evidence item of the record, each with its _id; a pointer listed twice is one document. */
export function evidenceDocuments(t: Transaction, run: RunIdentity): { id: string; doc: Doc }[] {
  const fallback = timestampOf(t, run).ts;
  const seen = new Set<string>();
  const out: { id: string; doc: Doc }[] = [];
  (t.evidence as EvidencePointer[]).forEach((ref, seq) => {
    const id = evidenceId(t.order_id, ref);
    if (seen.has(id)) return;
    seen.add(id);
    const ip = ipOrNull(ref.client_ip);
    const bytes = Number.isSafeInteger(ref.response_bytes) ? ref.response_bytes! : null;
    const status = Number.isSafeInteger(ref.status_code) ? ref.status_code! : null;
    const ts = isoOrNull(ref.ts);
    out.push({
      id,
      doc: {
        '@timestamp': ts ?? fallback,
        event: {
          kind: 'event',
          category: ['web'],
          type: [isNginx(ref.source) ? 'access' : 'info'],
          action: ref.kind,
          outcome: outcomeOfKind(ref.kind),
          dataset: 'salvage.evidence',
          module: 'salvage',
        },
        log: { file: { path: ref.file }, offset: ref.offset },
        ...(ip ? { source: { ip }, related: { ip: [ip] } } : {}),
        ...(ref.user_agent ? { user_agent: { original: ref.user_agent } } : {}),
        ...(bytes !== null || status !== null ? { http: { response: { ...(status !== null ? { status_code: status } : {}), ...(bytes !== null ? { body: { bytes } } : {}) } } } : {}),
        salvage: {
          ...recordFields(t, run),
          evidence: { kind: ref.kind, rule: ref.rule, format: ref.source, file: ref.file, line: ref.line, offset: ref.offset, seq, timed: ts !== null, joined: true },
        },
      },
    });
  });
  return out;
}

/** Evidence that joined no order: in the evidence index, so "what did we fail to tie" is one filter away. */
export function unjoinedDocument(u: Unjoined, run: RunIdentity): Doc {
  const ts = isoOrNull(u.ts);
  return {
    '@timestamp': ts ?? run.generatedAt,
    event: { kind: 'event', category: ['web'], type: ['info'], action: u.kind, outcome: 'unknown', dataset: 'salvage.evidence', module: 'salvage' },
    log: { file: { path: u.file } },
    salvage: {
      run: { id: run.id },
      evidence: { kind: u.kind, rule: u.rule, file: u.file, line: u.line, timed: ts !== null, joined: false },
      unjoined: { why: u.why, reason: unjoinedReasonKey(u) },
    },
  };
}

/** A coverage hole (report.json → checks.coverage.gaps): a source silent while the others wrote. */
export function coverageGapDocument(g: CoverageGap, run: RunIdentity): Doc {
  return {
    '@timestamp': isoOrNull(g.from) ?? run.generatedAt,
    event: { kind: 'event', category: ['process'], type: ['info'], action: 'coverage-gap', outcome: 'unknown', dataset: 'salvage.coverage', module: 'salvage' },
    salvage: { run: { id: run.id }, gap: { source: g.source, from: isoOrNull(g.from), to: isoOrNull(g.to), hours: g.hours, others_wrote: g.others_wrote } },
  };
}

export interface RunCounts {
  transactions: number;
  /** Evidence documents: the records' and the unjoined ones. */
  evidence: number;
  unjoined: number;
  coverage: number;
}

/** The run: its report's counts, accounting and settings, searchable; the whole report kept as is. */
export function runDocument(report: RunReport, run: RunIdentity, counts: RunCounts, indexedAt: string): Doc {
  const outputs = { dir: report.run?.out_dir, ...(report.outputs as { card_keys?: string }) };
  return {
    '@timestamp': run.generatedAt,
    event: { kind: 'event', category: ['process'], type: ['end'], action: 'salvage-run', outcome: report.exit_code === 0 || report.exit_code === 1 ? 'success' : 'failure', dataset: 'salvage.runs', module: 'salvage' },
    salvage: {
      run: {
        id: run.id,
        tool_version: report.tool.version,
        generated_at: run.generatedAt,
        indexed_at: indexedAt,
        out_dir: outputs.dir ?? null,
        exit_code: report.exit_code,
        card_keys: outputs.card_keys ?? null,
        accounting: report.accounting,
        totals: report.totals,
        records: { total: report.records.total, by_status: report.records.by_status, by_channel: report.records.by_channel, flagged: report.records.flagged },
        documents: counts,
        unjoined: report.unjoined.count,
        inputs: report.inputs.map((i) => ({ file: i.file, sha256: i.sha256, format: i.format, damaged: i.damaged })),
        settings: report.settings,
        report,
      },
    },
  };
}
