import { errors, type Client } from '@elastic/elasticsearch';
import { INDEXING } from '../../settings';

// Bulk indexing with a fixed number of requests in flight: the source is only read when a
// request slot is free, so a slow node slows the reading down instead of letting batches pile
// up in memory. 429 and 5xx answers (for a whole request or for single documents) are retried
// with growing waits; a document that still fails goes to the dead letter with its reason.
// A node that stops answering altogether ends the run with what was done counted: those
// documents are neither indexed nor dead-lettered, and indexing the run again finishes the job.

export interface BulkOp {
  index: string;
  id: string;
  doc: unknown;
}

export interface DeadLetter {
  index: string;
  id: string;
  status: number;
  reason: string;
  attempts: number;
  doc: unknown;
}

export interface BulkOptions {
  /** Documents per request. */
  batchDocs: number;
  /** Bytes per request (the body as sent); a batch is sent when either limit is reached. */
  batchBytes: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Attempts per document (and per request) before giving up. */
  maxAttempts: number;
  baseWaitMs: number;
  maxWaitMs: number;
  deadLetter: (d: DeadLetter) => Promise<void>;
  /** After each request settles: progress for the caller. */
  onProgress?: (s: BulkStats) => void;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_BULK: Omit<BulkOptions, 'deadLetter'> = { ...INDEXING };

export interface BulkStats {
  /** Documents read from the source. */
  total: number;
  /** Documents Elasticsearch acknowledged (created or updated). */
  indexed: number;
  /** Documents given up on, each one in the dead letter. */
  failed: number;
  /** Documents read but never acknowledged nor given up on: the node went away. */
  unsent: number;
  /** Documents that needed at least one retry (they are also counted as indexed or failed). */
  retried: number;
  /** Requests that were retried as a whole (429, 5xx, connection lost). */
  request_retries: number;
  requests: number;
  bytes: number;
}

export class NodeUnavailableError extends Error {
  override name = 'NodeUnavailableError';
  constructor(message: string, readonly stats: BulkStats) {
    super(message);
  }
}

/** The wait before attempt `attempt` (2, 3, …): doubling from the base, capped, with a little jitter taken from `jitter` in [0,1). */
export function retryWait(attempt: number, baseMs: number, maxMs: number, jitter: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 2));
  return Math.round(exp * (0.75 + 0.25 * jitter));
}

/** Whether an answer is worth trying again: too many requests, or the node's own trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

export interface ItemResult {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { reason?: string } } | undefined;
}

/** How each document of a bulk answer fared: acknowledged, to retry, or failed for good (with why). */
export function classifyItems(items: ItemResult[], attempts: number[], maxAttempts: number): { ok: number[]; retry: number[]; fail: { i: number; reason: string }[] } {
  const ok: number[] = [];
  const retry: number[] = [];
  const fail: { i: number; reason: string }[] = [];
  items.forEach((it, i) => {
    if (it.status >= 200 && it.status < 300 && !it.error) ok.push(i);
    else if (isRetryableStatus(it.status) && attempts[i]! < maxAttempts) retry.push(i);
    else {
      const e = it.error;
      const why = e ? [e.type, e.reason, e.caused_by?.reason].filter(Boolean).join(': ') : `HTTP ${it.status}`;
      fail.push({ i, reason: isRetryableStatus(it.status) ? `${why} (still failing after ${attempts[i]} attempts)` : why });
    }
  });
  return { ok, retry, fail };
}

interface Pending {
  op: BulkOp;
  line: string;
  attempts: number;
}

function requestFailure(e: unknown): { retryable: boolean; status: number; message: string } {
  if (e instanceof errors.ResponseError) {
    const status = e.statusCode ?? 0;
    return { retryable: isRetryableStatus(status), status, message: `HTTP ${status}: ${e.message}` };
  }
  if (e instanceof errors.ConnectionError || e instanceof errors.TimeoutError || e instanceof errors.NoLivingConnectionsError) {
    return { retryable: true, status: 0, message: e.message };
  }
  return { retryable: false, status: 0, message: e instanceof Error ? e.message : String(e) };
}

export async function bulkIndex(client: Client, source: AsyncIterable<BulkOp>, opts: BulkOptions): Promise<BulkStats> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const stats: BulkStats = { total: 0, indexed: 0, failed: 0, unsent: 0, retried: 0, request_retries: 0, requests: 0, bytes: 0 };
  const retriedDocs = new WeakSet<Pending>();
  let lost: string | null = null;
  const inFlight = new Set<Promise<void>>();

  const giveUp = async (p: Pending, status: number, reason: string) => {
    stats.failed++;
    await opts.deadLetter({ index: p.op.index, id: p.op.id, status, reason, attempts: p.attempts, doc: p.op.doc });
  };

  /** Sends one batch until every document in it is acknowledged or given up on. */
  const send = async (batch: Pending[]) => {
    let todo = batch;
    let requestAttempt = 0;
    while (todo.length && lost === null) {
      for (const p of todo) p.attempts++;
      const body = todo.map((p) => p.line).join('');
      let items: ItemResult[];
      try {
        stats.requests++;
        stats.bytes += Buffer.byteLength(body);
        const res = await client.bulk({ body } as never, { maxRetries: 0 });
        items = res.items.map((it) => Object.values(it)[0] as ItemResult);
      } catch (e) {
        const f = requestFailure(e);
        requestAttempt++;
        if (!f.retryable) {
          // The node refused the request itself (a 4xx other than 429): no document of it can go in.
          for (const p of todo) await giveUp(p, f.status, f.message);
          todo = [];
          break;
        }
        if (requestAttempt >= opts.maxAttempts) {
          lost = f.message;
          break;
        }
        stats.request_retries++;
        for (const p of todo) p.attempts--; // a request that never reached the node is not the document's attempt
        await sleep(retryWait(requestAttempt + 1, opts.baseWaitMs, opts.maxWaitMs, Math.random()));
        continue;
      }
      requestAttempt = 0;
      const { ok, retry, fail } = classifyItems(items, todo.map((p) => p.attempts), opts.maxAttempts);
      stats.indexed += ok.length;
      for (const f of fail) await giveUp(todo[f.i]!, items[f.i]!.status, f.reason);
      todo = retry.map((i) => todo[i]!);
      for (const p of todo) {
        if (!retriedDocs.has(p)) {
          retriedDocs.add(p);
          stats.retried++;
        }
      }
      if (todo.length) await sleep(retryWait(todo[0]!.attempts + 1, opts.baseWaitMs, opts.maxWaitMs, Math.random()));
    }
    stats.unsent += todo.length;
    opts.onProgress?.(stats);
  };

  const launch = (batch: Pending[]) => {
    const p = send(batch).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  let batch: Pending[] = [];
  let batchBytes = 0;
  for await (const op of source) {
    // The node is gone: stop reading; what was read and not acknowledged is counted as unsent.
    if (lost !== null) break;
    stats.total++;
    const line = JSON.stringify({ index: { _index: op.index, _id: op.id } }) + '\n' + JSON.stringify(op.doc) + '\n';
    batch.push({ op, line, attempts: 0 });
    batchBytes += line.length;
    if (batch.length >= opts.batchDocs || batchBytes >= opts.batchBytes) {
      // Backpressure: the source is not read again until a request slot is free.
      while (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
      launch(batch);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length && lost === null) launch(batch);
  else stats.unsent += batch.length;
  await Promise.all(inFlight);
  if (lost !== null) throw new NodeUnavailableError(lost, stats);
  return stats;
}
