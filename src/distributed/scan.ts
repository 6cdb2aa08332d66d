import type { Client } from '@elastic/elasticsearch';

// Reads a query's documents back in a fixed order, a page at a time, with a point in time (the
// index as it was when the scan began, whatever is written meanwhile) and search_after. Memory
// holds one page. `routing` keeps the search on the index shards that hold the wanted buckets.

const PAGE = 5000;
const KEEP_ALIVE = '5m';

export async function* scanSorted<T>(
  client: Client,
  o: { index: string; query: object; sort: string[]; routing?: string; source?: string[] },
): AsyncGenerator<T> {
  const pit = await client.openPointInTime({ index: o.index, keep_alive: KEEP_ALIVE, ...(o.routing ? { routing: o.routing } : {}) });
  let id = pit.id;
  try {
    let after: unknown[] | undefined;
    for (;;) {
      const r = await client.search<T>({
        pit: { id, keep_alive: KEEP_ALIVE },
        size: PAGE,
        query: o.query as never,
        // _shard_doc (implied with a point in time) breaks ties; every sort here is on unique keys anyway.
        sort: [...o.sort.map((f) => ({ [f]: { order: 'asc' as const } })), { _shard_doc: { order: 'asc' as const } }] as never,
        track_total_hits: false,
        // Only the documents and where the page ended: the rest of the answer is parsed for nothing.
        filter_path: ['pit_id', 'hits.hits._source', 'hits.hits.sort'],
        ...(o.source ? { _source: o.source } : {}),
        ...(after ? { search_after: after as never } : {}),
      });
      if (r.pit_id) id = r.pit_id;
      // filter_path leaves out what is empty.
      const hits = r.hits?.hits ?? [];
      for (const h of hits) yield h._source as T;
      if (hits.length < PAGE) return;
      after = hits[hits.length - 1]!.sort as unknown[];
    }
  } finally {
    await client.closePointInTime({ id }).catch(() => undefined);
  }
}
