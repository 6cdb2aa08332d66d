// Rule 7 of Kibana's import, against the real node: every field a data view, saved search or
// Lens panel names exists in the mapping the node builds from salvage's templates, with a date
// where a time field is needed and an aggregatable type where Lens or a sort aggregates. The
// fields are what field_caps answers on the data views' own titles (the aliases, and the runs
// pattern), which is what Kibana itself asks when it loads a data view.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { kibanaImportFile } from '../../src/kibana/build-file';
import { checkFieldUses, dataViewTitles, fieldUses, type FieldFacts } from '../../src/kibana/import-check';
import { DOC_KINDS, baseComponentName } from '../../src/sinks/es/mapping';
import { applyTemplates, createRunIndices, moveAliases } from '../../src/sinks/es/run-indices';
import { requireEsUrl } from '../support/es';

const P = 'salvage-test-kibana';
let client: Client;
let url = '';

async function cleanUp(): Promise<void> {
  await client.indices.delete({ index: `${P}-*`, ignore_unavailable: true, allow_no_indices: true }, { ignore: [404] });
  for (const kind of DOC_KINDS) await client.indices.deleteIndexTemplate({ name: `${P}-${kind}` }, { ignore: [404] });
  await client.cluster.deleteComponentTemplate({ name: baseComponentName(P) }, { ignore: [404] });
}

before(async () => {
  url = requireEsUrl();
  client = new Client({ node: url });
  await cleanUp();
  // What `salvage index` does before it writes: templates, one run's indices, aliases on them.
  await applyTemplates(client, P);
  await createRunIndices(client, P, 'kibana-r1');
  await moveAliases(client, P, 'kibana-r1');
});

after(async () => {
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
