// The boundary types of the pipeline, defined once:
//   sources → parsers (LogEvent) → rules (Evidence) → correlator/scorer (Transaction) → sinks.
// Every stage imports from here and nowhere else for these shapes.

import type { EvidenceFields } from './evidence-fields';

/** Where a piece of data came from, precise enough to open the file and find the bytes. */
export interface Provenance {
  /** Input path as given on the command line (or found under a given directory). */
  file: string;
  /** 1-based line number of the first physical line of the entry. */
  line: number;
  /** 1-based line number of the last physical line (equals `line` for single-line entries). */
  lineEnd: number;
  /** Byte offset of the entry's first byte in the decompressed stream. */
  offset: number;
}

/** A parsed log entry. `fields` are format-level fields; `params` are decoded request/context parameters. */
export interface LogEvent extends Provenance {
  /** Parser id, e.g. `nginx-combined`, `laravel`. */
  format: string;
  /** Event time in epoch milliseconds, or NaN when the entry carries none. */
  tsMs: number;
  /** Offset of the source clock in minutes east of UTC, as written or as assumed (`--tz`). */
  tzOffsetMin: number;
  /** Flat string fields. nginx: ip, method, path, query, protocol, status, bytes, referrer, ua, xff.
   *  app logs: level, channel, message. */
  fields: Record<string, string>;
  /** Decoded parameters (query string, form body, JSON context), when the entry has them. */
  params?: Record<string, string>;
  /** Physical lines that make up the entry, when not every line of line..lineEnd does
   *  (a rejected line inside a multi-line entry is counted as rejected, not here). */
  lines?: number;
}

