import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Correlator } from '../correlate/correlator';
import { emptyBatch } from '../model/evidence-batch';
import { UsageError } from '../model/usage-error';
import { scoreRecord } from '../score/score';
import { makeClient, type EsTarget } from '../sinks/elasticsearch';
import { DocWriter } from './doc-writer';
import { pushDoc, routingOf, type EvidenceDoc } from './evidence-docs';
import { bucketsOfPartition } from './placement';
import { fixPartitions, markPartition, missing, readRunDoc, runIndices, type PartitionDone } from './run-store';
import { scanSorted } from './scan';

// `reconstruct --stage correlate --partition j/m`: the records of one key partition. The
// partition's evidence is read back by order number (point in time + search_after, sorted by
// order number, then by its place in the run) and fed to a correlator of its own, through the
// same facade a single-process run uses; each order's record goes to the run's transactions
// index. These are the records as the partition can know them: evidence that reaches an order
// only through an end-of-run join (a link or trade number alone, a creation line's fuzzy join,
// an unlogged callback, an order-number prefix), and clock corrections estimated from every
// source, need the whole run and are applied by `finish`.

const FEED_BATCH = 1000;

export async function correlateStage(target: EsTarget, prefix: string, run: string, part: { i: number; n: number }): Promise<PartitionDone> {
  const client = makeClient(target);
  const ix = runIndices(prefix, run);
  const scratch = mkdtempSync(join(tmpdir(), 'salvage-partition-'));
  try {
    const doc = await readRunDoc(client, ix, run).catch(() => null);
    if (!doc) throw new UsageError(`run ${run} has not been started: run --stage extract first / 运行 ${run} 尚未开始，请先运行抽取阶段`);
    const notDone = missing(doc.shards_done, doc.shards);
    if (notDone.length) throw new UsageError(`run ${run}: extract shard(s) ${notDone.map((s) => `${s}/${doc.shards}`).join(', ')} not finished; correlate reads all of their evidence / 抽取分片 ${notDone.join(', ')} 尚未完成`);
    if (part.n > 256) throw new UsageError('--partition: at most 256 partitions / 最多 256 个分区');
    await fixPartitions(client, ix, doc, part.n);
    await markPartition(client, ix, run, part.i, null);

    const buckets = bucketsOfPartition(part.i, part.n);
    const correlator = new Correlator(scoreRecord, { spillParent: scratch });
    let batch = emptyBatch();
    let evidence = 0;
    for await (const d of scanSorted<EvidenceDoc>(client, {
      index: ix.evidence,
      query: { bool: { filter: [{ term: { type: 'evidence' } }, { terms: { bucket: buckets } }] } },
      sort: ['order_id', 'file_rank', 'seq'],
      routing: buckets.map(routingOf).join(','),
      source: ['json', 'order_id', 'links', 'kind', 'ts_ms', 'client', 'amount', 'bad_signature'],
    })) {
      pushDoc(batch, d);
      evidence++;
      if (batch.json.length >= FEED_BATCH) {
        correlator.addBatch(batch);
        batch = emptyBatch();
      }
    }
    if (batch.json.length) correlator.addBatch(batch);
    const result = correlator.finish();
    const writer = new DocWriter(client, scratch);
    let orders = 0;
    try {
      for (const t of result.records.sorted()) {
        writer.add({ index: ix.partial, id: t.order_id, doc: { order_id: t.order_id, partition: part.i, record: t } });
        orders++;
        if (orders % 2000 === 0) await writer.room();
      }
      await writer.flush();
    } finally {
      result.records.dispose();
    }
    await client.indices.refresh({ index: ix.partial });
    const marker: PartitionDone = { at: new Date().toISOString(), orders, evidence };
    await markPartition(client, ix, run, part.i, marker);
    return marker;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await client.close().catch(() => undefined);
  }
}
