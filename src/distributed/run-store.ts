import { errors, type Client } from '@elastic/elasticsearch';
import { UsageError } from '../model/usage-error';

// The run document and the per-run indices of a sharded run, in the shared cluster. The run
// document (one per run id, in `<prefix>-sharded-runs`) is the only coordination there is: it
// fixes the number of extract shards and correlate partitions and what the inputs were (a digest
// of the plan every process computes for itself), and it has one done-marker per shard and per
// partition. A stage marks itself not done when it starts and done when everything it wrote is
// searchable, so a stage killed half-way is simply run again; its documents have fixed ids and
// are overwritten, not doubled.

export interface RunDoc {
  run: string;
  created_at: string;
  /** sha256 of the plan (settings and the files in reading order): every stage must agree. */
  plan_digest: string;
  shards: number;
  partitions: number | null;
  shards_done: Record<string, ShardDone | null>;
  partitions_done: Record<string, PartitionDone | null>;
}

export interface ShardDone {
  at: string;
  files: number;
  evidence: number;
  rejects: number;
}

export interface PartitionDone {
  at: string;
  orders: number;
  evidence: number;
}

export interface RunIndices {
  runs: string;
  evidence: string;
  /** Records as each correlate partition built them (see correlate-stage.ts). */
  partial: string;
}

export function runIndices(prefix: string, run: string): RunIndices {
  return { runs: `${prefix}-sharded-runs`, evidence: `${prefix}-sharded-${run}-evidence`, partial: `${prefix}-sharded-${run}-transactions` };
}

/** A run id becomes part of index names: lower-case letters, digits, '-', '_' and '.'. */
export function checkRunId(run: string): void {
  if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(run)) throw new UsageError(`--run ${run}: lower-case letters, digits, '-', '_' and '.' only, at most 64 / 运行编号只能包含小写字母、数字和 - _ .，最长 64`);
}

const EVIDENCE_MAPPING = {
  // Only what is filtered or sorted on is indexed; the evidence itself rides in _source.
  dynamic: false,
  properties: {
    type: { type: 'keyword' },
    shard: { type: 'integer' },
    file_rank: { type: 'integer' },
    seq: { type: 'long' },
    bucket: { type: 'integer' },
    order_id: { type: 'keyword' },
  },
} as const;

const RUNS_MAPPING = { dynamic: false, properties: { run: { type: 'keyword' }, created_at: { type: 'date' } } } as const;
const PARTIAL_MAPPING = { dynamic: false, properties: { order_id: { type: 'keyword' }, partition: { type: 'integer' } } } as const;

async function ensureIndex(client: Client, index: string, mappings: object): Promise<void> {
  if (await client.indices.exists({ index })) return;
  try {
    await client.indices.create({ index, mappings: mappings as never });
  } catch (e) {
    // Another process of the run created it meanwhile.
    if (e instanceof errors.ResponseError && e.body?.error?.type === 'resource_already_exists_exception') return;
    throw e;
  }
}

export async function ensureRunIndices(client: Client, ix: RunIndices): Promise<void> {
  await ensureIndex(client, ix.runs, RUNS_MAPPING);
  await ensureIndex(client, ix.evidence, EVIDENCE_MAPPING);
  await ensureIndex(client, ix.partial, PARTIAL_MAPPING);
}

export async function readRunDoc(client: Client, ix: RunIndices, run: string): Promise<RunDoc | null> {
  try {
    const r = await client.get<RunDoc>({ index: ix.runs, id: run });
    return r._source ?? null;
  } catch (e) {
    if (e instanceof errors.ResponseError && e.statusCode === 404) return null;
    throw e;
  }
}

/**
 * The run document, created by the first extract shard to start; a later one must have been
 * started with the same number of shards on the same inputs, or the run would be mixed.
 */
export async function joinRun(client: Client, ix: RunIndices, run: string, shards: number, planDigest: string): Promise<RunDoc> {
  const fresh: RunDoc = { run, created_at: new Date().toISOString(), plan_digest: planDigest, shards, partitions: null, shards_done: {}, partitions_done: {} };
  try {
    await client.create({ index: ix.runs, id: run, document: fresh, refresh: 'wait_for' });
    return fresh;
  } catch (e) {
    if (!(e instanceof errors.ResponseError && e.statusCode === 409)) throw e;
  }
  const doc = (await readRunDoc(client, ix, run))!;
  if (doc.shards !== shards) throw new UsageError(`run ${run} was started with ${doc.shards} extract shard(s), not ${shards}; use --shard i/${doc.shards}, or a new --run / 运行 ${run} 的抽取分片数为 ${doc.shards}，与 ${shards} 不符`);
  checkPlan(doc, planDigest);
  return doc;
}

/** The same settings and inputs as the run's other processes, or a refusal. */
export function checkPlan(doc: RunDoc, planDigest: string): void {
  if (doc.plan_digest !== planDigest) {
    throw new UsageError(`run ${doc.run} was started on other inputs or settings (the files found, their order, --tz, --rules, --format, --max-line-bytes, --reveal-card-keys must be the same on every machine) / 运行 ${doc.run} 的输入或设置与本进程不同（各机器的输入文件、时区、规则等必须一致）`);
  }
}

/** Fixes the number of correlate partitions (first partition to start), or checks it. */
export async function fixPartitions(client: Client, ix: RunIndices, doc: RunDoc, partitions: number): Promise<void> {
  if (doc.partitions === null) {
    await client.update({ index: ix.runs, id: doc.run, doc: { partitions }, refresh: 'wait_for', retry_on_conflict: 5 });
    const now = (await readRunDoc(client, ix, doc.run))!;
    if (now.partitions === partitions) return;
    doc = now;
  }
  if (doc.partitions !== partitions) throw new UsageError(`run ${doc.run} is correlated in ${doc.partitions} partition(s), not ${partitions}; use --partition j/${doc.partitions} / 运行 ${doc.run} 的关联分区数为 ${doc.partitions}，与 ${partitions} 不符`);
}

export async function markShard(client: Client, ix: RunIndices, run: string, shard: number, done: ShardDone | null): Promise<void> {
  await client.update({ index: ix.runs, id: run, doc: { shards_done: { [String(shard)]: done } }, refresh: 'wait_for', retry_on_conflict: 10 });
}

export async function markPartition(client: Client, ix: RunIndices, run: string, partition: number, done: PartitionDone | null): Promise<void> {
  await client.update({ index: ix.runs, id: run, doc: { partitions_done: { [String(partition)]: done } }, refresh: 'wait_for', retry_on_conflict: 10 });
}

/** Shards (or partitions) of `count` that have no done-marker. */
export function missing(done: Record<string, unknown>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (!done[String(i)]) out.push(i);
  return out;
}