/** What a rule can say a log entry proves. Ordered roughly by lifecycle. */
export const EVIDENCE_KINDS = [
  'order_created',
  'order_viewed',
  /** An application line names the order and some of its fields, but its wording says nothing
   *  certain about what happened (found by shape, rules/shape/vocabulary.yaml). */
  'order_mentioned',
  'payment_started',
  'status_polled',
  'payment_notified',
  'payment_confirmed',
  /** The shop showed the order as paid to the buyer (a status poll answered "success"). */
  'payment_observed',
  'payment_rejected',
  /** A gateway callback reached the shop, but its content was not logged (a POST without its body). */
  'callback_seen',
  'card_delivered',
  'order_failed',
  'order_expired',
  'refunded',
  'balance_changed',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export type SignatureState = 'verified' | 'bad_signature' | 'unverifiable';

export type { EvidenceFields } from './evidence-fields';

export interface Evidence {
  kind: EvidenceKind;
  /** Id of the rule that produced it, e.g. `epay.notify.nginx`. */
  rule: string;
  /** The rule's weight in [0,1]: how much this kind of line, on its own, says about the claim. */
  weight: number;
  /** Parser id of the source line. */
  format: string;
  /** Event time, ISO 8601 with offset, or null if the line carries no time. */
  ts: string | null;
  tsMs: number;
  source: Provenance;
  fields: EvidenceFields;
  /** Result of a gateway signature check, when the evidence is a payment callback. */
  signature?: SignatureState;
  /** Hash of the entry's content and time: the same line copied into two files (duplicated
   *  rotations, copytruncate overlaps) has the same fingerprint and is counted once. */
  fingerprint: string;
}

/** What the order-level checks read of a piece of evidence: a record's evidence can be kept in
 *  this shape, small, from the time its order went quiet to the end of the run. */
export interface CheckedEvidence {
  kind: EvidenceKind;
  signature?: SignatureState;
  /** Of the fields, only card_key_hash, order_pk, statement and gateway_success are read. */
  fields: EvidenceFields;
}

/** The checks' view of one piece of evidence. */
export function checkedView(e: CheckedEvidence): CheckedEvidence {
  const f = e.fields;
  const fields: CheckedEvidence['fields'] = {};
  if (f.card_key_hash !== undefined) fields.card_key_hash = f.card_key_hash;
  if (f.order_pk !== undefined) fields.order_pk = f.order_pk;
  if (f.statement !== undefined) fields.statement = f.statement;
  if (f.gateway_success !== undefined) fields.gateway_success = f.gateway_success;
  return e.signature === undefined ? { kind: e.kind, fields } : { kind: e.kind, signature: e.signature, fields };
}

export const TRANSACTION_STATUSES = [
  'created',
  'pending',
  'paid',
  'delivered',
  'refunded',
  'failed',
  'unknown',
] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** One pointer from a record back to an input line. */
export interface EvidenceRef {
  source: string;
  file: string;
  line: number;
  offset: number;
  rule: string;
  kind: EvidenceKind;
  ts: string | null;
  /** The client's address, when the line carries it (an access log's remote address, an app log's buy_ip). */
  client_ip?: string;
  /** The client's User-Agent, when the line carries it. */
  user_agent?: string;
  /** Bytes of the response body, when the line is an access log line whose rule kept them. */
  response_bytes?: number;
  /** The HTTP status the shop answered with, when the line is an access log line. */
  status_code?: number;
}

/** A value of a record together with every differing value that evidence offered for it. */
export interface FieldConflict {
  field: string;
  values: { value: string | number; rule: string; file: string; line: number }[];
}

/** A candidate transaction record: the contract of transactions.ndjson. */
export interface Transaction {
  order_id: string;
  status: TransactionStatus;
  amount: number | null;
  currency: string | null;
  channel: string | null;
  created_at: string | null;
  paid_at: string | null;
  buyer_email: string | null;
  goods_id: string | null;
  trade_no: string | null;
  /** The buyer's address when the order was made (dujiaoka `buy_ip`, acg-faka `create_ip`), from
   *  the buyer's own requests only (a callback's address is the gateway's). Absent when no line had it. */
  buyer_ip?: string;
  /** The shop's payment-method row (dujiaoka `pays.id`, acg-faka `pay.id`) as a line named it. */
  pay_id?: string;
  /** The delivered card key(s), masked (first and last characters): enough to recognise, not to use. */
  card_key_masked?: string;
  /** The delivered card key(s) in clear: only in a run made with --reveal-card-keys. */
  card_key?: string;
  confidence: number;
  reasons: string[];
  flags: string[];
  conflicts: FieldConflict[];
  /** For each field that has a value: the evidence line it was taken from. */
  provenance: Record<string, { rule: string; file: string; line: number }>;
  evidence: EvidenceRef[];
}

/** Why a line was not used. Each rejected line is written to rejects.ndjson. */
export interface Reject {
  file: string;
  line: number;
  offset: number;
  reason: string;
  /** First 200 bytes of the line, with non-printable bytes escaped as \xHH. */
  head: string;
}

/** Per input file accounting. lines_total = parsed + rejected + copy_lines; parsed = evidence + noise.
 *  A byte-identical copy of an earlier input is not read again: its lines are all `copy_lines`. */
export interface FileReport {
  file: string;
  bytes: number;
  sha256: string;
  format: string | null;
  detect_confidence: number;
  compressed: boolean;
  /** Set when some lines were GBK rather than UTF-8. */
  encoding?: 'gbk';
  lines_total: number;
  /** Set on a byte-identical copy of an earlier input: that input's file name. */
  copy_of?: string;
  /** Lines of a copy, counted once in the file it copies (equal to lines_total for a copy). */
  copy_lines?: number;
  parsed: number;
  rejected: number;
  evidence_lines: number;
  noise: number;
  evidence_items: number;
  /** Evidence lines of `repeat: first` rules that repeated an earlier match for the same order. */
  collapsed_repeats: number;
  damaged: boolean;
  errors: string[];
  first_ts: string | null;
  last_ts: string | null;
  /** Evidence entries per hour, keyed by the hour's start in epoch ms: for the coverage check. */
  per_hour: Record<string, number>;
  /** Evidence lines per rule id: which rules this file fed. */
  by_rule: Record<string, number>;
  /** Candidate tokens of this file's noise lines, for the mentions audit (src/audit/). Sent
   *  from the worker with the report and taken off before report.json is written, where the
   *  audit's result (`mentions_audit`) stands instead. */
  noise_mentions?: NoiseMentions;
}

/** One message template's noise lines that carried candidate tokens (order-number shaped, or
 *  hashes), as a worker tallied them. */
export interface NoiseTemplateTally {
  /** The message (or request) with its values masked as `<*>`. */
  template: string;
  /** Noise lines of this template with candidate tokens, tracked or not. */
  lines: number;
  /** Distinct token sets: [tokens joined by a space, lines, first line, its byte offset]. */
  tuples: [string, number, number, number][];
  /** The first few lines of the template, unmasked (the main thread masks them before showing). */
  samples: { tokens: string; line: number; offset: number; text: string }[];
}

export interface NoiseMentions {
  templates: NoiseTemplateTally[];
  /** Noise lines with candidate tokens read after the file's budget was spent: not tracked, so
   *  the audit's counts are a lower bound when this is above 0. */
  untracked_lines: number;
}

/** The mentions audit of one input file (report.json → mentions_audit). */
export interface MentionsAuditEntry {
  file: string;
  /** Noise lines naming an order number, gateway trade number or card key (or its hash) that
   *  this run recovered as a record or saw delivered. */
  noise_lines_mentioning_known_orders: number;
  /** The file's noise lines, for the share. */
  noise: number;
  /** Past the threshold (see src/audit/mentions-audit.ts ATTENTION_*): the run exits 1. */
  needs_attention: boolean;
  /** Noise lines with candidate tokens that the bounded tally could not follow (0: exact). */
  untracked_lines: number;
  templates: { template: string; count: number; sample_line: { line: number; offset: number; text: string } }[];
}
