// Where each piece of a sharded run goes. Every process of a run computes the same answers
// from the same names, with no coordinator: a file belongs to the extract shard its name hashes
// to, and an order's evidence to the key bucket its order number hashes to. Buckets, not
// partitions, are what extract writes, so the number of correlate partitions can be chosen
// after extraction (a partition takes every bucket b with b % m = j).

/** Key buckets of the evidence index: more than any sensible number of correlate partitions. */
export const KEY_BUCKETS = 256;

/** Evidence with no order number yet (link-only lines, creation lines waiting for a fuzzy join,
 *  prefixes, unlogged callbacks): joined only in `finish`, so it is routed to a bucket of its own. */
export const UNKEYED_BUCKET = -1;

/** FNV-1a over the UTF-8 bytes: stable across processes, machines and Node versions. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The extract shard (0-based) that reads a file, by its name as the run shows it. */
export function shardOfFile(display: string, shards: number): number {
  return stableHash(`file:${display}`) % shards;
}

/** The key bucket of an order number, or the unkeyed bucket. */
export function bucketOf(orderId: string | null | undefined): number {
  return orderId ? stableHash(`order:${orderId}`) % KEY_BUCKETS : UNKEYED_BUCKET;
}

/** The buckets correlate partition j of m reads. */
export function bucketsOfPartition(j: number, m: number): number[] {
  const out: number[] = [];
  for (let b = j; b < KEY_BUCKETS; b += m) out.push(b);
  return out;
}

/** `i/n` as given to --shard or --partition: 0 ≤ i < n. Null when malformed. */
export function parseSlice(text: string): { i: number; n: number } | null {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  if (!m) return null;
  const i = Number(m[1]);
  const n = Number(m[2]);
  return n >= 1 && i < n ? { i, n } : null;
}
