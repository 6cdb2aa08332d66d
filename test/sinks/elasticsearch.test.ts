// The Elasticsearch side against a real node (started by scripts/with-es.js): the templates'
// mapping as the node reports it, the three kinds of document, per-run indices behind aliases,
// idempotent re-indexing, listing and rolling back runs, and the dead letter.

import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { requireEsUrl } from '../support/es';
import { runCli } from '../support/run-cli';
import type { Transaction } from '../../src/model/types';
import { transactionId } from '../../src/sinks/es/documents';
import { bulkIndex, DEFAULT_BULK } from '../../src/sinks/es/bulk-writer';

const root = mkdtempSync(join(tmpdir(), 'salvage-es-'));
after(() => rmSync(root, { recursive: true, force: true }));

const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0';
const line = (t: string, req: string, st = 200) => `10.0.0.2 - - [${t} +0800] "${req}" ${st} 100 "-" "${UA}" "203.0.113.${t.length}"`;
function writeLogs(dir: string, orders: number): void {
  mkdirSync(dir, { recursive: true });
  const rows: string[] = [];
  for (let i = 0; i < orders; i++) {
    const sn = `ORDER${String(i).padStart(11, '0')}`;
    rows.push(line(`21/Nov/2026:10:${String(i).padStart(2, '0')}:00`, `GET /bill/${sn} HTTP/1.1`));
    if (i % 2 === 0) {
      rows.push(line(`21/Nov/2026:10:${String(i).padStart(2, '0')}:30`,
        `GET /pay/yipay/notify_url?money=${i + 1}.50&out_trade_no=${sn}&pid=1001&trade_no=T${i}&trade_status=TRADE_SUCCESS&type=alipay&sign=abc&sign_type=MD5 HTTP/1.1`));
    }
  }
  writeFileSync(join(dir, 'access.log'), rows.join('\n') + '\n');
}

