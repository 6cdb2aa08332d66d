import type { Client } from '@elastic/elasticsearch';
import type { EvidenceBatch } from '../model/evidence-batch';
import type { Reject } from '../model/types';
import { runFiles, type RunSinks } from '../pipeline/run-files';
import { stallSeconds } from '../pipeline/stall-watch';
import type { SharedOptions } from '../reconstruct/plan';
import type { ProgressFor, StepIO } from '../reconstruct/step-io';
import { makeClient } from '../sinks/elasticsearch';
import { DocWriter } from './doc-writer';
import { evidenceDoc, evidenceId, fileId, rejectId, routingOf, UNKEYED_ROUTING, type FileDoc, type RejectDoc } from './evidence-docs';
import { shardOfFile } from './placement';
import { ensureRunIndices, joinRun, markShard, runIndices, type ShardDone } from './run-store';
import { planInScratch, type StageArgs } from './stage-plan';

// `reconstruct --stage extract --shard i/n`: this machine's share of the reading. The whole run
// is planned (as every process of it does), the files whose names hash to shard i are read
// through the same worker threads and rules as a single-process run, and what they give —
// evidence items, rejects, and each file's report — goes to the run's evidence index, evidence
// routed by the key bucket of its order number (or to the unkeyed bucket). Nothing is joined
// here: joining is what the later stages are for.

export async function extractStage(args: StageArgs, shard: { i: number; n: number }, io: StepIO & { stdout: NodeJS.WritableStream }, shared: SharedOptions, progressFor: ProgressFor): Promise<ShardDone> {
  const { plan, planned, digest, scratch, dispose } = await planInScratch(args, io, shared, progressFor);
  const client = makeClient(plan.es!);
  try {
    const ix = runIndices(args['es-prefix'], args.run!);
    await ensureRunIndices(client, ix);
    await joinRun(client, ix, args.run!, shard.n, digest);
    // Not done while it runs: a shard killed half-way must be run again before finish.
    await markShard(client, ix, args.run!, shard.i, null);
    const rank = new Map(planned.tasks.map((t, k) => [t.display, k]));
    const mine = planned.tasks.filter((t) => shardOfFile(t.display, shard.n) === shard.i);
    const done = await extractFiles(client, ix.evidence, mine, rank, shard.i, plan, io, scratch);
    await client.indices.refresh({ index: ix.evidence });
    const marker: ShardDone = { at: new Date().toISOString(), ...done };
    await markShard(client, ix, args.run!, shard.i, marker);
    planned.progress.stop();
    return marker;
  } finally {
    dispose();
    await client.close().catch(() => undefined);
  }
}

async function extractFiles(
  client: Client, index: string, tasks: Parameters<typeof runFiles>[0], rank: Map<string, number>, shard: number,
  plan: Awaited<ReturnType<typeof planInScratch>>['plan'], io: StepIO, scratch: string,
): Promise<{ files: number; evidence: number; rejects: number }> {
  const { args, rules, vocabulary, keys, nginxFormat } = plan;
  const writer = new DocWriter(client, scratch);
  // Items are numbered within their file in the order the file's reader made them, which is
  // the same on every run: the numbers are the documents' ids and the order finish reads in.
  const evidenceSeq = new Map<string, number>();
  const rejectSeq = new Map<string, number>();
  let evidence = 0;
  let rejects = 0;
  const rankOf = (file: string): number => {
    const r = rank.get(file);
    if (r === undefined) throw new Error(`a reader named a file that is not in the plan: ${file}`);
    return r;
  };
  const sinks: RunSinks = {
    evidence: (b: EvidenceBatch, file: string) => {
      const r = rankOf(file);
      let seq = evidenceSeq.get(file) ?? 0;
      for (let i = 0; i < b.json.length; i++, seq++) {
        const doc = evidenceDoc(b, i, { shard, rank: r, seq, file });
        writer.add({ index, id: evidenceId(r, seq), routing: routingOf(doc.bucket), doc });
      }
      evidence += b.json.length;
      evidenceSeq.set(file, seq);
    },
    reject: (items: Reject[]) => {
      for (const rej of items) {
        const r = rankOf(rej.file);
        const seq = rejectSeq.get(rej.file) ?? 0;
        rejectSeq.set(rej.file, seq + 1);
        const doc: RejectDoc = { type: 'reject', shard, file_rank: r, seq, reject: rej };
        writer.add({ index, id: rejectId(r, seq), routing: UNKEYED_ROUTING, doc });
        rejects++;
      }
    },
  };
  const setup = { rules, vocabulary, keys, tz: args.tz, maxLineBytes: args['max-line-bytes'], revealCardKeys: args['reveal-card-keys'], ...(nginxFormat.directive ? { nginxFormat: nginxFormat.directive } : {}) };
  const reports = await runFiles(tasks, setup, args.workers, sinks, stallSeconds(io.env));
  // The reports as the run returns them (what a single-process run puts in report.json).
  for (const report of reports) {
    const r = rankOf(report.file);
    const doc: FileDoc = { type: 'file', shard, file_rank: r, seq: 0, report };
    writer.add({ index, id: fileId(r), routing: UNKEYED_ROUTING, doc });
  }
  await writer.flush();
  return { files: reports.length, evidence, rejects };
}
