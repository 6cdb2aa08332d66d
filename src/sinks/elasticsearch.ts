import { Client, errors, type estypes } from '@elastic/elasticsearch';
import { createHash } from 'node:crypto';
import type { Transaction } from '../model/types';

// Indexes records through the official client's bulk helper. Each document's _id is derived
// from the order, so indexing the same input again updates documents instead of adding
// copies. Counts come from the bulk responses only: nothing is reported as indexed unless
// Elasticsearch said so, and every failed document is kept with its reason.

export interface EsTarget {
  url: string;
  index: string;
  /** From the environment or a file, never argv: ELASTIC_API_KEY, or ELASTIC_USERNAME + ELASTIC_PASSWORD. */
  auth?: { apiKey: string } | { username: string; password: string };
}

export interface EsResult {
  total: number;
  indexed: number;
  failed: number;
  failures: { order_id: string; status: number; error: string }[];
  retried: number;
  bytes: number;
  time_ms: number;
}

export class EsConnectionError extends Error {
  override name = 'EsConnectionError';
}

export function documentId(orderId: string): string {
  // Order numbers are short and safe, but a hash keeps ids uniform whatever a platform uses.
  return createHash('sha1').update(orderId).digest('hex');
}

export function templateFor(index: string): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: `${index}-template`,
    index_patterns: [`${index}*`],
    priority: 200,
    template: {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        dynamic_templates: [
          { strings_as_text_and_keyword: { match_mapping_type: 'string', mapping: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } } } },
        ],
        properties: {
          '@timestamp': { type: 'date' },
          order_id: { type: 'keyword' },
          trade_no: { type: 'keyword' },
          goods_id: { type: 'keyword' },
          status: { type: 'keyword' },
          channel: { type: 'keyword' },
          currency: { type: 'keyword' },
          buyer_email: { type: 'keyword' },
          flags: { type: 'keyword' },
          amount: { type: 'double' },
          confidence: { type: 'float' },
          created_at: { type: 'date' },
          paid_at: { type: 'date' },
          reasons: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } },
          evidence: {
            type: 'object',
            properties: {
              source: { type: 'keyword' },
              file: { type: 'keyword' },
              line: { type: 'long' },
              offset: { type: 'long' },
              rule: { type: 'keyword' },
              kind: { type: 'keyword' },
              ts: { type: 'date' },
            },
          },
          conflicts: { type: 'object', enabled: false },
          provenance: { type: 'object', enabled: false },
        },
      },
    },
  };
}

export function toDocument(t: Transaction): Record<string, unknown> {
  return { '@timestamp': t.paid_at ?? t.created_at ?? null, ...t };
}

function describeConnectionError(url: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (
    `cannot reach Elasticsearch at ${url}: ${msg}. Check that the node is running and the URL is right; ` +
    'set ELASTIC_API_KEY or ELASTIC_USERNAME/ELASTIC_PASSWORD if it needs credentials. ' +
    `无法连接 Elasticsearch（${url}），请检查服务是否运行、地址是否正确。`
  );
}

/**
 * Whether the node answers, asked before any input is read: a run that would read for an hour
 * and then fail to index should fail at once instead. Null when it answers; otherwise one
 * bilingual sentence (never a credential).
 */
export async function unreachableReason(target: Omit<EsTarget, 'index'>): Promise<string | null> {
  const client = new Client({ node: target.url, ...(target.auth ? { auth: target.auth } : {}), requestTimeout: 10_000, maxRetries: 0 });
  try {
    await client.cluster.health({ timeout: '5s' });
    return null;
  } catch (e) {
    if (e instanceof errors.ResponseError && (e.statusCode === 401 || e.statusCode === 403)) {
      return `Elasticsearch at ${target.url} refused the credentials (HTTP ${e.statusCode}): check ELASTIC_API_KEY, ELASTIC_USERNAME/ELASTIC_PASSWORD or ELASTIC_CREDENTIALS_FILE. Elasticsearch 拒绝了凭据。`;
    }
    // Any other answer means a node is there; indexing reports what it says.
    if (e instanceof errors.ResponseError) return null;
    return describeConnectionError(target.url, e);
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function indexTransactions(target: EsTarget, records: Transaction[] | AsyncIterator<Transaction>): Promise<EsResult> {
  const client = new Client({
    node: target.url,
    ...(target.auth ? { auth: target.auth } : {}),
    requestTimeout: 60_000,
    maxRetries: 2,
  });
  try {
    try {
      // cluster.health rather than ping/info: the minimal integ-test distribution answers GET / with 405.
      await client.cluster.health({ timeout: '30s' });
      const t = templateFor(target.index);
      await client.indices.putIndexTemplate(t);
    } catch (e) {
      if (e instanceof errors.ConnectionError || e instanceof errors.TimeoutError || e instanceof errors.NoLivingConnectionsError) {
        throw new EsConnectionError(describeConnectionError(target.url, e));
      }
      if (e instanceof errors.ResponseError) {
        throw new EsConnectionError(`Elasticsearch at ${target.url} refused the index template: ${e.message} ${JSON.stringify(e.meta.body ?? '')}`.trim());
      }
      throw new EsConnectionError(describeConnectionError(target.url, e));
    }
    const failures: EsResult['failures'] = [];
    const stats = await client.helpers.bulk<Transaction>({
      datasource: records,
      onDocument: (doc) => [{ index: { _index: target.index, _id: documentId(doc.order_id) } }, toDocument(doc)],
      onDrop: (d) => {
        failures.push({ order_id: d.document.order_id, status: d.status, error: typeof d.error === 'object' ? JSON.stringify(d.error) : String(d.error) });
      },
      refreshOnCompletion: target.index,
      flushBytes: 2_000_000,
      concurrency: 2,
      retries: 3,
    });
    return {
      total: stats.total,
      indexed: stats.successful,
      failed: stats.failed,
      failures,
      retried: stats.retry,
      bytes: stats.bytes,
      time_ms: stats.time,
    };
  } finally {
    await client.close();
  }
}