const records = (out: string) => readFileSync(join(out, 'transactions.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Transaction);
const unjoinedLines = (out: string) => readFileSync(join(out, 'unjoined.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; rule: string; file: string; line: number });
/** Evidence documents a run calls for: its records' distinct pointers and its distinct unjoined items. */
const evidenceCount = (out: string) =>
  new Set(records(out).flatMap((t) => t.evidence.map((e) => [t.order_id, e.file, e.line, e.offset, e.kind, e.rule].join('|')))).size +
  new Set(unjoinedLines(out).map((u) => [u.file, u.line, u.kind, u.rule].join('|'))).size;
const gapCount = (out: string) => (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { checks: { coverage: { gaps: unknown[] } } }).checks.coverage.gaps.length;

describe('Elasticsearch indexing (real node)', () => {
  let url = '';
  let client: Client;
  const P = 'salvage-test-es';
  const logs = join(root, 'logs');
  const env = { ELASTIC_USERNAME: 'analyst', ELASTIC_PASSWORD: 'sekret-pw-123' };
  before(async () => {
    url = requireEsUrl();
    client = new Client({ node: url });
    writeLogs(logs, 25);
    await client.indices.delete({ index: `${P}-*`, ignore_unavailable: true, allow_no_indices: true }, { ignore: [404] });
  });
  after(async () => {
    if (!url) return;
    await client.indices.delete({ index: `${P}-*`, ignore_unavailable: true, allow_no_indices: true }, { ignore: [404] });
    await client.close();
  });

  test('reconstruct --es indexes records, evidence and the run behind the aliases; mapping is keyword/numeric', async () => {
    const o1 = join(root, 'o1');
    const r = await runCli(['reconstruct', logs, '--out', o1, '--es', url, '--es-prefix', P], root, env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout + r.stderr, /sekret-pw-123/, 'no credential printed');
    assert.match(r.stdout, /aliases .* → this run/);
    const indexed = JSON.parse(readFileSync(join(o1, 'elasticsearch.json'), 'utf8')) as { run_id: string; expected: Record<string, number>; counted: Record<string, number>; bulk: { total: number; indexed: number; failed: number; unsent: number } };
    assert.equal(statSync(join(o1, 'elasticsearch.json')).mode & 0o777, 0o600);
    const tx = records(o1);
    assert.equal(tx.length, 25);
    const ev = evidenceCount(o1);
    assert.ok(ev >= 37, `expected the bill views and notifications as evidence, got ${ev}`);
    assert.deepEqual(indexed.counted, { transactions: 25, evidence: ev, runs: 1 + gapCount(o1) });
    assert.equal(indexed.bulk.total, 25 + ev);
    assert.equal(indexed.bulk.indexed + indexed.bulk.failed + indexed.bulk.unsent, indexed.bulk.total);

    // The aliases point at this run's indices, and only at them.
    for (const kind of ['transactions', 'evidence', 'runs']) {
      const a = await client.indices.getAlias({ name: `${P}-${kind}` });
      assert.deepEqual(Object.keys(a), [`${P}-${kind}-${indexed.run_id}`]);
    }
    assert.equal((await client.count({ index: `${P}-transactions` })).count, 25);

    // The mapping the node reports: what analysts filter and aggregate on is keyword or numeric.
    const caps = await client.fieldCaps({ index: `${P}-transactions,${P}-evidence`, fields: '*' });
    const typeOf = (f: string) => Object.keys(caps.fields[f] ?? {})[0];
    const aggregatable = (f: string) => Object.values(caps.fields[f] ?? {}).every((c) => c.aggregatable);
    for (const [f, t] of Object.entries({ 'salvage.order.id': 'keyword', 'salvage.status': 'keyword', 'salvage.channel': 'keyword', 'salvage.flags': 'keyword', 'salvage.record_id': 'keyword', 'salvage.amount': 'double', 'salvage.confidence': 'float', '@timestamp': 'date', 'event.action': 'keyword', 'source.ip': 'ip', 'http.response.status_code': 'long', 'log.offset': 'long', 'log.file.path': 'keyword', 'salvage.evidence.line': 'long', 'user_agent.original': 'keyword', 'url.original': 'keyword' })) {
      assert.equal(typeOf(f), t, `${f} should be ${t}`);
      assert.ok(aggregatable(f), `${f} should be aggregatable`);
    }

    // Numeric and keyword queries work on the records.
    const paid = await client.search<{ salvage: { order: { id: string } } }>({ index: `${P}-transactions`, query: { bool: { filter: [{ term: { 'salvage.status': 'paid' } }, { range: { 'salvage.amount': { gte: 10 } } }] } }, size: 50 });
    assert.deepEqual(paid.hits.hits.map((h) => h._source!.salvage.order.id).sort(), [10, 12, 14, 16, 18, 20, 22, 24].map((i) => `ORDER${String(i).padStart(11, '0')}`));

    // From a record to its raw lines: the evidence documents name the exact file, line and offset.
    const id = transactionId('ORDER00000000010');
    const lines = await client.search<{ log: { file: { path: string }; offset: number }; salvage: { evidence: { line: number; kind: string } }; source?: { ip: string }; http?: { response: { status_code: number } } }>({ index: `${P}-evidence`, query: { term: { 'salvage.record_id': id } }, size: 10 });
    assert.ok(lines.hits.hits.length >= 2);
    const raw = readFileSync(join(logs, 'access.log'));
    for (const h of lines.hits.hits) {
      const s = h._source!;
      const text = raw.subarray(s.log.offset, raw.indexOf(0x0a, s.log.offset)).toString('utf8');
      assert.equal(text, readFileSync(join(logs, 'access.log'), 'utf8').split('\n')[s.salvage.evidence.line - 1], 'offset and line name the same raw line');
      assert.match(text, /ORDER00000000010/);
      // The forwarded-for address is the client's (as the nginx integration restores it to source.ip).
      assert.equal(s.source?.ip, /"([\d.]+)"$/.exec(text)![1]);
      assert.equal(s.http?.response.status_code, 200);
    }

    // The run document: the report's counts and settings.
    const run = await client.get<{ salvage: { run: { records: { total: number }; documents: { evidence: number }; settings: { tz: string } } } }>({ index: `${P}-runs`, id: indexed.run_id });
    assert.equal(run._source!.salvage.run.records.total, 25);
    assert.equal(run._source!.salvage.run.documents.evidence, ev);
    assert.equal(run._source!.salvage.run.settings.tz, 'Asia/Shanghai');
  });

  test('indexing the same out-dir again adds nothing; a second run moves the aliases; --list and --rollback', async () => {
    const o1 = join(root, 'o1');
    const run1 = (JSON.parse(readFileSync(join(o1, 'elasticsearch.json'), 'utf8')) as { run_id: string }).run_id;
    const again = await runCli(['index', o1, '--es', url, '--es-prefix', P], root, env);
    assert.equal(again.code, 0, again.stderr);
    await client.indices.refresh({ index: `${P}-*` });
    assert.equal((await client.count({ index: `${P}-transactions-${run1}` })).count, 25, 'a re-run of the same out-dir must not add documents');
    assert.equal((await client.count({ index: `${P}-evidence-${run1}` })).count, evidenceCount(o1));

    // A second run, with five more orders.
    const logs2 = join(root, 'logs2');
    writeLogs(logs2, 30);
    const o2 = join(root, 'o2');
    const r2 = await runCli(['reconstruct', logs2, '--out', o2, '-q'], root);
    assert.equal(r2.code, 0, r2.stderr);
    const i2 = await runCli(['index', o2, '--es', url, '--es-prefix', P, '-q'], root, env);
    assert.equal(i2.code, 0, i2.stderr);
    const run2 = (JSON.parse(readFileSync(join(o2, 'elasticsearch.json'), 'utf8')) as { run_id: string }).run_id;
    assert.notEqual(run2, run1);
    assert.equal((await client.count({ index: `${P}-transactions` })).count, 30);
    // The same record has the same _id in both runs' indices: comparing runs is a join on _id.
    const id = transactionId('ORDER00000000003');
    assert.ok((await client.exists({ index: `${P}-transactions-${run1}`, id })) && (await client.exists({ index: `${P}-transactions-${run2}`, id })));

    const list = await runCli(['index', '--list', '--es', url, '--es-prefix', P], root, env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`\\* ${run2}`));
    assert.match(list.stdout, new RegExp(`  ${run1}`));

    const back = await runCli(['index', '--rollback', '--es', url, '--es-prefix', P], root, env);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, new RegExp(`${run2} → ${run1}`));
    for (const kind of ['transactions', 'evidence', 'runs']) assert.deepEqual(Object.keys(await client.indices.getAlias({ name: `${P}-${kind}` })), [`${P}-${kind}-${run1}`]);
    assert.equal((await client.count({ index: `${P}-transactions` })).count, 25);
    const oldest = await runCli(['index', '--rollback', '--es', url, '--es-prefix', P], root, env);
    assert.equal(oldest.code, 2, 'nothing older to roll back to');
    assert.match(oldest.stderr, /nothing to roll back to .*无法回滚/);
  });

  test('a document the node refuses goes to the dead letter with the reason; the aliases stay', async () => {
    const o1 = join(root, 'o1');
    const bad = join(root, 'o-bad');
    cpSync(o1, bad, { recursive: true });
    rmSync(join(bad, 'elasticsearch.json'));
    // Another run (another report), in which one record's amount is not a number.
    const report = JSON.parse(readFileSync(join(bad, 'report.json'), 'utf8')) as { run: { generated_at: string } };
    report.run.generated_at = new Date(Date.parse(report.run.generated_at) + 60_000).toISOString();
    writeFileSync(join(bad, 'report.json'), JSON.stringify(report));
    const tx = records(bad);
    (tx[3] as unknown as { amount: string }).amount = 'lots';
    writeFileSync(join(bad, 'transactions.ndjson'), tx.map((t) => JSON.stringify(t)).join('\n') + '\n');
    const before = Object.keys(await client.indices.getAlias({ name: `${P}-transactions` }));

    const r = await runCli(['index', bad, '--es', url, '--es-prefix', P], root, env);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    // The record and its evidence documents (which repeat its amount) are refused; nothing else.
    const refused = 1 + tx[3]!.evidence.length;
    const total = tx.length + evidenceCount(bad);
    assert.match(r.stderr, new RegExp(`${total} document\\(s\\) sent: ${total - refused} indexed, ${refused} failed, 0 unsent`));
    assert.match(r.stderr, /aliases NOT moved/);
    const dead = join(bad, 'es-dead-letter.ndjson');
    assert.equal(statSync(dead).mode & 0o777, 0o600);
    const rows = readFileSync(dead, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { _id: string; status: number; reason: string });
    assert.equal(rows.length, refused);
    assert.equal(rows[0]!._id, transactionId(tx[3]!.order_id));
    for (const row of rows) {
      assert.equal(row.status, 400);
      assert.match(row.reason, /document_parsing_exception|mapper_parsing_exception|number_format/);
    }
    const res = JSON.parse(readFileSync(join(bad, 'elasticsearch.json'), 'utf8')) as { bulk: { total: number; indexed: number; failed: number; unsent: number }; aliases_moved: boolean };
    assert.equal(res.bulk.indexed + res.bulk.failed + res.bulk.unsent, res.bulk.total);
    assert.equal(res.bulk.failed, refused);
    assert.equal(res.aliases_moved, false);
    assert.deepEqual(Object.keys(await client.indices.getAlias({ name: `${P}-transactions` })), before, 'an incomplete run does not take the aliases');
    assert.ok(!existsSync(join(root, 'o1', 'es-dead-letter.ndjson')));
  });

  test('bulk: the source is read no faster than the node acknowledges (bounded in flight)', async () => {
    const index = `${P}-bounded`;
    const batchDocs = 50;
    const concurrency = 2;
    let read = 0;
    let widest = 0;
    let done = 0;
    async function* source() {
      for (let i = 0; i < 3000; i++) {
        read++;
        widest = Math.max(widest, read - done);
        yield { index, id: `d${i}`, doc: { n: i, pad: 'x'.repeat(200) } };
      }
    }
    const stats = await bulkIndex(client, source(), {
      ...DEFAULT_BULK,
      batchDocs,
      concurrency,
      deadLetter: async () => assert.fail('nothing should fail'),
      onProgress: (s) => (done = s.indexed + s.failed + s.unsent),
    });
    assert.deepEqual([stats.total, stats.indexed, stats.failed, stats.unsent], [3000, 3000, 0, 0]);
    assert.equal(stats.requests, 3000 / batchDocs);
    // At most the requests in flight plus the batch being filled are read ahead of the node.
    assert.ok(widest <= (concurrency + 1) * batchDocs, `read ${widest} documents ahead of the node`);
    await client.indices.refresh({ index });
    assert.equal((await client.count({ index })).count, 3000);
  });

  test('the sample shop: unjoined evidence and coverage holes are documents too, and the run document is mapped', async () => {
    const out = join(root, 'shop');
    const shop = join(__dirname, '..', '..', '..', 'samples', 'shop');
    const r = await runCli(['reconstruct', join(shop, 'logs'), '--keys', join(shop, 'keys.json'), '--out', out, '--es', url, '--es-prefix', `${P}-shop`, '-q'], root, env);
    assert.equal(r.code, 1, r.stderr + r.stdout); // the sample's damaged inputs
    const res = JSON.parse(readFileSync(join(out, 'elasticsearch.json'), 'utf8')) as { run_id: string; counted: Record<string, number>; aliases_moved: boolean };
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { unjoined: { count: number; by_reason: Record<string, number> }; checks: { coverage: { gaps: { source: string; hours: number }[] } } };
    assert.ok(report.unjoined.count > 0 && gapCount(out) > 0, 'the sample has unjoined evidence and coverage holes');
    assert.equal(unjoinedLines(out).length, report.unjoined.count, 'unjoined.ndjson holds every unjoined item');
    assert.deepEqual(res.counted, { transactions: records(out).length, evidence: evidenceCount(out), runs: 1 + gapCount(out) });
    assert.equal(res.aliases_moved, true);

    // The top unjoined evidence, as a Lens panel would ask for it: the report's counts by reason.
    const top = await client.search({ index: `${P}-shop-evidence`, size: 0, query: { term: { 'salvage.evidence.joined': false } }, aggs: { r: { terms: { field: 'salvage.unjoined.reason', size: 100 } } } });
    const byReason = Object.fromEntries((top.aggregations as { r: { buckets: { key: string; doc_count: number }[] } }).r.buckets.map((b) => [b.key, b.doc_count]));
    assert.deepEqual(byReason, report.unjoined.by_reason);
    // Coverage holes per source.
    const holes = await client.search({ index: `${P}-shop-runs`, size: 0, query: { term: { 'event.dataset': 'salvage.coverage' } }, aggs: { s: { terms: { field: 'salvage.gap.source' }, aggs: { h: { sum: { field: 'salvage.gap.hours' } } } } } });
    const perSource: Record<string, number> = {};
    for (const g of report.checks.coverage.gaps) perSource[g.source] = (perSource[g.source] ?? 0) + g.hours;
    assert.deepEqual(Object.fromEntries((holes.aggregations as { s: { buckets: { key: string; h: { value: number } }[] } }).s.buckets.map((b) => [b.key, b.h.value])), perSource);

    // Every field of the run document as the node stored it is in the template (dynamic: false would hide a stray one).
    const { documentPaths, mappedFields } = await import('../../src/sinks/es/mapping');
    const run = await client.get<Record<string, unknown>>({ index: `${P}-shop-runs`, id: res.run_id });
    const fields = mappedFields('runs');
    const exact = new Set(fields.map((f) => f.path));
    const opaque = fields.filter((f) => f.type === 'object' || f.type === 'flattened').map((f) => f.path + '.');
    assert.deepEqual([...documentPaths(run._source)].filter((p) => !exact.has(p) && !opaque.some((o) => p.startsWith(o))), []);
    await client.indices.delete({ index: `${P}-shop-*` });
  });

  test('usage: --es-ca must exist; a URL with credentials in it is refused', async () => {
    const a = await runCli(['index', join(root, 'o1'), '--es', url, '--es-ca', join(root, 'nope.pem')], root);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /--es-ca .*no such file/);
    const b = await runCli(['index', join(root, 'o1'), '--es', url.replace('//', '//u:sekret-pw-123@')], root);
    assert.equal(b.code, 2);
    assert.doesNotMatch(b.stderr, /sekret-pw-123/);
    const c = await runCli(['index', root, '--es', url], root);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /no report\.json/);
  });
});
