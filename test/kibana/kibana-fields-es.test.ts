// Rule 7 of Kibana's import, against the real node: every field a data view, saved search or
// Lens panel names exists in the mapping the node builds from salvage's templates, with a date
// where a time field is needed and an aggregatable type where Lens or a sort aggregates. The
// fields are what field_caps answers on the data views' own titles (the aliases, and the runs
// pattern), which is what Kibana itself asks when it loads a data view.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { kibanaImportFile } from '../../src/kibana/build-file';
import { checkFieldUses, dataViewTitles, fieldUses, type FieldFacts } from '../../src/kibana/import-check';
import { DOC_KINDS, aliasName, baseComponentName } from '../../src/sinks/es/mapping';
import { SEARCHES } from '../../src/kibana/queries';
import { splitCsvRow } from '../../src/sources/statements/common';
import { packageRoot } from '../../src/util/package-root';
import { requireEsUrl } from '../support/es';
import { runCli } from '../support/run-cli';

const P = 'salvage-test-kibana';
let client: Client;
let url = '';
const root = mkdtempSync(join(tmpdir(), 'salvage-kibana-es-'));

async function cleanUp(): Promise<void> {
  await client.indices.delete({ index: `${P}-*`, ignore_unavailable: true, allow_no_indices: true }, { ignore: [404] });
  for (const kind of DOC_KINDS) await client.indices.deleteIndexTemplate({ name: `${P}-${kind}` }, { ignore: [404] });
  await client.cluster.deleteComponentTemplate({ name: baseComponentName(P) }, { ignore: [404] });
}

before(async () => {
  url = requireEsUrl();
  client = new Client({ node: url });
  await cleanUp();
  // A real run indexed the way an analyst's is (templates, the run's indices, aliases on them):
  // the bundled sample shop, which has paid orders, unjoined evidence and coverage holes.
  const shop = join(packageRoot(), 'samples', 'shop');
  const r = await runCli(['reconstruct', join(shop, 'logs'), '--keys', join(shop, 'keys.json'), '--out', join(root, 'out'), '--es', url, '--es-prefix', P, '--quiet'], root);
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
  assert.deepEqual([...titles.values()].sort(), [`${P}-evidence`, `${P}-runs`, `${P}-transactions`]);
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
  assert.equal(fields.get(`${P}-evidence`)!.get('salvage.unjoined.reason')?.aggregatable, true);
  assert.equal(fields.get(`${P}-runs`)!.get('salvage.gap.hours')?.aggregatable, true);
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
  const views = new Map(objectsOf(text).filter((o) => o.type === 'index-pattern').map((o) => [o.id, o]));
  const template: string = JSON.parse(views.get(`${P}-transactions`).attributes.fieldFormatMap)['salvage.record_id'].params.urlTemplate;
  const evidenceView = /dataViewId:'([^']+)'/.exec(template)![1]!;
  const evidenceTitle: string = views.get(evidenceView).attributes.title;
  const records = await client.search<{ salvage: { record_id: string; evidence: { count: number } } }>({ index: `${P}-transactions`, size: 200, query: { match_all: {} }, sort: [{ 'salvage.record_id': 'asc' }] });
  assert.ok(records.hits.hits.length >= 100, `${records.hits.hits.length} records`);
  for (const h of records.hits.hits) {
    const rec = h._source!.salvage;
    // The link's KQL is salvage.record_id:"<id>", a term match on a keyword field.
    const lines = await client.count({ index: evidenceTitle, query: { term: { 'salvage.record_id': rec.record_id } } });
    assert.equal(lines.count, rec.evidence.count, `record ${rec.record_id}`);
    assert.ok(lines.count > 0);
  }
});

const objectsOf = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** A Lens panel's filter as a query: salvage's panels use `field : "value"`, `field : true|false` or none. */
function panelQuery(kql: string): object {
  if (kql.trim() === '') return { match_all: {} };
  const m = /^([\w.@]+) : (?:"([^"]*)"|(true|false))$/.exec(kql.trim());
  assert.ok(m, `a panel filter this test cannot read: ${kql}`);
  return { term: { [m[1]!]: m[2] ?? m[3] === 'true' } };
}

test('on a real run, every Lens panel finds documents to draw, on the data view it names', async () => {
  const text = kibanaImportFile(P).text;
  const titles = dataViewTitles(text);
  const panels = objectsOf(text).filter((o) => o.type === 'lens');
  assert.equal(panels.length, 6);
  for (const p of panels) {
    const layerRef = p.references.find((r: { name: string }) => r.name.startsWith('indexpattern-datasource-layer-'));
    const index = titles.get(layerRef.id)!;
    const res = await client.count({ index, query: panelQuery(p.attributes.state.query.query) });
    assert.ok(res.count > 0, `${p.attributes.title}: no documents in ${index}`);
    // Each bucketed field of the panel has values in those documents.
    for (const layer of Object.values(p.attributes.state.datasourceStates.formBased.layers) as { columns: Record<string, { isBucketed: boolean; sourceField: string }> }[]) {
      for (const c of Object.values(layer.columns).filter((c) => c.isBucketed)) {
        const withField = await client.count({ index, query: { bool: { filter: [panelQuery(p.attributes.state.query.query), { exists: { field: c.sourceField } }] } } });
        assert.ok(withField.count > 0, `${p.attributes.title}: no ${c.sourceField}`);
      }
    }
  }
});

test('on a real run, the review queue search finds exactly the rows of the run\'s review.csv, task for task', async () => {
  const [header, ...rows] = readFileSync(join(root, 'out', 'review.csv'), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean).map(splitCsvRow);
  const col = (name: string) => header!.indexOf(name);
  const want = rows.map((r) => `${r[col('order_id')]} ${r[col('task')]}`).sort();
  assert.ok(want.length > 0, 'the sample shop has tasks to find');
  const search = SEARCHES.find((s) => s.id === 'review-queue')!;
  assert.equal(search.kql, 'salvage.review.task : *', 'this test reads the KQL as an exists query');
  const res = await client.search<{ salvage: { order: { id: string }; review: { task: string } } }>({
    index: aliasName(P, 'transactions'),
    size: 10_000,
    query: { exists: { field: 'salvage.review.task' } },
    _source: ['salvage.order.id', 'salvage.review.task'],
  });
  const got = res.hits.hits.map((h) => `${h._source!.salvage.order.id} ${h._source!.salvage.review.task}`).sort();
  assert.deepEqual(got, want);
});
