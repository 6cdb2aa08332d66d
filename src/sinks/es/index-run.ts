import { errors } from '@elastic/elasticsearch';
import { createReadStream, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Transaction } from '../../model/types';
import type { RunReport } from '../report';
import { LineWriter } from '../line-writer';
import { EsConnectionError, describeConnectionError, makeClient, refusedCredentials, type EsTarget } from '../elasticsearch';
import { bulkIndex, DEFAULT_BULK, NodeUnavailableError, type BulkOptions, type BulkOp, type BulkStats } from './bulk-writer';
import { coverageGapDocument, coverageGapId, evidenceDocuments, runDocument, runIdentity, transactionDocument, transactionId, unjoinedDocument, unjoinedId } from './documents';
import type { Unjoined } from '../../correlate/correlator';
import { DOC_KINDS, aliasName, type DocKind } from './mapping';
import { applyTemplates, createRunIndices, currentRunId, moveAliases } from './run-indices';

// Indexes a finished run from its out-dir (report.json and transactions.ndjson), without the
// logs: `salvage index` and `reconstruct --es` both end here. The aliases move only when every
// document is in and the counts the node returns are exactly the ones expected.

export const DEAD_LETTER_FILE = 'es-dead-letter.ndjson';

export interface IndexRunResult {
  run_id: string;
  indices: Record<DocKind, string>;
  /** Documents the outputs call for (distinct _ids). */
  expected: { transactions: number; evidence: number; runs: number };
  /** What the node counts in the run's indices afterwards. */
  counted: { transactions: number; evidence: number; runs: number };
  bulk: BulkStats;
  /** Where documents that failed for good were written, with the reason (null: none failed). */
  dead_letter: string | null;
  aliases_moved: boolean;
  /** The run the aliases pointed at before (null: none). */
  previous_run: string | null;
  /** Set when the node went away mid-run: indexing the out-dir again finishes the job. */
  error?: string;
}

export interface IndexRunOptions {
  prefix: string;
  deadLetterPath?: string;
  bulk?: Partial<Omit<BulkOptions, 'deadLetter'>>;
  onProgress?: (s: BulkStats) => void;
}

async function* readNdjson<T>(path: string): AsyncGenerator<T> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim() !== '') yield JSON.parse(line) as T;
}

/** Written by reconstruct beside transactions.ndjson; runs from before it existed have only report.json's sample. */
export const UNJOINED_FILE = 'unjoined.ndjson';

function isConnectionError(e: unknown): boolean {
  return e instanceof errors.ConnectionError || e instanceof errors.TimeoutError || e instanceof errors.NoLivingConnectionsError;
}

