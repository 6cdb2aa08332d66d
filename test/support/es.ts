// Helpers for tests that talk to a real Elasticsearch node.
//
// `npm test` runs the suite through scripts/with-es.js, which starts a
// throw-away node and exports its address as SALVAGE_TEST_ES_URL. Tests that
// need Elasticsearch must fail, never skip, when it is missing: a silently
// skipped integration test looks exactly like a passing one.
import { Client } from '@elastic/elasticsearch';

export function requireEsUrl(): string {
  const url = (process.env.SALVAGE_TEST_ES_URL ?? '').trim();
  if (url) return url;
  const reason = (process.env.SALVAGE_TEST_ES_ERROR ?? '').trim();
  throw new Error(
    [
      'This Elasticsearch integration test needs a real node, but SALVAGE_TEST_ES_URL is not set.',
      reason
        ? `scripts/with-es.js tried to start one and failed: ${reason}`
        : 'Run the suite with `npm test`, which starts one via scripts/with-es.js ' +
          '(or: node scripts/with-es.js node --test dist/test/), ' +
          'or point SALVAGE_TEST_ES_URL at a running Elasticsearch 9.x node.',
      'Starting a node needs Java 21+ under /usr/lib/jvm (or ES_JAVA_HOME) and mvn to fetch the distribution; ' +
        'see scripts/es/start.sh.',
    ].join('\n'),
  );
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ node: url });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Delete `index` (a name or pattern); a missing index is not an error. */
export async function deleteIndexIfExists(url: string, index: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.indices.delete({ index, ignore_unavailable: true, allow_no_indices: true }, { ignore: [404] });
  });
}

/** Make everything indexed so far in `index` visible to search and count. */
export async function refresh(url: string, index: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.indices.refresh({ index });
  });
}
