import type { SkipKind } from '../sources/discover';
import type { FileReport, MentionsAuditEntry, Transaction } from '../model/types';
import type { CorrelationState, Unjoined } from '../correlate/correlator';
import type { ChecksReport } from '../checks/run-checks';
import type { ResumeSummary } from '../pipeline/resume';

// report.json: what was read (with sizes and hashes), how every line was accounted for, what
// came out, and what went wrong. The accounting identities are checked here and the result is
// part of the report, so a broken count is visible rather than silently wrong.

export interface Totals {
  files: number;
  bytes: number;
  lines_total: number;
  parsed: number;
  rejected: number;
  evidence_lines: number;
  noise: number;
  evidence_items: number;
}

/**
 * What may differ between two runs of the same inputs and options: when, where, with how many
 * workers, and what the worker count does to the correlator's memory bookkeeping. Everything
 * else in report.json (and every other output, byte for byte) depends only on the inputs, the
 * options other than --workers and --out, and the folder the command is run from.
 */
export interface RunDetails {
  generated_at: string;
  /** The --out folder, as an absolute path. */
  out_dir: string;
  workers: number;
  /** How the correlator kept its open state small (orders finished when quiet, late evidence,
   *  rebuilds, evidence that passed through disk): it depends on how the readers interleaved. */
  correlation_state: CorrelationState;
  timings_ms?: Record<string, number>;
  /** With --checkpoint: files fed from the checkpoint (not read again) and files read. */
  checkpoint?: ResumeSummary;
  /** The process's peak resident memory so far (worker threads included), against the budget. */
  memory?: RunMemory;
}

export interface RunMemory {
  peak_rss_mb: number;
  budget_mb: number;
  within_budget: boolean;
}

/** Peak RSS of this process so far: `maxRSS` is in kilobytes and covers every thread. */
export function runMemory(budgetMb: number, maxRssKb: number = process.resourceUsage().maxRSS): RunMemory {
  const peak = Math.round(maxRssKb / 1024);
  return { peak_rss_mb: peak, budget_mb: budgetMb, within_budget: peak <= budgetMb };
}

export interface RunReport {
  tool: { name: 'salvage'; version: string };
  settings: { tz: string; rule_dirs: string[]; keys_given: boolean; max_line_bytes: number };
  inputs: FileReport[];
  input_problems: { input: string; message: string }[];
  /** Found but deliberately not read (salvage output folders), with the reason. */
  input_skipped?: { path: string; reason: string; kind?: SkipKind }[];
  totals: Totals;
  accounting: { ok: boolean; problems: string[] };
  records: {
    total: number;
    by_status: Record<string, number>;
    by_channel: Record<string, number>;
    by_confidence: Record<string, number>;
    flagged: Record<string, number>;
  };
  unjoined: { count: number; by_reason: Record<string, number>; sample: Unjoined[] };
  /** Per file, noise lines that name orders this run recovered (src/audit/mentions-audit.ts);
   *  only files with such lines are listed. */
  mentions_audit: MentionsAuditEntry[];
  fuzzy_joins: number;
  duplicate_evidence_copies: number;
  checks: ChecksReport;
  outputs: Record<string, unknown>;
  exit_code: number;
  /** The only part that may differ between runs of the same inputs: see RunDetails. */
  run: RunDetails;
}

export function sumTotals(files: FileReport[]): Totals {
  const t: Totals = { files: files.length, bytes: 0, lines_total: 0, parsed: 0, rejected: 0, evidence_lines: 0, noise: 0, evidence_items: 0 };
  for (const f of files) {
    t.bytes += f.bytes;
    t.lines_total += f.lines_total - (f.copy_lines ?? 0);
    t.parsed += f.parsed;
    t.rejected += f.rejected;
    t.evidence_lines += f.evidence_lines;
    t.noise += f.noise;
    t.evidence_items += f.evidence_items;
  }
  return t;
}

/** The identities every file must satisfy. Returns one message per violation. */
export function checkAccounting(files: FileReport[], rejectsWritten: number): string[] {
  const problems: string[] = [];
  let rejected = 0;
  for (const f of files) {
    rejected += f.rejected;
    if (f.lines_total !== f.parsed + f.rejected + (f.copy_lines ?? 0)) problems.push(`${f.file}: lines_total ${f.lines_total} ≠ parsed ${f.parsed} + rejected ${f.rejected}${f.copy_lines ? ` + copy ${f.copy_lines}` : ''}`);
    if (f.parsed !== f.evidence_lines + f.noise) problems.push(`${f.file}: parsed ${f.parsed} ≠ evidence ${f.evidence_lines} + noise ${f.noise}`);
  }
  if (rejected !== rejectsWritten) problems.push(`rejects.ndjson holds ${rejectsWritten} lines but files report ${rejected} rejected`);
  return problems;
}

const CONF_BINS: [string, number][] = [['>=0.99', 0.99], ['0.9-0.99', 0.9], ['0.8-0.9', 0.8], ['0.5-0.8', 0.5], ['<0.5', -1]];

/** Counts records as they stream past, for the report. */
export class RecordStats {
  private readonly r: RunReport['records'] = { total: 0, by_status: {}, by_channel: {}, by_confidence: Object.fromEntries(CONF_BINS.map(([k]) => [k, 0])), flagged: {} };

  add(t: Transaction): void {
    const r = this.r;
    r.total++;
    r.by_status[t.status] = (r.by_status[t.status] ?? 0) + 1;
    const ch = t.channel ?? 'unknown';
    r.by_channel[ch] = (r.by_channel[ch] ?? 0) + 1;
    const bin = CONF_BINS.find(([, lo]) => t.confidence >= lo)![0];
    r.by_confidence[bin]!++;
    for (const f of t.flags) r.flagged[f] = (r.flagged[f] ?? 0) + 1;
  }

  result(): RunReport['records'] {
    return this.r;
  }
}

/** The reason an unjoined item is counted under: numbers masked, so alike lines group. */
export function unjoinedReasonKey(u: Pick<Unjoined, 'rule' | 'why'>): string {
  return `${u.rule}: ${u.why.replace(/\d+/g, 'N')}`;
}

export function unjoinedStats(u: Unjoined[]): RunReport['unjoined'] {
  const by_reason: Record<string, number> = {};
  for (const x of u) {
    const key = unjoinedReasonKey(x);
    by_reason[key] = (by_reason[key] ?? 0) + 1;
  }
  return { count: u.length, by_reason, sample: u.slice(0, 200) };
}
