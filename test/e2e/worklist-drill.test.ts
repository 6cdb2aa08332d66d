// The worklist on a recovery drill (issue 13): review.csv holds only what a person must act on —
// a few percent of the orders, not half — and every forged or replayed callback the simulator
// planted is on it, as a forged_callback task. Seed 6 plants two replays and two bad signatures.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/run-cli';

const tmp = mkdtempSync(join(tmpdir(), 'salvage-worklist-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ORDERS = 2000;

/** review.csv's rows as column → value (its cells hold no newlines). */
function readCsv(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  const split = (row: string) => [...row.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!));
  const cols = split(head!);
  return lines.map((l) => {
    const v = split(l);
    return Object.fromEntries(cols.map((c, i) => [c, v[i] ?? '']));
  });
}

test(`drill of ${ORDERS} orders over 3 days: review.csv is under 5% of the orders and holds every planted forgery`, async () => {
  const dir = join(tmp, 'shop');
  const sim = await runCli(['simulate', '--out', dir, '--orders', String(ORDERS), '--days', '3', '--seed', '6', '--damage', 'typical'], tmp);
  assert.equal(sim.code, 0, sim.stderr);
  const rec = await runCli(['reconstruct', join(dir, 'logs'), '--keys', join(dir, 'keys.json'), '--out', join(dir, 'out'), '-q'], tmp);
  assert.ok(rec.code === 0 || rec.code === 1, rec.stderr);

  const rows = readCsv(join(dir, 'out', 'review.csv'));
  assert.ok(rows.length > 0, 'a damaged shop leaves something to do');
  assert.ok(rows.length < ORDERS * 0.05, `${rows.length} rows for ${ORDERS} orders`);

  const damage = JSON.parse(readFileSync(join(dir, 'truth', 'damage.json'), 'utf8')) as { actions: { type: string; order_id?: string; forgery?: string; survived?: boolean }[] };
  const forged = damage.actions.filter((a) => a.type === 'forged_callback' && a.survived !== false);
  assert.ok(forged.some((a) => a.forgery === 'replay'), 'the drill plants a replay');
  assert.ok(forged.some((a) => a.forgery !== 'replay'), 'and a forged callback');
  const byOrder = new Map(rows.map((r) => [r.order_id, r]));
  for (const a of forged) {
    const row = byOrder.get(a.order_id!);
    assert.ok(row, `planted ${a.forgery} callback for ${a.order_id} is not on review.csv`);
    assert.equal(row.task, 'forged_callback', `${a.order_id}: ${row.task}`);
    assert.equal(row.priority, 'high');
    assert.ok(row.evidence !== '' && /:\d+/.test(row.evidence!), `${a.order_id} names its lines`);
  }

  // Each row is a task a person can do, in both languages, with nothing written as a formula guard.
  for (const r of rows) {
    assert.ok(['high', 'medium', 'low'].includes(r.priority!), r.priority);
    for (const c of ['task', 'ask', 'ask_zh', 'whom', 'contact', 'why', 'why_zh', 'evidence', 'reasons', 'reasons_zh']) assert.notEqual(r[c], '', `${r.order_id}: empty ${c}`);
    assert.match(r.ask_zh!, /[\u4e00-\u9fff]/);
    for (const v of Object.values(r)) assert.ok(!v.startsWith("'"), `${r.order_id}: a cell starts with ': ${v.slice(0, 40)}`);
  }
  // The shop's own expired orders are not tasks.
  const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as { records: { flagged: Record<string, number> }; outputs: { 'review.csv': { rows: number; by_task: Record<string, number> } } };
  assert.ok((report.records.flagged.expired ?? 0) > ORDERS * 0.2, 'the drill has many expired orders');
  assert.equal(report.outputs['review.csv'].rows, rows.length);
  assert.equal(report.outputs['review.csv'].by_task.forged_callback, forged.length);
});
