import type { Client } from '@elastic/elasticsearch';
import { KnownTokens } from '../audit/mentions-audit';
import { Correlator } from '../correlate/correlator';
import { emptyBatch, type EvidenceBatch } from '../model/evidence-batch';
import type { FileReport } from '../model/types';
import { UsageError } from '../model/usage-error';
import { correlate } from '../reconstruct/correlate';
import { planDigest } from './stage-plan';
import type { Plan, PlannedFiles } from '../reconstruct/plan';
import type { ReadResult } from '../reconstruct/read';
import type { StepIO } from '../reconstruct/step-io';
import { Laps } from '../reconstruct/step-io';
import { writeOutputs, type Written } from '../reconstruct/write';
import { scoreRecord } from '../score/score';
import { makeClient, type EsTarget } from '../sinks/elasticsearch';
import type { OutputFolder } from '../sinks/output-folder';
import { RejectSpool } from '../sinks/reject-spool';
import { readStatements } from '../sources/statements/read-statement';
import { pushDoc, type EvidenceDoc, type FileDoc, type RejectDoc } from './evidence-docs';
import { checkPlan, missing, readRunDoc, runIndices, type RunDoc } from './run-store';
import { scanSorted } from './scan';

// `reconstruct --stage finish`: what needs the whole run, on one machine. It refuses until the
// run document says every extract shard and every correlate partition is done. Then the
// evidence is read back from the index in the run's own order (file by file in reading order,
// item by item as each file's reader made them) into one correlator, through the same facade
// and with the same statements, checks and writers as a single-process run: the end-of-run
// joins (links, prefixes, creation lines, unlogged callbacks), the clock estimate and the
// run-wide checks (coverage, sequence gaps, balance chains) see exactly what they would see in
// one process, and so do the outputs in --out. What finish does not do again is the reading:
// no log file is opened here (the plan only looks at their names, sizes and first lines).

const FEED_BATCH = 1000;
/** What the correlator is fed of an evidence document (its place in the run is in the sort). */
const EVIDENCE_FIELDS = ['file', 'json', 'order_id', 'links', 'kind', 'ts_ms', 'client', 'amount', 'bad_signature'];

/** Refuses (exit 2) while any shard or partition of the run has not said it is done. */
export function checkAllDone(doc: RunDoc | null, run: string): asserts doc is RunDoc {
  if (!doc) throw new UsageError(`run ${run} has not been started: run --stage extract on every shard first / 运行 ${run} 尚未开始，请先在每个分片上运行抽取阶段`);
  const shards = missing(doc.shards_done, doc.shards);
  const parts = doc.partitions === null ? null : missing(doc.partitions_done, doc.partitions);
  const todo: string[] = [];
  if (shards.length) todo.push(`extract shard(s) ${shards.map((s) => `${s}/${doc.shards}`).join(', ')}`);
  if (parts === null) todo.push('every correlate partition (none has run)');
  else if (parts.length) todo.push(`correlate partition(s) ${parts.map((p) => `${p}/${doc.partitions}`).join(', ')}`);
  if (todo.length) {
    throw new UsageError(`run ${run} is not ready to finish: ${todo.join('; ')} not done yet. Run them (again, if one was stopped), then finish. / 运行 ${run} 尚不能收尾：以下阶段未完成（${todo.join('；')}），请先完成再运行 --stage finish`);
  }
}

