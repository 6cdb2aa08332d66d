// The Kibana import file against the rules Kibana's import applies (no Kibana can be installed
// here): the shipped file is the generated one, it passes every rule, and each rule, broken on
// purpose, is caught. The fields against the node's own mapping: kibana-fields-es.test.ts.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { kibanaImportFile } from '../../src/kibana/build-file';
import { checkFieldUses, checkImportFile, dataViewTitles, fieldUses } from '../../src/kibana/import-check';
import { kqlFields } from '../../src/kibana/kql';
import { ANOMALY_FLAGS, INFORMATIONAL_FLAGS, SEARCHES } from '../../src/kibana/queries';
import { reviewTask } from '../../src/sinks/review';
import type { Transaction } from '../../src/model/types';
import { KIBANA_TARGET, tooNewForTarget } from '../../src/kibana/target';
import { kindOfTitle, templateFieldFacts } from '../../src/kibana/template-fields';
import { packageRoot } from '../../src/util/package-root';
import { runCli } from '../support/run-cli';

const SHIPPED = join(packageRoot(), 'kibana', 'salvage-saved-objects.ndjson');
const root = mkdtempSync(join(tmpdir(), 'salvage-kibana-'));
after(() => rmSync(root, { recursive: true, force: true }));

const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
const rulesBroken = (text: string) => new Set(checkImportFile(text).problems.map((p) => p.rule));
/** The shipped file with one object changed by `edit`. */
function edited(pick: (o: Record<string, any>) => boolean, edit: (o: Record<string, any>) => void): string {
  const objs = lines(readFileSync(SHIPPED, 'utf8'));
  const target = objs.find(pick);
  assert.ok(target, 'the object to edit is in the file');
  edit(target);
  return objs.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

test('the shipped file is exactly what `salvage kibana` generates (regenerate it with the command)', async () => {
  const out = join(root, 'objects.ndjson');
  const r = await runCli(['kibana', '--out', out], root);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote 15 saved objects for Kibana 8\.17\.0/);
  assert.match(r.stdout, /已写入/);
  assert.equal(readFileSync(out, 'utf8'), readFileSync(SHIPPED, 'utf8'), 'kibana/salvage-saved-objects.ndjson is stale: run `node bin/salvage.js kibana --out kibana/salvage-saved-objects.ndjson`');
  assert.equal(statSync(out).mode & 0o777, 0o644);
  assert.deepEqual(readdirSync(root).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
});

test('the shipped file passes every import rule and holds the views, searches, panels and dashboard', () => {
  const text = readFileSync(SHIPPED, 'utf8');
  const res = checkImportFile(text);
  assert.deepEqual(res.problems, []);
  const byType = new Map<string, number>();
  for (const o of lines(text)) byType.set(o.type, (byType.get(o.type) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(byType), { 'index-pattern': 3, search: 5, lens: 6, dashboard: 1 });
  for (const o of lines(text)) {
    assert.equal(tooNewForTarget(o.type, o.typeMigrationVersion), null);
    assert.equal(tooNewForTarget('core', o.coreMigrationVersion), null);
  }
  const board = lines(text).find((o) => o.type === 'dashboard')!;
  assert.equal(JSON.parse(board.attributes.panelsJSON).length, 7);
});

test('a record links to its evidence, and evidence back to its record, through URL field formats', () => {
  const text = readFileSync(SHIPPED, 'utf8');
  const views = new Map(lines(text).filter((o) => o.type === 'index-pattern').map((o) => [o.id, o]));
  const formats = (id: string) => JSON.parse(views.get(id)!.attributes.fieldFormatMap);
  const toEvidence = formats('salvage-transactions')['salvage.record_id'];
  assert.equal(toEvidence.id, 'url');
  assert.match(toEvidence.params.urlTemplate, /dataViewId:'salvage-evidence'/);
  assert.match(toEvidence.params.urlTemplate, /query:'salvage\.record_id:"\{\{value\}\}"'/);
  // Kibana's URL format puts origin + base path + "/app/" before a "../" template: it must land
  // on Discover with or without a base path.
  for (const base of ['https://k.example/app/', 'https://k.example/kibana/app/']) {
    const link = new URL(toEvidence.params.urlTemplate.replace('{{value}}', 'abc123'), base);
    assert.equal(link.pathname, new URL('discover', base).pathname);
    assert.match(decodeURIComponent(link.hash), /salvage\.record_id:"abc123"/);
  }
  const toRecord = formats('salvage-evidence')['salvage.record_id'];
  assert.match(toRecord.params.urlTemplate, /dataViewId:'salvage-transactions'/);
  for (const v of views.values()) assert.equal(v.attributes.timeFieldName, '@timestamp');
});

test('each import rule, broken on purpose, is caught', () => {
  const ok = readFileSync(SHIPPED, 'utf8');
  assert.ok(rulesBroken(ok.replace('\n', '\n{not json\n')).has('1 json'), 'rule 1');
  assert.ok(rulesBroken(edited((o) => o.type === 'lens', (o) => delete o.coreMigrationVersion)).has('2 fields'), 'rule 2: a missing version');
  assert.ok(rulesBroken(edited((o) => o.type === 'search', (o) => delete o.references)).has('2 fields'), 'rule 2: no references');
  assert.ok(rulesBroken(edited((o) => o.type === 'dashboard', (o) => (o.typeMigrationVersion = '10.3.0'))).has('2 versions'), 'rule 2: a dashboard model version 8.17 lacks');
  assert.ok(rulesBroken(edited((o) => o.type === 'lens', (o) => (o.typeMigrationVersion = '8.18.0'))).has('2 versions'), 'rule 2: a version after the target');
  assert.ok(rulesBroken(edited((o) => o.type === 'index-pattern', (o) => (o.coreMigrationVersion = '9.0.0'))).has('2 versions'), 'rule 2: core version after the target');
  const dup = ok + ok.split('\n')[0] + '\n';
  assert.ok(rulesBroken(dup).has('3 unique'), 'rule 3');
  assert.ok(rulesBroken(edited((o) => o.type === 'search', (o) => (o.references[0].id = 'no-such-view'))).has('4 references'), 'rule 4: a data view not in the file');
  assert.ok(rulesBroken(edited((o) => o.type === 'dashboard', (o) => (o.references.find((r: { type: string }) => r.type === 'search').id = 'gone'))).has('4 references'), 'rule 4: a search not in the file');
  assert.ok(rulesBroken(edited((o) => o.type === 'dashboard', (o) => o.references.pop())).has('4 references'), 'rule 4: a panel with no reference');
  assert.ok(rulesBroken(edited((o) => o.type === 'dashboard', (o) => (o.attributes.panelsJSON = JSON.parse(o.attributes.panelsJSON)))).has('5 json strings'), 'rule 5: panelsJSON as an array');
  assert.ok(rulesBroken(edited((o) => o.type === 'search', (o) => (o.attributes.kibanaSavedObjectMeta.searchSourceJSON = '{"query":'))).has('5 json strings'), 'rule 5: searchSourceJSON not JSON');
  assert.ok(rulesBroken(edited((o) => o.type === 'index-pattern', (o) => (o.attributes.fieldFormatMap = JSON.parse(o.attributes.fieldFormatMap)))).has('5 json strings'), 'rule 5: fieldFormatMap as an object');
  assert.ok(rulesBroken(edited((o) => o.type === 'lens', (o) => (o.references = []))).has('6 lens layers'), 'rule 6');
  assert.ok(rulesBroken(edited((o) => o.type === 'search', (o) => (o.attributes.color = 'red'))).has('schema'), 'an attribute the search schema refuses');
});

test('the target version rule reads model versions as the target knows them', () => {
  assert.equal(KIBANA_TARGET, '8.17.0');
  assert.equal(tooNewForTarget('index-pattern', '8.0.0'), null);
  assert.equal(tooNewForTarget('lens', '8.9.0'), null);
  assert.equal(tooNewForTarget('search', '10.3.0'), null);
  assert.notEqual(tooNewForTarget('lens', '10.1.0'), null, 'lens has no model versions in 8.17');
  assert.notEqual(tooNewForTarget('index-pattern', '8.17.1'), null);
  assert.equal(tooNewForTarget('core', '8.8.0'), null);
  assert.notEqual(tooNewForTarget('search', 'x'), null);
});

test('KQL field names: operators, lists, negation, and colons inside quoted values', () => {
  assert.deepEqual(kqlFields('a.b : "x:y" and not (c < 1 or @timestamp >= "2026-01-01T00:00:00")'), ['a.b', 'c', '@timestamp']);
  assert.deepEqual(kqlFields('salvage.flags : ("forged_callback?" or "paid_not_delivered")'), ['salvage.flags']);
  assert.deepEqual(kqlFields('not salvage.record_id : *'), ['salvage.record_id']);
  const review = SEARCHES.find((s) => s.id === 'review-queue')!;
  assert.deepEqual(kqlFields(review.kql), ['salvage.review.task']);
});

test('every field the objects name is in the index templates, aggregatable where aggregated (offline twin of the node test)', () => {
  const text = kibanaImportFile('salvage').text;
  const titles = dataViewTitles(text);
  const uses = fieldUses(text);
  assert.ok(uses.filter((u) => u.need === 'aggregatable').length >= 15, 'the panels aggregate on fields');
  const facts = (title: string) => templateFieldFacts(kindOfTitle('salvage', title)!);
  assert.deepEqual(checkFieldUses(uses, (id) => titles.get(id), facts), []);
  // The same check refuses a text field in a Lens column, and a field no template has.
  const broken = edited((o) => o.id === 'salvage-lens-coverage', (o) => {
    o.attributes.state.datasourceStates.formBased.layers.coverage.columns.file.sourceField = 'user_agent.original.text';
    o.attributes.state.query.query = 'salvage.no_such_field : 1';
  });
  const problems = checkFieldUses(fieldUses(broken), (id) => titles.get(id), facts);
  assert.ok(problems.some((p) => /user_agent\.original\.text \(text\) is not aggregatable/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /salvage\.no_such_field is not a field/.test(p)), problems.join('\n'));
});

test('every flag the code can give a record is known, and each one that is not informational puts the record on the worklist', () => {
  // Flags are plain strings spread over the checks and the correlator; find every one emitted.
  const emitted = new Set<string>();
  const walk = (dir: string) => {
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, f.name);
      if (f.isDirectory()) {
        if (f.name !== 'simulate') walk(p);
      } else if (f.name.endsWith('.ts')) {
        const src = readFileSync(p, 'utf8');
        for (const m of src.matchAll(/flags\.push\('([^']+)'\)|this\.flag\([^,]+,\s*'([^']+)'\)|flags\.set\([^,]+,\s*\['([^']+)'\]\)|\['(explains_balance_break\?)'\]/g)) emitted.add(m[1] ?? m[2] ?? m[3] ?? m[4]!);
      }
    }
  };
  walk(join(packageRoot(), 'src'));
  assert.ok(emitted.size >= 10, [...emitted].join(' '));
  const known = new Set<string>([...ANOMALY_FLAGS, ...INFORMATIONAL_FLAGS]);
  assert.deepEqual([...emitted].filter((f) => !known.has(f)), [], 'a new flag: add it to ANOMALY_FLAGS or review.ts INFORMATIONAL');
  assert.deepEqual([...ANOMALY_FLAGS].filter((f) => !emitted.has(f)), [], 'a flag no code gives any more');
  // The review queue is the worklist (salvage.review.task): a sure, paid record carrying
  // one anomaly flag must get a task, so that the queue cannot miss what the flag says.
  for (const flag of ANOMALY_FLAGS) {
    const t = { order_id: 'X1', status: 'paid', confidence: 0.99, flags: [flag], conflicts: [], evidence: [], amount: 1, paid_at: '2026-12-01T00:00:00Z', trade_no: 'T', buyer_email: 'a@b.cn' } as unknown as Transaction;
    assert.notEqual(reviewTask(t, 0.9), null, `${flag} alone puts nothing on the worklist`);
  }
});

test('the README shows the saved searches\' queries, in English and Chinese', () => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  for (const s of SEARCHES) assert.ok(readme.includes(s.kql), `README lacks the ${s.id} query: ${s.kql}`);
  assert.match(readme, /Saved objects → Import/);
  assert.match(readme, /_import/);
  assert.match(readme, /导入/);
});

test('--out naming a folder is a usage error, in English and Chinese', async () => {
  const r = await runCli(['kibana', '--out', root], root);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is a folder/);
  assert.match(r.stderr, /目录/);
  const p = await runCli(['kibana', '--out', join(root, 'x.ndjson'), '--es-prefix', 'Bad Prefix'], root);
  assert.equal(p.code, 2);
});

test('any --es-prefix gives a file that passes every rule, with views on that prefix\'s aliases', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,30}$/), (prefix) => {
      const { text, objects } = kibanaImportFile(prefix); // throws on any broken rule
      assert.equal(objects, 15);
      assert.deepEqual([...dataViewTitles(text).values()].sort(), [`${prefix}-evidence`, `${prefix}-runs`, `${prefix}-transactions`]);
      assert.equal(kibanaImportFile(prefix).text, text, 'the same prefix gives the same bytes');
    }),
    { numRuns: 50 },
  );
});
