import type { Evidence } from './types';

// The batch is a boundary type: it is what crosses from the reading threads (src/pipeline/) to
// the correlator, so it sits with the other boundary types, and neither side imports the other.
// Evidence crosses as JSON text plus the few keys the correlator indexes on. Text is cheap to
// transfer and can be stored or spilled as it is; the correlator parses an item only when it
// needs the whole of it (mostly when the order's record is built), so the single-threaded stage
// does little per item.

export interface EvidenceBatch {
  json: string[];
  orderId: (string | null)[];
  /** Keys other than the order number that tie evidence to an order: `trade:<gateway trade no>`,
   *  `card:<card key hash>`, `link:<a rule's link_key, such as a payment-page token>`. */
  links: (string[] | null)[];
  kind: Evidence['kind'][];
  tsMs: number[];
  /** `ip|user agent` when both are known, for the first-sighting index of fuzzy joins. */
  client: (string | null)[];
  /** The amount on the line, when it names one: fuzzy joins check it agrees with the order's. */
  amount: (number | null)[];
  badSignature: boolean[];
}

export function emptyBatch(): EvidenceBatch {
  return { json: [], orderId: [], links: [], kind: [], tsMs: [], client: [], amount: [], badSignature: [] };
}

export function pushEvidence(b: EvidenceBatch, e: Evidence): void {
  const f = e.fields;
  b.json.push(JSON.stringify(e));
  b.orderId.push(f.order_id || null);
  b.links.push(linksOf(e));
  b.kind.push(e.kind);
  b.tsMs.push(e.tsMs);
  b.client.push(f.client_ip && f.user_agent ? `${f.client_ip}|${f.user_agent}` : null);
  b.amount.push(typeof f.amount === 'number' && Number.isFinite(f.amount) ? f.amount : null);
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

/** The link keys of one piece of evidence (see EvidenceBatch.links). */
export function linksOf(e: Evidence): string[] | null {
  const f = e.fields;
  let out: string[] | null = null;
  if (f.trade_no) (out ??= []).push(`trade:${f.trade_no}`);
  if (typeof f.card_key_hash === 'string') (out ??= []).push(`card:${f.card_key_hash}`);
  if (f.link_key) (out ??= []).push(`link:${f.link_key}`);
  return out;
}

const LINK_NAMES: Record<string, string> = { trade: 'gateway trade no', card: 'card key (hash)', link: 'link key' };

/** `trade:123` → `gateway trade no 123`, for the record's reasons. */
export function describeLink(link: string): string {
  const colon = link.indexOf(':');
  const kind = link.slice(0, colon);
  const value = link.slice(colon + 1);
  return `${LINK_NAMES[kind] ?? kind} ${kind === 'card' ? value.slice(0, 12) + '…' : value}`;
}
