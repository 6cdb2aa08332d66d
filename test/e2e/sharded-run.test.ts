// Issue 14, "beyond one machine": the recovery drill run as 2 extract shards, 2 correlate
// partitions and a finish step, each a separate salvage process, against the real
// Elasticsearch node scripts/with-es.js starts. The sharded run must give exactly what one
// process gives on the same logs: the same records with the same flags, the same check
// findings, every output file byte for byte (report.json but its `run` section, which says how
// this run went). The stages' refusals and re-runs are tried on the way.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { requireEsUrl } from '../support/es';
import { runCli } from '../support/run-cli';
import { spawnCli } from '../support/spawn-cli';
import type { Transaction } from '../../src/model/types';

const tmp = mkdtempSync(join(tmpdir(), 'salvage-sharded-'));
const prefix = `salvage-test-sharded-${process.pid}`;
const run = 'drill-1';
let esUrl = '';
let client: Client;

after(async () => {
  rmSync(tmp, { recursive: true, force: true });
  if (client) {
    await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true }, { ignore: [404] }).catch(() => undefined);
    await client.close();
  }
});

const sim = join(tmp, 'sim');
const inputs = () => [join(sim, 'logs'), '--keys', join(sim, 'keys.json')];
const stageArgs = (more: string[], runId = run) => ['reconstruct', ...inputs(), '--es', esUrl, '--es-prefix', prefix, '--run', runId, '--workers', '1', '-q', ...more];

async function stage(...more: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const p = spawnCli(stageArgs(more), tmp);
  const { code } = await p.exit;
  return { code, stderr: p.stderr(), stdout: p.stdout() };
}

/** Stages started side by side, as on separate machines. */
async function together(...runs: string[][]): Promise<{ code: number | null; stderr: string }[]> {
  return Promise.all(runs.map((r) => stage(...r)));
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const recordsOf = (dir: string) => read(dir, 'transactions.ndjson').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Transaction);

async function evidenceDocs(runId = run, query?: object): Promise<number> {
  const index = `${prefix}-sharded-${runId}-evidence`;
  await client.indices.refresh({ index });
  return (await client.count({ index, ...(query ? { query: query as never } : {}) })).count;
}

/** Documents one per evidence item, reject and file read, as the single-process run counted them. */
function expectedDocs(): number {
  const inputs = (JSON.parse(read(join(tmp, 'single'), 'report.json')) as { inputs: { copy_of?: string; evidence_items: number; rejected: number }[] }).inputs.filter((i) => !i.copy_of);
  return inputs.reduce((a, i) => a + i.evidence_items + i.rejected + 1, 0);
}

