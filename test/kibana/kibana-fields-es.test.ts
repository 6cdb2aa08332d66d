// Rule 7 of Kibana's import, against the real node: every field a data view, saved search or
// Lens panel names exists in the mapping the node builds from salvage's templates, with a date
// where a time field is needed and an aggregatable type where Lens or a sort aggregates. The
// fields are what field_caps answers on the data views' own titles (the aliases, and the runs
// pattern), which is what Kibana itself asks when it loads a data view.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { kibanaImportFile } from '../../src/kibana/build-file';
import { checkFieldUses, dataViewTitles, fieldUses, type FieldFacts } from '../../src/kibana/import-check';
import { DOC_KINDS, baseComponentName } from '../../src/sinks/es/mapping';
import { requireEsUrl } from '../support/es';
import { runCli } from '../support/run-cli';

const P = 'salvage-test-kibana';
let client: Client;
let url = '';
const root = mkdtempSync(join(tmpdir(), 'salvage-kibana-es-'));

/** A small access log: orders viewed, half of them paid through an epay callback. */
function writeLogs(dir: string, orders: number): void {
  mkdirSync(dir, { recursive: true });
  const ua = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0';
  const at = (min: number, sec: string) => `[21/Nov/2026:${String(9 + Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}:${sec} +0800]`;
  const rows: string[] = [];
  for (let i = 0; i < orders; i++) {
    const sn = `KB${String(i).padStart(12, '0')}`;
    rows.push(`198.51.100.${i + 1} - - ${at(i * 7, '00')} "GET /bill/${sn} HTTP/1.1" 200 512 "-" "${ua}"`);
    if (i % 2 === 0) {
      rows.push(`203.0.113.9 - - ${at(i * 7, '40')} "GET /pay/yipay/notify_url?money=${i + 3}.00&out_trade_no=${sn}&pid=1001&trade_no=E${i}&trade_status=TRADE_SUCCESS&type=wxpay&sign=00&sign_type=MD5 HTTP/1.1" 200 7 "-" "epay"`);
    }
  }
  writeFileSync(join(dir, 'access.log'), rows.join('\n') + '\n');
}

async function cleanUp(): Promise<void> {
  await client.indices.delete({ index: `${P}-*`, ignore_unavailable: true, allow_no_indices: true }, { ignore: [404] });
  for (const kind of DOC_KINDS) await client.indices.deleteIndexTemplate({ name: `${P}-${kind}` }, { ignore: [404] });
  await client.cluster.deleteComponentTemplate({ name: baseComponentName(P) }, { ignore: [404] });
}

before(async () => {
  url = requireEsUrl();
  client = new Client({ node: url });
  await cleanUp();
  // A real run indexed the way an analyst's is: templates, the run's indices, aliases on them.
  writeLogs(join(root, 'logs'), 20);
  const r = await runCli(['reconstruct', join(root, 'logs'), '--out', join(root, 'out'), '--es', url, '--es-prefix', P, '--quiet'], root);
  assert.ok(r.code === 0 || r.code === 1, r.stderr + r.stdout);
  await client.indices.refresh({ index: `${P}-*` });
});

after(async () => {
  rmSync(root, { recursive: true, force: true });
  if (!url) return;
  await cleanUp();
  await client.close();
});

/** The fields of an index, alias or pattern as the node describes them (one type per field here). */
async function nodeFields(index: string): Promise<Map<string, FieldFacts>> {
  const res = await client.fieldCaps({ index, fields: '*' });
  const out = new Map<string, FieldFacts>();
  for (const [name, byType] of Object.entries(res.fields)) {
    const types = Object.entries(byType).filter(([t]) => !t.startsWith('_'));
    if (types.length !== 1) continue;
    const [type, caps] = types[0]!;
    out.set(name, { type, aggregatable: caps.aggregatable, searchable: caps.searchable });
  }
  return out;
}

