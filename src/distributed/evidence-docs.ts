import type { EvidenceBatch } from '../model/evidence-batch';
import type { Evidence, FileReport, Reject } from '../model/types';
import { bucketOf, UNKEYED_BUCKET } from './placement';

// What extract writes to the evidence index, and how it is read back. An evidence document is
// one item of an EvidenceBatch as the reading threads made it (its JSON text and the keys the
// correlator indexes on), so what a correlator is fed back is, item for item, what it would
// have been fed in a single process. Each document names its place in the run: the file's rank
// in reading order and the item's number within the file, which give it a fixed id (a stage
// run again overwrites, never doubles) and the order it is fed back in.

export interface EvidenceDoc {
  type: 'evidence';
  shard: number;
  file_rank: number;
  seq: number;
  bucket: number;
  order_id: string | null;
  /** The file's name as the run shows it. */
  file: string;
  json: string;
  links: string[] | null;
  kind: Evidence['kind'];
  /** null for an unknown time (JSON has no NaN). */
  ts_ms: number | null;
  client: string | null;
  amount: number | null;
  bad_signature: boolean;
}

export interface RejectDoc {
  type: 'reject';
  shard: number;
  file_rank: number;
  seq: number;
  reject: Reject;
}

export interface FileDoc {
  type: 'file';
  shard: number;
  file_rank: number;
  seq: 0;
  report: FileReport;
}

export type RunDocument = EvidenceDoc | RejectDoc | FileDoc;

/** Routing of documents with no order key (and of rejects and file reports): their own bucket. */
export const UNKEYED_ROUTING = 'unkeyed';

export function routingOf(bucket: number): string {
  return bucket === UNKEYED_BUCKET ? UNKEYED_ROUTING : `b${bucket}`;
}

export function evidenceId(rank: number, seq: number): string {
  return `e:${rank}:${seq}`;
}
export function rejectId(rank: number, seq: number): string {
  return `r:${rank}:${seq}`;
}
export function fileId(rank: number): string {
  return `f:${rank}`;
}

export function evidenceDoc(b: EvidenceBatch, i: number, place: { shard: number; rank: number; seq: number; file: string }): EvidenceDoc {
  const oid = b.orderId[i] ?? null;
  const ts = b.tsMs[i]!;
  return {
    type: 'evidence', shard: place.shard, file_rank: place.rank, seq: place.seq, bucket: bucketOf(oid), order_id: oid, file: place.file,
    json: b.json[i]!, links: b.links[i] ?? null, kind: b.kind[i]!, ts_ms: Number.isNaN(ts) ? null : ts,
    client: b.client[i] ?? null, amount: b.amount[i] ?? null, bad_signature: b.badSignature[i] === true,
  };
}

/** Puts an evidence document back into a batch, as the reading threads had it. */
export function pushDoc(b: EvidenceBatch, d: EvidenceDoc): void {
  b.json.push(d.json);
  b.orderId.push(d.order_id);
  b.links.push(d.links);
  b.kind.push(d.kind);
  b.tsMs.push(d.ts_ms === null ? NaN : d.ts_ms);
  b.client.push(d.client);
  b.amount.push(d.amount);
  b.badSignature.push(d.bad_signature);
}
