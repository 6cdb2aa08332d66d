import { Client, type estypes } from '@elastic/elasticsearch';
import type { Transaction } from '../model/types';
import { notARecord } from './run-records';

// Records read back from an Elasticsearch index or alias, page by page through a point in time
// (a consistent view that later writes do not shift) and search_after, so any number of records
// passes through a bounded amount of memory: one page at a time.

export interface EsSource {
  url: string;
  /** Index, alias or pattern holding one document per record. */
  index: string;
  auth?: { apiKey: string } | { username: string; password: string };
  /** Documents per page (default 1000). */
  pageSize?: number;
  /** How long the point in time is kept between pages (default 2m). */
  keepAlive?: string;
}

/** A document's record: the record's own fields, without the index's additions (`@timestamp`). */
function recordOf(source: Record<string, unknown>): Transaction {
  // What `salvage index` writes: the ECS document, with the record kept whole under salvage.record.
  const kept = (source.salvage as { record?: Transaction } | undefined)?.record;
  if (kept) return kept;
  // An index holding the records in their own layout (reconstruct --es before the ECS templates).
  const { '@timestamp': _ts, ...rest } = source;
  return rest as unknown as Transaction;
}

export async function* esRecords(src: EsSource, bad: (b: { id: string; reason: string }) => void): AsyncGenerator<Transaction> {
  const client = new Client({ node: src.url, ...(src.auth ? { auth: src.auth } : {}) });
  const keepAlive = src.keepAlive ?? '2m';
  let pitId: string | undefined;
  try {
    let pit: string = (await client.openPointInTime({ index: src.index, keep_alive: keepAlive })).id;
    pitId = pit;
    let after: unknown[] | undefined;
    for (;;) {
      const page: estypes.SearchResponse<Record<string, unknown>> = await client.search<Record<string, unknown>>({
        size: src.pageSize ?? 1000,
        pit: { id: pit, keep_alive: keepAlive },
        // _shard_doc is the cheapest total order within a point in time.
        sort: [{ _shard_doc: 'asc' }],
        track_total_hits: false,
        ...(after ? { search_after: after as never } : {}),
      });
      // Each page may hand back a newer id for the same point in time.
      if (page.pit_id) pitId = pit = page.pit_id;
      const hits = page.hits.hits;
      if (hits.length === 0) break;
      for (const h of hits) {
        const rec = h._source ? recordOf(h._source) : null;
        const why = rec ? notARecord(rec as unknown as Record<string, unknown>) : 'no _source';
        if (why) bad({ id: h._id ?? '?', reason: why });
        else yield rec!;
      }
      after = hits[hits.length - 1]!.sort;
    }
  } finally {
    if (pitId) await client.closePointInTime({ id: pitId }).catch(() => undefined);
    await client.close();
  }
}
