import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FileReport } from '../model/types';
import { EXIT_DAMAGED, EXIT_OK } from '../model/exit-codes';
import { ZoneClock } from '../../parsers/time';
import { asWriteError, type OutputFolder } from '../sinks/output-folder';
import { LineWriter } from '../sinks/line-writer';
import { TransactionsCsv } from '../sinks/csv';
import { RestoreScriptWriter, type RestoreScriptSummary } from '../sinks/sql/restore-writer';
import type { Platform } from '../sinks/sql/orders-table';
import { platformOfRun } from '../sinks/sql/platform-of-run';
import { checkAccounting, RecordStats, runMemory, sumTotals, unjoinedStats, type RunReport } from '../sinks/report';
import { ReviewWriter, type ReviewStats } from '../sinks/review-writer';
import { auditMentions, withoutTally } from '../audit/mentions-audit';
import { readAuditVocabulary } from '../audit/vocabulary';
import { writeReportHtml } from '../sinks/report-html/write-report';
import { pickLang } from '../sinks/report-html/lang';
import { PRIVATE, type Plan, type PlannedFiles } from './plan';
import type { ReadResult } from './read';
import type { Correlated } from './correlate';
import type { Laps, StepIO } from './step-io';
import { MEMORY } from '../settings';

// Step 4 of reconstruct: write. Each record, flagged by the checks, goes to every sink in turn
// (transactions.ndjson, transactions.csv, restore.sql, review.csv); then the evidence that joined
// no order (unjoined.ndjson). report.json is made from what the sinks said they wrote when they
// were closed, report.html is drawn from the staged outputs, and everything is moved into --out
// together (report.json last).

/** Every file this run writes, moved into --out together at the end (report.json last). */
const OUTPUT_FILES = ['rejects.ndjson', 'transactions.ndjson', 'unjoined.ndjson', 'transactions.csv', 'restore.sql', 'review.csv', 'report.html', 'report.json'];

export const VERSION = '0.1.0';

export interface Written {
  report: RunReport;
  checked: Correlated['checked'];
  /** False when report.html could not be drawn (said on stderr; the other outputs stand). */
  reportHtml: boolean;
}

export interface WriteOptions {
  /** Files an earlier run may have left in --out that would be taken for this run's (indexing records). */
  earlierRunFiles: readonly string[];
  laps: Laps;
}

