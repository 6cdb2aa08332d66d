import type { Evidence } from '../model/types';

// Evidence crosses from the worker threads to the correlator as JSON text plus the few keys
// the correlator indexes on. Text is cheap to transfer and can be stored or spilled as it is;
// the correlator parses an item only when it needs the whole of it (mostly when the order's
// record is built), so the single-threaded stage does little per item.

export interface EvidenceBatch {
  json: string[];
  orderId: (string | null)[];
  tradeNo: (string | null)[];
  kind: Evidence['kind'][];
  tsMs: number[];
  /** `ip|user agent` when both are known, for the first-sighting index of fuzzy joins. */
  client: (string | null)[];
  badSignature: boolean[];
}

export function emptyBatch(): EvidenceBatch {
  return { json: [], orderId: [], tradeNo: [], kind: [], tsMs: [], client: [], badSignature: [] };
}

export function pushEvidence(b: EvidenceBatch, e: Evidence): void {
  const f = e.fields;
  b.json.push(JSON.stringify(e));
  b.orderId.push(f.order_id || null);
  b.tradeNo.push(f.trade_no || null);
  b.kind.push(e.kind);
  b.tsMs.push(e.tsMs);
  b.client.push(f.client_ip && f.user_agent ? `${f.client_ip}|${f.user_agent}` : null);
  b.badSignature.push(e.signature === 'bad_signature');
}

export function batchOf(items: Evidence[]): EvidenceBatch {
  const b = emptyBatch();
  for (const e of items) pushEvidence(b, e);
  return b;
}

/** Parse one item back; JSON has no NaN, so an unknown time comes back as null and is restored. */
export function parseEvidence(json: string): Evidence {
  const e = JSON.parse(json) as Evidence;
  if (e.tsMs === null) e.tsMs = NaN;
  return e;
}