test('every field the Kibana objects name is mapped by the node, aggregatable where aggregated', async () => {
  const text = kibanaImportFile(P).text;
  const titles = dataViewTitles(text);
  assert.deepEqual([...titles.values()].sort(), [`${P}-evidence`, `${P}-runs-*`, `${P}-transactions`]);
  const fields = new Map<string, Map<string, FieldFacts>>();
  for (const title of titles.values()) {
    const f = await nodeFields(title);
    // Not an empty answer that would make every check below pass vacuously.
    assert.ok(f.size > 30, `${title}: field_caps answered ${f.size} fields`);
    fields.set(title, f);
  }
  const uses = fieldUses(text);
  assert.ok(uses.length >= 60, `only ${uses.length} field uses found`);
  assert.deepEqual(checkFieldUses(uses, (id) => titles.get(id), (t) => fields.get(t)!), []);
  // What the node says is what the check leans on: the text views are not aggregatable, the
  // record id is, and the time field is a date.
  const tx = fields.get(`${P}-transactions`)!;
  assert.equal(tx.get('user_agent.original.text')?.aggregatable, false);
  assert.equal(tx.get('salvage.record_id')?.aggregatable, true);
  assert.equal(tx.get('@timestamp')?.type, 'date');
  assert.equal(fields.get(`${P}-evidence`)!.get('salvage.evidence.timed')?.type, 'boolean');
});

test('the check fails when an object names a field the node does not aggregate', async () => {
  const text = kibanaImportFile(P).text;
  const titles = dataViewTitles(text);
  const broken = text.replace('"sourceField":"log.file.path"', '"sourceField":"url.original.text"');
  assert.notEqual(broken, text);
  const evidence = await nodeFields(`${P}-evidence`);
  const problems = checkFieldUses(fieldUses(broken), (id) => titles.get(id), (t) => (t === `${P}-evidence` ? evidence : new Map()));
  assert.ok(problems.some((p) => p.includes('url.original.text (text) is not aggregatable')), problems.join('\n'));
});

test('one click from a record reaches its evidence lines: the URL format\'s query finds exactly them', async () => {
  const text = kibanaImportFile(P).text;
  const views = new Map(text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((o) => o.type === 'index-pattern').map((o) => [o.id, o]));
  const template: string = JSON.parse(views.get(`${P}-transactions`).attributes.fieldFormatMap)['salvage.record_id'].params.urlTemplate;
  const evidenceView = /dataViewId:'([^']+)'/.exec(template)![1]!;
  const evidenceTitle: string = views.get(evidenceView).attributes.title;
  const records = await client.search<{ salvage: { record_id: string; evidence: { count: number } } }>({ index: `${P}-transactions`, size: 100, query: { match_all: {} } });
  assert.equal(records.hits.hits.length, 20);
  for (const h of records.hits.hits) {
    const rec = h._source!.salvage;
    // The link's KQL is salvage.record_id:"<id>", a term match on a keyword field.
    const lines = await client.count({ index: evidenceTitle, query: { term: { 'salvage.record_id': rec.record_id } } });
    assert.equal(lines.count, rec.evidence.count, `record ${rec.record_id}`);
    assert.ok(lines.count > 0);
  }
  // The panels have something to draw: channels and statuses to split by, timed lines per file.
  // (Lens combines channel and status with multi_terms, which the default distribution has; the
  // test node is the integration-test build without it, so nested terms stand in here.)
  const agg = await client.search({
    index: `${P}-transactions`,
    size: 0,
    aggs: { by: { terms: { field: 'salvage.channel' }, aggs: { status: { terms: { field: 'salvage.status' } } } }, amount: { sum: { field: 'salvage.amount' } } },
  });
  const buckets = (agg.aggregations!.by as { buckets: { key: string; status: { buckets: { key: string; doc_count: number }[] } }[] }).buckets;
  assert.ok(buckets.some((b) => b.status.buckets.some((s) => s.key === 'paid' && s.doc_count === 10)), JSON.stringify(buckets));
  assert.ok((agg.aggregations!.amount as { value: number }).value > 0);
  const timed = await client.count({ index: evidenceTitle, query: { term: { 'salvage.evidence.timed': true } } });
  assert.ok(timed.count > 20);
});
