// The README's worked example: a user's own rule pack, run exactly as the README shows.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/run-cli';
import { packageRoot } from '../../src/util/package-root';
import type { Transaction } from '../../src/model/types';
import { loadPackFile, loadRules, RulePackError } from '../../rules/engine/load-packs';

const repo = packageRoot();
const tmp = mkdtempSync(join(tmpdir(), 'salvage-rules-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('README example: salvage reconstruct samples/rule-example/logs --rules samples/rule-example/rules', async () => {
  const out = join(tmp, 'out');
  const r = await runCli(['reconstruct', 'samples/rule-example/logs', '--rules', 'samples/rule-example/rules', '--out', out], repo);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const txs = readFileSync(join(out, 'transactions.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Transaction);
  assert.equal(txs.length, 1);
  const t = txs[0]!;
  assert.equal(t.order_id, 'SN20261121A');
  assert.equal(t.status, 'paid');
  assert.equal(t.amount, 9.9);
  assert.equal(t.buyer_email, 'buyer@example.com');
  assert.equal(t.trade_no, '2026112114040299901');
  assert.deepEqual(t.evidence.map((e) => e.rule).sort(), ['myshop.app.paid', 'myshop.nginx.epay-notify']);
  // Without the user's pack, both lines are still recognised by what they carry (a signed
  // epay parameter set; an order key with the word PAID), with weaker, inferred reasons — but
  // `by=` is no key the vocabulary knows, so only the pack gives the buyer's email.
  const r2 = await runCli(['reconstruct', 'samples/rule-example/logs', '--out', join(tmp, 'out2')], repo);
  assert.equal(r2.code, 0);
  const bare = readFileSync(join(tmp, 'out2', 'transactions.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Transaction);
  assert.equal(bare.length, 1);
  assert.equal(bare[0]!.status, 'paid');
  assert.equal(bare[0]!.amount, 9.9);
  assert.equal(bare[0]!.buyer_email, null);
  assert.deepEqual(bare[0]!.evidence.map((e) => e.rule).sort(), ['shape.gateway.epay', 'shape.order.paid']);
  assert.ok(bare[0]!.reasons.some((x) => x.includes("inferred from the wording 'PAID'")), bare[0]!.reasons.join('\n'));
});

test('a broken pack names the file, the rule and the field', () => {
  const dir = join(tmp, 'broken');
  mkdirSync(dir);
  const f = join(dir, 'bad.yaml');
  writeFileSync(f, 'pack: bad\nrules:\n  - id: bad.one\n    match: { family: nginx }\n    emit: order_paid\n    weight: 0.5\n');
  assert.throws(() => loadPackFile(f), (e: Error) => e instanceof RulePackError && /bad\.yaml/.test(e.message) && /rule bad\.one, field emit/.test(e.message));
  writeFileSync(f, 'pack: bad\nrules:\n  - id: bad.two\n    match: { family: nginx, path: "^/(a+)+$" }\n    emit: order_viewed\n    weight: 0.5\n');
  assert.throws(() => loadPackFile(f), /rule bad\.two, field match\.path: refused: nested quantifier/);
  writeFileSync(f, 'pack: bad\nrules:\n  - id: bad.three\n    match: { family: nginx, path: "^/bill/(?<sn>\\\\w+)$" }\n    emit: order_viewed\n    weight: 0.5\n    extract: { order_id: path.order }\n');
  assert.throws(() => loadPackFile(f), /rule bad\.three, field extract\.order_id: match\.path has no named group "order"/);
  writeFileSync(f, 'pack: bad\nrules:\n  - id: bad.four\n    match: { family: nginx }\n    emit: order_viewed\n    weight: 1.5\n');
  assert.throws(() => loadPackFile(f), /rule bad\.four, field weight/);
});

test('a user rule overrides a built-in one with the same id', () => {
  const dir = join(tmp, 'override');
  mkdirSync(dir);
  writeFileSync(join(dir, 'o.json'), JSON.stringify({ pack: 'o', rules: [{ id: 'dujiaoka.nginx.bill', match: { family: 'nginx', path: '^/checkout/(?<id>\\w+)$' }, emit: 'order_viewed', weight: 0.2, extract: { order_id: 'path.id' } }] }));
  const base = loadRules([]);
  const withUser = loadRules([dir]);
  assert.equal(withUser.length, base.length);
  const i = base.findIndex((r) => r.rule.id === 'dujiaoka.nginx.bill');
  assert.equal(withUser[i]!.file, resolve(dir, 'o.json'));
  assert.equal(withUser[i]!.rule.match.path, '^/checkout/(?<id>\\w+)$');
});
