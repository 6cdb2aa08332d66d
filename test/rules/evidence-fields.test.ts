// Evidence fields are declared once (src/model/evidence-fields.ts): the schemas list the same
// names, and what the engine writes agrees with the declared kinds. (What the loader refuses is
// in pack-fields.test.ts.)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { extractTarget, type SourcedRule, type Transform } from '../../rules/engine/pack';
import { SHAPE_FIELDS } from '../../rules/engine/vocabulary';
import { ZoneClock } from '../../parsers/time';
import { EVIDENCE_FIELDS, isEvidenceField, packFieldNames } from '../../src/model/evidence-fields';
import type { LogEvent } from '../../src/model/types';
import { packageRoot } from '../../src/util/package-root';

test('the schema lists exactly the fields the model lets a pack write', () => {
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'rules', 'schema', 'rule-pack.schema.json'), 'utf8')) as {
    $defs: { rule: { properties: { extract: { propertyNames: { enum: string[] } } } } };
  };
  assert.deepEqual(schema.$defs.rule.properties.extract.propertyNames.enum, packFieldNames());
});

test('the shape vocabulary fills evidence fields, and its schema lists the same ones', () => {
  for (const name of SHAPE_FIELDS) assert.ok(isEvidenceField(name), name);
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'rules', 'schema', 'vocabulary.schema.json'), 'utf8')) as {
    properties: { fields: { propertyNames: { enum: string[] } } };
  };
  assert.deepEqual([...schema.properties.fields.propertyNames.enum].sort(), [...SHAPE_FIELDS].sort());
});

test('every built-in pack loads: what it writes is declared', () => {
  assert.ok(loadRules([]).length > 50);
});

/** A value each transform can read. */
const SAMPLES: [Transform, string][] = [
  ['text', 'A1'],
  ['yuan', '12.5'],
  ['fen_to_yuan', '1250'],
  ['int', '42'],
  ['lower', 'A1'],
  ['upper', 'a1'],
  ['trim', ' a1 '],
  ['time', '2026-11-21 10:00:00'],
  ['card_key', 'CARD-1234-5678-9999'],
  ['php_controller', '/www/app/Http/Controllers/Pay/YipayController.php'],
];

test('the engine writes every field a pack may write as the kind the field is declared to hold', () => {
  const ev: LogEvent = { format: 'nginx-combined', file: 'x', line: 1, lineEnd: 1, offset: 0, tsMs: 0, tzOffsetMin: 0, fields: { method: 'GET', path: '/pay', status: '200' } };
  let checked = 0;
  for (const name of packFieldNames()) {
    for (const [as, value] of SAMPLES) {
      if ('refused' in extractTarget(name, as)) continue;
      const rule: SourcedRule = { rule: { id: 't', match: { family: 'nginx', path: '^/pay$' }, emit: 'payment_started', weight: 0.5, extract: { [name]: { value, as } } }, pack: 't', file: 't.yaml' };
      const e = new RuleEngine([rule], { clock: new ZoneClock('Asia/Shanghai') }).apply(ev, 'nginx');
      assert.ok(e !== null);
      // http_status is the engine's own, on every access-log line.
      const written = Object.entries(e.fields).filter(([k]) => k !== 'http_status');
      assert.ok(written.length > 0, `${name} as ${as} wrote nothing`);
      for (const [k, v] of written) {
        assert.ok(isEvidenceField(k), k);
        assert.equal(typeof v, EVIDENCE_FIELDS[k].value === 'number' ? 'number' : 'string', `${k} (${name} as ${as})`);
        checked++;
      }
    }
  }
  assert.ok(checked > packFieldNames().length);
});

test('a rule handed to the engine without the loader is still refused an undeclared field', () => {
  const rule: SourcedRule = { rule: { id: 't', match: { family: 'nginx' }, emit: 'order_viewed', weight: 0.1, extract: { oder_pk: 'param.pk' } }, pack: 't', file: 't.yaml' };
  assert.throws(() => new RuleEngine([rule], { clock: new ZoneClock('UTC') }), /extract\.oder_pk: "oder_pk" is not an evidence field/);
});
