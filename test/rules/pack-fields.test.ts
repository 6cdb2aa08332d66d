// A rule pack names the evidence fields it writes, and those names arrive as strings: the
// loader refuses any that is not declared (src/model/evidence-fields.ts), one that salvage alone
// writes, and a transform that gives the wrong kind of value, with an error that names the file,
// the rule and the field.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadPackFile, loadRules, RulePackError } from '../../rules/engine/load-packs';

const tmp = mkdtempSync(join(tmpdir(), 'salvage-fields-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A pack file with one rule extracting `extract` (YAML flow mapping text). */
function pack(name: string, id: string, extract: string): string {
  const f = join(tmp, `${name}.yaml`);
  writeFileSync(f, `pack: ${name}\nrules:\n  - id: ${id}\n    match: { family: nginx, path: "^/pay$" }\n    emit: payment_started\n    weight: 0.5\n    extract: { ${extract} }\n`);
  return f;
}

test('a rule pack naming an undeclared field is refused, naming the file, the rule and the field', () => {
  const f = pack('typo', 'shop.pay.typo', 'order_id: param.id, oder_pk: { from: param.pk, as: int }');
  assert.throws(
    () => loadPackFile(f),
    (e: Error) =>
      e instanceof RulePackError &&
      e.message.includes(f) &&
      e.message.includes('rule shop.pay.typo, field extract.oder_pk: "oder_pk" is not an evidence field / 不是证据字段') &&
      // …and says which names it could have meant.
      /a rule pack may write[^\n]*\border_pk\b/.test(e.message),
  );
  // The same through the loader a run uses, with the pack in a user's --rules folder.
  const dir = mkdtempSync(join(tmp, 'user-'));
  writeFileSync(join(dir, 'mine.yaml'), readFileSync(f));
  assert.throws(() => loadRules([dir]), /field extract\.oder_pk: "oder_pk" is not an evidence field/);
});

test('a rule pack may not write what salvage itself checked or computed', () => {
  for (const name of ['statement', 'gateway_success', 'signature_note', 'card_key_hash', 'clock_corrected_s', 'inferred']) {
    const f = pack(`own-${name}`, `shop.own.${name}`, `${name}: { value: 'yes' }`);
    assert.throws(() => loadPackFile(f), (e: Error) => e instanceof RulePackError && e.message.includes(`rule shop.own.${name}, field extract.${name}: "${name}" is written by salvage itself`), name);
  }
});

test('the transform must give the kind of value the field holds', () => {
  const refused: [string, RegExp][] = [
    ['amount: param.money', /field extract\.amount: "amount" holds a number: extract it with as: yuan, fen_to_yuan or int/],
    ['goods_id: { from: param.gid, as: int }', /field extract\.goods_id: "goods_id" holds text, and as: int makes a number/],
    ['card_key: param.key', /field extract\.card_key: card_key is a secret: extract it with as: card_key/],
    ['trade_no: { from: param.key, as: card_key }', /field extract\.trade_no: as: card_key writes the card key's hash and mask: name the field card_key/],
  ];
  for (const [i, [extract, message]] of refused.entries()) assert.throws(() => loadPackFile(pack(`kind${i}`, `shop.kind.${i}`, extract)), message, extract);
  const f = pack('kinds-ok', 'shop.kinds.ok', 'amount: { from: param.money, as: yuan }, order_pk: { from: param.pk, as: int }, card_key: { from: param.key, as: card_key }, goods_id: param.gid');
  assert.equal(loadPackFile(f).rules.length, 1);
});