describe('a sharded run (2 extract shards, 2 correlate partitions, finish) against a real node', () => {
  let singleCode = -1;

  before(async () => {
    esUrl = requireEsUrl();
    client = new Client({ node: esUrl });
    const s = await runCli(['simulate', '--out', sim, '--orders', '2000', '--days', '2', '--seed', '11', '--damage', 'typical', '--logging', 'operator'], tmp);
    assert.equal(s.code, 0, s.stderr);
    const single = await runCli(['reconstruct', ...inputs(), '--out', join(tmp, 'single'), '-q'], tmp);
    assert.ok(single.code === 0 || single.code === 1, single.stderr);
    singleCode = single.code;
  });

  test('extract: each shard reads its share; a shard with another shard count is refused', async () => {
    const shards = await together(['--stage', 'extract', '--shard', '0/2'], ['--stage', 'extract', '--shard', '1/2']);
    for (const s of shards) assert.equal(s.code, 0, s.stderr);
    const wrong = await stage('--stage', 'extract', '--shard', '0/3');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /started with 2 extract shard/);
  });

  test('finish refuses until every partition is done, in English and Chinese', async () => {
    const early = await stage('--stage', 'finish', '--out', join(tmp, 'early'));
    assert.equal(early.code, 2);
    assert.match(early.stderr, /not ready to finish: every correlate partition/);
    assert.match(early.stderr, /尚不能收尾/);
    assert.equal(existsSync(join(tmp, 'early')), false, 'refused before --out was touched');
  });

  test('correlate: two partitions side by side, together every order once', async () => {
    const parts = await together(['--stage', 'correlate', '--partition', '0/2'], ['--stage', 'correlate', '--partition', '1/2']);
    for (const p of parts) assert.equal(p.code, 0, p.stderr);
    await client.indices.refresh({ index: `${prefix}-sharded-${run}-transactions` });
    const partial = (await client.count({ index: `${prefix}-sharded-${run}-transactions` })).count;
    assert.equal(partial, recordsOf(join(tmp, 'single')).length);
    const wrong = await stage('--stage', 'correlate', '--partition', '0/3');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /correlated in 2 partition/);
  });

  test('running a shard and a partition again changes nothing: fixed ids, done again', async () => {
    const before = await evidenceDocs();
    assert.equal(before, expectedDocs());
    const again = await stage('--stage', 'extract', '--shard', '1/2');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await evidenceDocs(), before);
    const part = await stage('--stage', 'correlate', '--partition', '1/2');
    assert.equal(part.code, 0, part.stderr);
  });

  test('finish gives exactly the single-process run: records, flags, check findings, every output', async () => {
    const out = join(tmp, 'sharded');
    const fin = await stage('--stage', 'finish', '--out', out);
    assert.equal(fin.code, singleCode, fin.stderr);
    const single = join(tmp, 'single');
    const one = recordsOf(single);
    const many = recordsOf(out);
    assert.equal(many.length, one.length);
    assert.ok(one.length > 1500, `${one.length} records`);
    assert.deepEqual(many.map((t) => [t.order_id, t.flags]), one.map((t) => [t.order_id, t.flags]));
    assert.ok(one.some((t) => t.flags.length > 0), 'the drill has flagged records');
    const reportOf = (dir: string) => {
      const { run: _run, ...rest } = JSON.parse(read(dir, 'report.json')) as Record<string, unknown>;
      return rest;
    };
    const a = reportOf(single);
    const b = reportOf(out);
    assert.deepEqual(b.checks, a.checks);
    assert.deepEqual(b, a);
    for (const f of ['transactions.ndjson', 'transactions.csv', 'restore.sql', 'review.csv', 'rejects.ndjson', 'unjoined.ndjson']) {
      assert.equal(read(out, f), read(single, f), f);
    }
  });

  test('evidence the reports do not account for (a stale tail of a file read shorter) is refused, not joined', async () => {
    const index = `${prefix}-sharded-${run}-evidence`;
    const some = await client.search<Record<string, unknown>>({ index, size: 1, query: { term: { type: 'evidence' } } });
    const hit = some.hits.hits[0]!;
    await client.index({ index, id: 'e:stale', routing: hit._routing!, document: { ...hit._source, seq: 1e9 }, refresh: true });
    const fin = await stage('--stage', 'finish', '--out', join(tmp, 'stale'));
    assert.equal(fin.code, 2, fin.stderr);
    assert.match(fin.stderr, /does not hold what the files' reports say \(.+ \((\d+) indexed, its report says \d+\)/);
    assert.equal(existsSync(join(tmp, 'stale', 'transactions.ndjson')), false);
    await client.delete({ index, id: 'e:stale', routing: hit._routing!, refresh: true });
  });

  test('a shard killed half-way is not done: finish names it; run again, it is done and nothing is doubled', { timeout: 120_000 }, async () => {
    const killed = 'killed-1';
    const other = spawnCli(stageArgs(['--stage', 'extract', '--shard', '1/2'], killed), tmp);
    assert.equal((await other.exit).code, 0, other.stderr());
    const victim = spawnCli(stageArgs(['--stage', 'extract', '--shard', '0/2'], killed), tmp, { detached: true });
    const deadline = Date.now() + 60_000;
    // Killed as soon as its first documents are in, long before it could be done.
    while ((await evidenceDocs(killed, { term: { shard: 0 } }).catch(() => 0)) === 0) {
      assert.ok(Date.now() < deadline, `shard 0 indexed nothing in 60 s: ${victim.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    process.kill(-victim.child.pid!, 'SIGKILL');
    await victim.exit;
    const early = spawnCli(stageArgs(['--stage', 'finish', '--out', join(tmp, 'killed-out')], killed), tmp);
    assert.equal((await early.exit).code, 2);
    assert.match(early.stderr(), /extract shard\(s\) 0\/2; every correlate partition \(none has run\) not done yet/);
    const again = spawnCli(stageArgs(['--stage', 'extract', '--shard', '0/2'], killed), tmp);
    assert.equal((await again.exit).code, 0, again.stderr());
    assert.equal(await evidenceDocs(killed), expectedDocs());
    const doc = await client.get<{ shards_done: Record<string, unknown> }>({ index: `${prefix}-sharded-runs`, id: killed });
    assert.ok(doc._source!.shards_done['0'] && doc._source!.shards_done['1']);
  });
});
