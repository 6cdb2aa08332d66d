// Proves the suite really has an Elasticsearch node: without one this test
// fails (requireEsUrl throws) instead of being skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@elastic/elasticsearch';
import { deleteIndexIfExists, refresh, requireEsUrl } from './support/es';

test('a real Elasticsearch 9.5.x node indexes and counts documents', async () => {
  const url = requireEsUrl();
  const client = new Client({ node: url });
  const index = `salvage-test-es-node-${process.pid}-${Date.now()}`;
  try {
    // The integ-test distribution has no rest-root module, so `GET /`
    // (client.info()) answers 405 there; the node's own info carries the version.
    const nodes = await client.nodes.info({ node_id: '_local', metric: '_none' });
    const versions = Object.values(nodes.nodes).map((n) => n.version);
    assert.equal(versions.length, 1, `expected one local node, got ${JSON.stringify(versions)}`);
    assert.match(versions[0], /^9\.5\.\d+$/);

    await deleteIndexIfExists(url, index);
    await client.indices.create({
      index,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { properties: { order_id: { type: 'keyword' }, amount: { type: 'double' } } },
    });

    const bulk = await client.bulk({
      refresh: true,
      operations: [1, 2, 3].flatMap((i) => [
        { index: { _index: index, _id: `order-${i}` } },
        { order_id: `order-${i}`, amount: i * 10 },
      ]),
    });
    assert.equal(bulk.errors, false, JSON.stringify(bulk.items));

    await refresh(url, index);
    const { count } = await client.count({ index });
    assert.equal(count, 3);

    await deleteIndexIfExists(url, index);
    assert.equal(await client.indices.exists({ index }), false);
  } finally {
    await deleteIndexIfExists(url, index).catch(() => undefined);
    await client.close();
  }
});
