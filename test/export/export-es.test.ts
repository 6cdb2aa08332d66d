// `salvage export --from es:<alias>` against a real node (started by scripts/with-es.js): records
// indexed here from a finished run's transactions.ndjson, read back through a point in time and
// search_after in small pages, must equal the export from the run folder itself.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { deleteIndexIfExists, requireEsUrl } from '../support/es';
import { runCli } from '../support/run-cli';
import type { Transaction } from '../../src/model/types';

const root = mkdtempSync(join(tmpdir(), 'salvage-export-es-'));
after(() => rmSync(root, { recursive: true, force: true }));

const index = `salvage-test-export-${process.pid}`;
const alias = `${index}-alias`;
const byId = (a: Transaction, b: Transaction) => (a.order_id < b.order_id ? -1 : 1);
const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('export from Elasticsearch (real node)', () => {
  let url = '';
  let run = '';
  let recs: Transaction[] = [];
  before(async () => {
    url = requireEsUrl();
    const sim = join(root, 'sim');
    const s = await runCli(['simulate', '--out', sim, '--orders', '60', '--damage', 'none', '--seed', '21'], root);
    assert.equal(s.code, 0, s.stderr);
    run = join(root, 'run');
    const r = await runCli(['reconstruct', join(sim, 'logs'), '--keys', join(sim, 'keys.json'), '--out', run, '--workers', '1', '-q'], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    recs = lines(readFileSync(join(run, 'transactions.ndjson'), 'utf8')).map((l) => JSON.parse(l) as Transaction);
    assert.ok(recs.length > 20);
    await deleteIndexIfExists(url, index);
    const client = new Client({ node: url });
    try {
      // The documents as an index holds them: the record plus the index's own @timestamp.
      const operations = recs.flatMap((t) => [{ index: { _index: index, _id: t.order_id } }, { ...t, '@timestamp': t.created_at }]);
      const bulk = await client.bulk({ operations, refresh: true });
      assert.equal(bulk.errors, false);
      await client.indices.putAlias({ index, name: alias });
    } finally {
      await client.close();
    }
  });
  after(async () => {
    if (url) await deleteIndexIfExists(url, index);
  });

  test('ndjson through pages of 7 equals the records, each once', async () => {
    const out = join(root, 'es.ndjson');
    const e = await runCli(['export', '--from', `es:${alias}`, '--es-url', url, '--format', 'ndjson', '--page-size', '7', '--out', out], root);
    assert.equal(e.code, 0, e.stderr);
    const got = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l) as Transaction);
    assert.equal(got.length, recs.length);
    assert.deepEqual(got.sort(byId), [...recs].sort(byId));
  });

  test('sql from the alias has the same rows as sql from the run folder', async () => {
    const statements = async (from: string) => {
      const out = join(root, `${from.replace(/\W/g, '_')}.sql`);
      const e = await runCli(['export', '--from', from, '--es-url', url, '--format', 'sql', '--platform', 'dujiaoka', '--status', 'delivered,refunded', '--page-size', '5', '--out', out], root);
      assert.equal(e.code, 0, e.stderr);
      return lines(readFileSync(out, 'utf8')).filter((l) => l.startsWith('INSERT ')).sort();
    };
    const fromEs = await statements(`es:${alias}`);
    assert.ok(fromEs.length > 5);
    assert.deepEqual(fromEs, await statements(run));
  });

  test('a run indexed by `salvage index` exports back to its own records, through the ECS documents', async () => {
    const prefix = `salvage-test-exportidx-${process.pid}`;
    const ix = await runCli(['index', run, '--es', url, '--es-prefix', prefix, '-q'], root);
    assert.equal(ix.code, 0, ix.stderr);
    try {
      const out = join(root, 'es-indexed.ndjson');
      const e = await runCli(['export', '--from', `es:${prefix}-transactions`, '--es-url', url, '--format', 'ndjson', '--page-size', '9', '--out', out], root);
      assert.equal(e.code, 0, e.stderr);
      const got = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l) as Transaction);
      assert.deepEqual(got.sort(byId), [...recs].sort(byId));
    } finally {
      const client = new Client({ node: url });
      try {
        await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true, expand_wildcards: 'all' });
      } finally {
        await client.close();
      }
    }
  });

  test('a missing index and an unreachable node are usage errors with the reason', async () => {
    const missing = await runCli(['export', '--from', `es:${index}-nope`, '--es-url', url, '--format', 'ndjson'], root);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /index_not_found|no such index/);
    const down = await runCli(['export', '--from', `es:${alias}`, '--es-url', 'http://127.0.0.1:1', '--format', 'ndjson'], root);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /Elasticsearch/);
  });
});