/** The refusal, asked before --out is touched: a run not ready to finish leaves the folder as it was. */
export async function refuseUnlessDone(target: EsTarget, prefix: string, run: string): Promise<void> {
  const client = makeClient(target);
  try {
    checkAllDone(await readRunDoc(client, runIndices(prefix, run), run).catch(() => null), run);
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function finishStage(plan: Plan, planned: PlannedFiles, folder: OutputFolder, io: StepIO, o: { run: string; prefix: string; earlierRunFiles: readonly string[] }): Promise<Written> {
  const laps = new Laps();
  const client = makeClient(plan.es!);
  try {
    const ix = runIndices(o.prefix, o.run);
    const doc = await readRunDoc(client, ix, o.run).catch(() => null);
    checkAllDone(doc, o.run);
    checkPlan(doc, planDigest(plan, planned, o.run));
    laps.lap('setup');
    const read = await readBack(client, ix.evidence, plan, planned, folder);
    laps.lap('read_and_rules');
    const correlated = correlate(plan, planned, read);
    laps.lap('correlate');
    return await writeOutputs(plan, planned, read, correlated, folder, io, { earlierRunFiles: o.earlierRunFiles, laps });
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** What the read step of a single-process run hands on, made from the evidence index instead of the logs. */
async function readBack(client: Client, index: string, plan: Plan, planned: PlannedFiles, folder: OutputFolder): Promise<ReadResult> {
  const { args, statementFiles } = plan;
  const { tasks, progress: meter } = planned;
  const known = new KnownTokens();
  const rejectSpool = new RejectSpool(folder.scratch, [...statementFiles.map((f) => f.display), ...tasks.map((t) => t.display)], folder.staged('rejects.ndjson'));
  const correlator = new Correlator(scoreRecord, { spillParent: folder.scratch });
  correlator.expectFiles(tasks.map((t) => ({ file: t.display, startMs: t.startMs ?? null })));
  // The bills are the user's own small files, read here as a single-process run reads them.
  const statements = await readStatements(statementFiles, { tz: args.tz, maxLineBytes: args['max-line-bytes'] }, {
    evidence: (items) => correlator.add(items),
    reject: (r) => rejectSpool.write([r]),
  });

  meter.stage('reading the evidence back from Elasticsearch… / 正在从 Elasticsearch 读回证据…');
  const reports = new Map<number, FileReport>();
  for await (const d of scanSorted<FileDoc>(client, { index, query: { term: { type: 'file' } }, sort: ['file_rank'] })) reports.set(d.file_rank, d.report);
  const missingFiles = tasks.filter((_, k) => !reports.has(k)).map((t) => t.display);
  if (missingFiles.length) throw new UsageError(`the evidence index has no report for ${missingFiles.length} file(s) of the plan (${missingFiles.slice(0, 3).join(', ')}…): run their extract shard again / 证据索引缺少 ${missingFiles.length} 个文件的报告，请重跑对应的抽取分片`);

  await checkCounts(client, index, tasks.map((t, k) => ({ file: t.display, items: reports.get(k)!.evidence_items })));

  for await (const d of scanSorted<RejectDoc>(client, { index, query: { term: { type: 'reject' } }, sort: ['file_rank', 'seq'] })) rejectSpool.write([d.reject]);

  // File by file, in reading order: each file's evidence in the order its reader made it.
  let batch = emptyBatch();
  let file: string | null = null;
  const finished = new Set<string>();
  const fileDone = (f: string) => {
    if (finished.has(f)) return;
    finished.add(f);
    correlator.fileDone(f);
  };
  const flush = () => {
    if (batch.json.length === 0) return;
    noteCardHashes(known, batch);
    correlator.addBatch(batch, file!);
    batch = emptyBatch();
  };
  for await (const d of scanSorted<EvidenceDoc>(client, { index, query: { term: { type: 'evidence' } }, sort: ['file_rank', 'seq'], source: EVIDENCE_FIELDS })) {
    if (d.file !== file) {
      flush();
      if (file !== null) fileDone(file);
      file = d.file;
    }
    pushDoc(batch, d);
    if (batch.json.length >= FEED_BATCH) flush();
  }
  flush();
  for (const t of tasks) fileDone(t.display);
  for (const t of tasks) rejectSpool.fileDone(t.display);
  meter.stop();
  const rejects = await rejectSpool.close();
  const inOrder = tasks.map((_, k) => reports.get(k)!);
  known.addCandidates(inOrder);
  return { reports: inOrder, statements, correlator, known, rejects };
}

function noteCardHashes(known: KnownTokens, b: EvidenceBatch): void {
  for (const links of b.links) if (links !== null) for (const l of links) if (l.startsWith('card:')) known.noteCardHash(l.slice(5));
}

/**
 * Every file's evidence documents, counted by a composite aggregation, against what its report
 * says it gave: documents left over from a shard that read other bytes under the same name (its
 * items have fixed ids, so a shorter file leaves the old tail behind) would otherwise be joined
 * into records unseen.
 */
async function checkCounts(client: Client, index: string, files: { file: string; items: number }[]): Promise<void> {
  const counted = new Map<number, number>();
  let after: Record<string, unknown> | undefined;
  for (;;) {
    const r = await client.search({
      index, size: 0, query: { term: { type: 'evidence' } },
      aggs: { files: { composite: { size: 1000, sources: [{ rank: { terms: { field: 'file_rank' } } }], ...(after ? { after: after as never } : {}) } } },
    });
    const agg = r.aggregations?.files as { buckets: { key: { rank: number }; doc_count: number }[]; after_key?: Record<string, unknown> } | undefined;
    for (const b of agg?.buckets ?? []) counted.set(b.key.rank, b.doc_count);
    if (!agg?.after_key || agg.buckets.length === 0) break;
    after = agg.after_key;
  }
  const off = files.flatMap((f, k) => ((counted.get(k) ?? 0) === f.items ? [] : [`${f.file} (${counted.get(k) ?? 0} indexed, its report says ${f.items})`]));
  const strays = [...counted.keys()].filter((k) => k >= files.length);
  if (off.length || strays.length) {
    throw new UsageError(`the evidence index does not hold what the files' reports say (${[...off.slice(0, 3), ...(strays.length ? [`${strays.length} file(s) not in this plan`] : [])].join('; ')}): a shard read other bytes or other files under these names; start the run again under a new --run / 证据索引与文件报告不符（某个分片读到了不同的内容），请用新的 --run 重新开始`);
  }
}
