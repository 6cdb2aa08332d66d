import { Client, errors } from '@elastic/elasticsearch';
import { readFileSync } from 'node:fs';

// The connection to an Elasticsearch node: where it is, how salvage proves who it is (never
// from argv), which CA to trust. What is indexed, and how, lives under ./es/.

export interface EsTarget {
  url: string;
  /** From the environment or a file, never argv: ELASTIC_API_KEY, or ELASTIC_USERNAME + ELASTIC_PASSWORD. */
  auth?: { apiKey: string } | { username: string; password: string };
  /** PEM file of the CA that signed the node's certificate (--es-ca). */
  caFile?: string;
}

export class EsConnectionError extends Error {
  override name = 'EsConnectionError';
}

/** The client for a target; the CA file is read here so a bad path is found before any work. */
export function makeClient(target: EsTarget, opts: { requestTimeout?: number; maxRetries?: number } = {}): Client {
  let ca: Buffer | undefined;
  if (target.caFile) ca = readFileSync(target.caFile);
  return new Client({
    node: target.url,
    ...(target.auth ? { auth: target.auth } : {}),
    ...(ca ? { tls: { ca } } : {}),
    requestTimeout: opts.requestTimeout ?? 60_000,
    maxRetries: opts.maxRetries ?? 0,
  });
}

export function describeConnectionError(url: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (
    `cannot reach Elasticsearch at ${url}: ${msg}. Check that the node is running and the URL is right; ` +
    'set ELASTIC_API_KEY or ELASTIC_USERNAME/ELASTIC_PASSWORD if it needs credentials, and --es-ca if its certificate is signed by your own CA. ' +
    `无法连接 Elasticsearch（${url}），请检查服务是否运行、地址是否正确，必要时用 --es-ca 指定 CA 证书。`
  );
}

export function refusedCredentials(url: string, status: number): string {
  return `Elasticsearch at ${url} refused the credentials (HTTP ${status}): check ELASTIC_API_KEY, ELASTIC_USERNAME/ELASTIC_PASSWORD or ELASTIC_CREDENTIALS_FILE. Elasticsearch 拒绝了凭据。`;
}

/**
 * Whether the node answers, asked before any input is read: a run that would read for an hour
 * and then fail to index should fail at once instead. Null when it answers; otherwise one
 * bilingual sentence (never a credential).
 */
export async function unreachableReason(target: EsTarget): Promise<string | null> {
  const client = makeClient(target, { requestTimeout: 10_000 });
  try {
    await client.cluster.health({ timeout: '5s' });
    return null;
  } catch (e) {
    if (e instanceof errors.ResponseError && (e.statusCode === 401 || e.statusCode === 403)) return refusedCredentials(target.url, e.statusCode);
    // Any other answer means a node is there; indexing reports what it says.
    if (e instanceof errors.ResponseError) return null;
    return describeConnectionError(target.url, e);
  } finally {
    await client.close().catch(() => undefined);
  }
}