export async function writeOutputs(plan: Plan, planned: PlannedFiles, read: ReadResult, correlated: Correlated, folder: OutputFolder, io: StepIO, o: WriteOptions): Promise<Written> {
  const { args, found, sqlMin, reviewBelow, ruleDirs } = plan;
  const { copies, shown, progress: meter } = planned;
  const { reports, statements, known } = read;
  const { correlation, checked } = correlated;
  const outDir = folder.dir;
  const { unjoined, fuzzyJoins, duplicateCopies } = correlation;
  const zone = new ZoneClock(args.tz);
  const spool = correlation.records;
  const stats = new RecordStats();

  meter.stage(`writing ${correlation.records.count.toLocaleString('en-US')} records… / 正在写出记录…`);
  const nd = new LineWriter(folder.staged('transactions.ndjson'), PRIVATE);
  const csv = new TransactionsCsv(folder.staged('transactions.csv'), PRIVATE);
  // The platform decides the table and its columns: said, or read off which rules found evidence.
  const platform: Platform = (args.platform as Platform | undefined) ?? platformOfRun(reports) ?? 'dujiaoka';
  const sql = new RestoreScriptWriter(folder.staged('restore.sql'), {
    platform, zone, prefix: args['table-prefix'], minConfidence: sqlMin, revealCardKeys: args['reveal-card-keys'],
    generatedAtMs: null, source: "this run's records (salvage reconstruct)",
  });
  // Rows are grouped by priority so the worklist starts where money is at stake.
  const review = new ReviewWriter(folder.staged('review.csv'), reviewBelow);
  for (const [raw, text] of spool.sortedWithText()) {
    const t = checked.flag(raw);
    stats.add(t);
    known.noteRecord(t.order_id, t.trade_no);
    // A record the checks left as it was is written as the text it was spooled as.
    await nd.write(t === raw ? text : JSON.stringify(t));
    await csv.write(t);
    await sql.write(t);
    await review.write(t);
  }
  // Every evidence item that joined no order, with why (report.json keeps counts and a sample):
  // what `salvage index` turns into unjoined evidence documents.
  const unjoinedOut = new LineWriter(folder.staged('unjoined.ndjson'), PRIVATE);
  for (const u of unjoined) await unjoinedOut.write(JSON.stringify(u));
  const [ndStats, csvStats, sqlStats, reviewStats, unjoinedOutStats] = await Promise.all([nd.close(), csv.close(), sql.close(), review.close(), unjoinedOut.close()]);

  spool.dispose();
  known.resolveCardKeys();
  // Card-key values are masked in the audit's samples.
  const cardKeys = readAuditVocabulary().fields.card_key ?? [];
  const mentionsAudit = auditMentions(reports, known, cardKeys);
  const attention = mentionsAudit.some((a) => a.needs_attention);
  const inputs = [...statements.reports, ...reports.map(withoutTally)];
  for (const [f, c] of copies) {
    const first = inputs.find((r) => r.file === shown(c.of));
    if (first) inputs.push(copyReport(first, shown(f)));
  }
  const accountingProblems = checkAccounting(inputs, read.rejects.lines);
  const damaged = found.problems.length > 0 || inputs.some((r) => r.damaged);
  // Exit 1 is "finished, needs attention": damaged input, or logs naming recovered orders in
  // lines no rule read (the mentions audit past its threshold).
  const exitCode = damaged || accountingProblems.length > 0 || attention ? EXIT_DAMAGED : EXIT_OK;
  const report: RunReport = {
    tool: { name: 'salvage', version: VERSION },
    settings: { tz: args.tz, rule_dirs: ruleDirs, keys_given: args.keys !== undefined, max_line_bytes: args['max-line-bytes'] },
    inputs,
    input_problems: found.problems,
    ...(found.skipped.length ? { input_skipped: found.skipped } : {}),
    totals: sumTotals(inputs),
    accounting: { ok: accountingProblems.length === 0, problems: accountingProblems },
    records: stats.result(),
    unjoined: unjoinedStats(unjoined),
    mentions_audit: mentionsAudit,
    fuzzy_joins: fuzzyJoins,
    duplicate_evidence_copies: duplicateCopies,
    checks: checked.report,
    outputs: outputsSection(args['reveal-card-keys'], {
      nd: ndStats, csv: csvStats, sql: sqlStats, rejects: read.rejects, unjoined: unjoinedOutStats, review: reviewStats,
    }),
    exit_code: exitCode,
    run: { generated_at: new Date().toISOString(), out_dir: outDir, workers: args.workers, correlation_state: correlation.state, ...(read.resumed ? { checkpoint: read.resumed } : {}), memory: runMemory(MEMORY.rssBudgetMb) },
  };
  const extra = { ...(checked.statement ? { statement: checked.statement } : {}), ...(checked.baseline ? { baseline: checked.baseline } : {}) };
  o.laps.lap('write_outputs');
  const { run, ...rest } = report;
  // `run` last: what may differ between runs of the same inputs is kept apart, at the end.
  writeNew(folder.staged('report.json'), JSON.stringify({ ...rest, ...extra, run: { ...run, timings_ms: o.laps.phase } }, null, 2) + '\n');
  // An earlier run's indexing record would be taken for this run's.
  for (const f of o.earlierRunFiles) rmSync(join(outDir, f), { force: true });
  // report.html is read back from the staged outputs, so it shows exactly what is committed.
  let outputs = OUTPUT_FILES;
  try {
    await writeReportHtml(folder.staging, folder.staged('report.html'), { lang: pickLang((args as { lang?: string }).lang, io.env), outDir });
  } catch (e) {
    const w = asWriteError(e, folder.staged('report.html'));
    if (w !== e) throw w;
    // A page that cannot be drawn must not cost the run its records: said, and left out.
    io.stderr.write(`salvage: warning: report.html was not written (${(e as Error).message}); rebuild it with \`salvage report ${args.out}\` / 未能生成 report.html\n`);
    outputs = OUTPUT_FILES.filter((n) => n !== 'report.html');
  }
  folder.commit(outputs);
  return { report, checked, reportHtml: outputs.includes('report.html') };
}

/** report.json → outputs: what each sink said, on closing, that it wrote. */
function outputsSection(
  revealCardKeys: boolean,
  s: { nd: { lines: number }; csv: { rows: number }; sql: RestoreScriptSummary; rejects: { lines: number }; unjoined: { lines: number }; review: ReviewStats },
): Record<string, unknown> {
  return {
    'transactions.ndjson': s.nd.lines,
    'transactions.csv': s.csv.rows,
    'restore.sql': s.sql,
    'rejects.ndjson': s.rejects.lines,
    'unjoined.ndjson': s.unjoined.lines,
    'review.csv': s.review,
    mode: '0600',
    card_keys: revealCardKeys ? 'revealed' : 'masked',
  };
}

function writeNew(path: string, text: string): void {
  const fd = openSync(path, 'wx', PRIVATE);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** A copy's report: same bytes and lines as the file it copies, none of them read again. */
function copyReport(first: FileReport, file: string): FileReport {
  return {
    file, bytes: first.bytes, sha256: first.sha256, format: first.format, detect_confidence: first.detect_confidence, compressed: first.compressed,
    lines_total: first.lines_total, copy_of: first.file, copy_lines: first.lines_total,
    parsed: 0, rejected: 0, evidence_lines: 0, noise: 0, evidence_items: 0, collapsed_repeats: 0,
    damaged: false, errors: [], first_ts: first.first_ts, last_ts: first.last_ts, per_hour: {}, by_rule: {},
  };
}
