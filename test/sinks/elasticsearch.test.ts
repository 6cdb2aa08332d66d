// The Elasticsearch sink against a real node (started by scripts/with-es.js): template,
// documents, idempotent re-runs, and a clear failure when the node cannot be reached.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { deleteIndexIfExists, requireEsUrl } from '../support/es';
import { runCli } from '../support/run-cli';
import type { RunReport } from '../../src/sinks/report';

const root = mkdtempSync(join(tmpdir(), 'salvage-es-'));
after(() => rmSync(root, { recursive: true, force: true }));

const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0';
const line = (t: string, req: string, st = 200) => `10.0.0.2 - - [${t} +0800] "${req}" ${st} 100 "-" "${UA}" "203.0.113.${t.length}"`;
function writeLogs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const rows: string[] = [];
  for (let i = 0; i < 25; i++) {
    const sn = `ORDER${String(i).padStart(11, '0')}`;
    rows.push(line(`21/Nov/2026:10:${String(i).padStart(2, '0')}:00`, `GET /bill/${sn} HTTP/1.1`));
    if (i % 2 === 0) {
      rows.push(line(`21/Nov/2026:10:${String(i).padStart(2, '0')}:30`,
        `GET /pay/yipay/notify_url?money=${i + 1}.50&out_trade_no=${sn}&pid=1001&trade_no=T${i}&trade_status=TRADE_SUCCESS&type=alipay&sign=abc&sign_type=MD5 HTTP/1.1`));
    }
  }
  writeFileSync(join(dir, 'access.log'), rows.join('\n') + '\n');
}

describe('Elasticsearch sink (real node)', () => {
  let url = '';
  const index = 'salvage-test-idempotent';
  const logs = join(root, 'logs');
  before(async () => {
    url = requireEsUrl();
    writeLogs(logs);
    await deleteIndexIfExists(url, index);
  });
  after(async () => {
    if (url) await deleteIndexIfExists(url, index);
  });

  test('indexes every record, and a re-run of the same input adds no duplicates', async () => {
    const first = await runCli(['reconstruct', logs, '--out', join(root, 'o1'), '--es', url, '--index', index], root);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const r1 = JSON.parse(readFileSync(join(root, 'o1', 'report.json'), 'utf8')) as RunReport;
    assert.ok(r1.elasticsearch && !('error' in r1.elasticsearch));
    assert.equal(r1.records.total, 25);
    assert.equal((r1.elasticsearch as { indexed: number }).indexed, 25);

    const client = new Client({ node: url });
    try {
      assert.equal((await client.count({ index })).count, 25);
      const second = await runCli(['reconstruct', logs, '--out', join(root, 'o2'), '--es', url, '--index', index], root);
      assert.equal(second.code, 0, second.stderr);
      await client.indices.refresh({ index });
      assert.equal((await client.count({ index })).count, 25, 're-running the same input must not add documents');

      // The template's mapping is in force: ids as keyword, amount numeric, dates as dates.
      const mapping = await client.indices.getMapping({ index });
      const props = mapping[index]!.mappings.properties!;
      assert.equal(props.order_id!.type, 'keyword');
      assert.equal(props.amount!.type, 'double');
      assert.equal(props.paid_at!.type, 'date');
      assert.equal(props['@timestamp']!.type, 'date');

      // Numeric and date queries work on the indexed records.
      const paid = await client.search({ index, query: { bool: { filter: [{ term: { status: 'paid' } }, { range: { amount: { gte: 10 } } }] } }, size: 50 });
      const hits = paid.hits.hits.map((h) => h._source as { order_id: string; amount: number });
      // Orders 0,2,…,24 are paid with amount i+1.5; those ≥ 10 are i = 10, 12, …, 24.
      assert.deepEqual(hits.map((h) => h.order_id).sort(), [10, 12, 14, 16, 18, 20, 22, 24].map((i) => `ORDER${String(i).padStart(11, '0')}`));
      const first10 = await client.get<{ order_id: string; evidence: unknown[] }>({ index, id: require('../../src/sinks/elasticsearch').documentId('ORDER00000000010') });
      assert.equal(first10._source!.order_id, 'ORDER00000000010');
      assert.ok(first10._source!.evidence.length >= 2);
    } finally {
      await client.close();
    }
  });
});

// An unreachable node is now refused before any input is read (exit 2): test/e2e/es-unreachable.test.ts.