export async function indexRun(target: EsTarget, outDir: string, opts: IndexRunOptions): Promise<IndexRunResult> {
  const reportText = readFileSync(join(outDir, 'report.json'), 'utf8');
  const report = JSON.parse(reportText) as RunReport;
  const run = runIdentity(reportText);
  const txPath = join(outDir, 'transactions.ndjson');
  const client = makeClient(target);
  const deadPath = opts.deadLetterPath ?? join(outDir, DEAD_LETTER_FILE);
  try {
    let indices: Record<DocKind, string>;
    let previous: string | null;
    try {
      // cluster.health rather than ping/info: the minimal integ-test distribution answers GET / with 405.
      await client.cluster.health({ timeout: '30s' });
      await applyTemplates(client, opts.prefix);
      indices = await createRunIndices(client, opts.prefix, run.id);
      previous = await currentRunId(client, opts.prefix);
    } catch (e) {
      if (e instanceof errors.ResponseError && (e.statusCode === 401 || e.statusCode === 403)) throw new EsConnectionError(refusedCredentials(target.url, e.statusCode));
      if (e instanceof errors.ResponseError) throw new EsConnectionError(`Elasticsearch at ${target.url} refused the index templates or indices: ${e.message} / Elasticsearch 拒绝了索引模板或索引`);
      throw new EsConnectionError(describeConnectionError(target.url, e));
    }

    // The dead letter belongs to one attempt: an older one would make a clean re-run look failed.
    if (existsSync(deadPath)) rmSync(deadPath);
    let dead: LineWriter | null = null;
    const expected = { transactions: 0, evidence: 0, runs: 1 };
    const extra = { unjoined: 0, coverage: 0 };
    const unjoinedPath = join(outDir, UNJOINED_FILE);
    async function* operations(): AsyncGenerator<BulkOp> {
      for await (const t of readNdjson<Transaction>(txPath)) {
        expected.transactions++;
        yield { index: indices.transactions, id: transactionId(t.order_id), doc: transactionDocument(t, run) };
        for (const e of evidenceDocuments(t, run)) {
          expected.evidence++;
          yield { index: indices.evidence, id: e.id, doc: e.doc };
        }
      }
      // The same line can be listed twice (a reading that two joins gave up on): one document.
      const seen = new Set<string>();
      const unjoined: AsyncIterable<Unjoined> | Iterable<Unjoined> = existsSync(unjoinedPath) ? readNdjson<Unjoined>(unjoinedPath) : (report.unjoined?.sample ?? []);
      for await (const u of unjoined) {
        const id = unjoinedId(u);
        if (seen.has(id)) continue;
        seen.add(id);
        expected.evidence++;
        extra.unjoined++;
        yield { index: indices.evidence, id, doc: unjoinedDocument(u, run) };
      }
      const gaps = new Set<string>();
      for (const g of report.checks?.coverage?.gaps ?? []) {
        const id = coverageGapId(g);
        if (gaps.has(id)) continue;
        gaps.add(id);
        expected.runs++;
        extra.coverage++;
        yield { index: indices.runs, id, doc: coverageGapDocument(g, run) };
      }
    }
    const bulkOpts: BulkOptions = {
      ...DEFAULT_BULK,
      ...opts.bulk,
      deadLetter: async (d) => {
        // Dead-lettered documents hold buyers' data: owner-only, like every output.
        dead ??= new LineWriter(deadPath, 0o600);
        await dead.write(JSON.stringify({ index: d.index, _id: d.id, status: d.status, reason: d.reason, attempts: d.attempts, document: d.doc }));
      },
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    };
    let stats: BulkStats;
    let lostReason: string | undefined;
    try {
      stats = await bulkIndex(client, operations(), bulkOpts);
    } catch (e) {
      if (!(e instanceof NodeUnavailableError)) throw e;
      stats = e.stats;
      lostReason = describeConnectionError(target.url, e);
    } finally {
      await (dead as LineWriter | null)?.close();
    }
    const result: IndexRunResult = {
      run_id: run.id,
      indices,
      expected,
      counted: { transactions: 0, evidence: 0, runs: 0 },
      bulk: stats,
      dead_letter: stats.failed > 0 ? deadPath : null,
      aliases_moved: false,
      previous_run: previous,
    };
    if (lostReason !== undefined) return { ...result, error: lostReason };

    try {
      const complete = stats.failed === 0 && stats.unsent === 0;
      if (complete) {
        // Written last: a run document means the run's other indices are whole.
        await client.index({ index: indices.runs, id: run.id, document: runDocument(report, run, { transactions: expected.transactions, evidence: expected.evidence, ...extra }, new Date().toISOString()) });
      }
      await client.indices.refresh({ index: DOC_KINDS.map((k) => indices[k]).join(',') });
      for (const kind of DOC_KINDS) result.counted[kind] = (await client.count({ index: indices[kind] })).count;
      const exact = DOC_KINDS.every((k) => result.counted[k] === result.expected[k]);
      if (complete && exact) {
        await moveAliases(client, opts.prefix, run.id);
        result.aliases_moved = true;
      } else if (complete) {
        result.error = `the node counts ${DOC_KINDS.map((k) => `${result.counted[k]} ${k}`).join(', ')} but the run has ${DOC_KINDS.map((k) => `${result.expected[k]}`).join(', ')}: the aliases were not moved / 文档数与预期不符，别名未切换`;
      }
    } catch (e) {
      if (!isConnectionError(e) && !(e instanceof errors.ResponseError)) throw e;
      result.error = describeConnectionError(target.url, e);
    }
    return result;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The lines a summary prints for an indexing result (English and Chinese). */
export function formatIndexResult(r: IndexRunResult, prefix: string): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const b = r.bulk;
  const out = [
    `  elasticsearch 索引: run ${r.run_id}: ${n(b.total)} document(s) sent: ${n(b.indexed)} indexed, ${n(b.failed)} failed, ${n(b.unsent)} unsent (${n(b.retried)} needed a retry, ${n(b.request_retries)} request retr${b.request_retries === 1 ? 'y' : 'ies'}) / 已索引 ${n(b.indexed)}，失败 ${n(b.failed)}，未发送 ${n(b.unsent)}`,
    `    counted in the run's indices 索引内文档数: ${DOC_KINDS.map((k) => `${k} ${n(r.counted[k])}/${n(r.expected[k])}`).join(', ')}`,
  ];
  if (r.dead_letter) out.push(`    failed documents, with the reason 失败文档及原因: ${r.dead_letter}`);
  if (r.aliases_moved) out.push(`    aliases ${DOC_KINDS.map((k) => aliasName(prefix, k)).join(', ')} → this run${r.previous_run && r.previous_run !== r.run_id ? ` (before: ${r.previous_run}; undo with salvage index --rollback)` : ''} / 别名已指向本次运行`);
  else out.push(`    aliases NOT moved: the run is not completely indexed; run \`salvage index <out-dir> --es URL\` again / 别名未切换：索引不完整，请重新运行 salvage index`);
  if (r.error) out.push(`    ${r.error}`);
  return out;
}
