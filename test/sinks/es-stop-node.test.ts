// Stopping the node in the middle of indexing, then indexing the run again: deterministic _ids
// make the second attempt finish the job with exactly the expected documents and no duplicates.
// The node is a second one, started by this test with scripts/es/start.sh (stopping the
// suite's node would break the other tests), killed (SIGKILL, as a crash would), tidied with
// scripts/es/stop.sh keeping its data, and started again on that data.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { runCli } from '../support/run-cli';
import { spawnCli } from '../support/spawn-cli';
import type { Transaction } from '../../src/model/types';

const SCRIPTS = join(__dirname, '..', '..', '..', 'scripts', 'es');
const root = mkdtempSync(join(tmpdir(), 'salvage-es-stop-'));
const state = join(root, 'node.state');
let runDir = '';

function script(name: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('bash', [join(SCRIPTS, name), state], { env: { ...process.env, SALVAGE_ES_STATE_FILE: state, SALVAGE_ES_OWNER_PID: String(process.pid), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function startNode(env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await script('start.sh', env);
  const url = /SALVAGE_ES_URL=(\S+)/.exec(r.stdout)?.[1];
  assert.ok(r.code === 0 && url, `scripts/es/start.sh could not start the test's own node:\n${r.stderr.slice(-3000)}`);
  runDir = /SALVAGE_ES_RUN_DIR=(\S+)/.exec(readFileSync(state, 'utf8'))![1]!;
  return url;
}

after(async () => {
  // The node and its data go, whatever happened.
  if (existsSync(state)) await script('stop.sh', {});
  if (runDir && existsSync(runDir)) await script('stop.sh', {}).then(() => rmSync(runDir, { recursive: true, force: true }));
  rmSync(root, { recursive: true, force: true });
});

/** Orders with a bill view each and a payment notification for two in three: ~2.7 documents per order. */
function writeLogs(dir: string, orders: number): void {
  mkdirSync(dir, { recursive: true });
  const t0 = Date.UTC(2026, 10, 21, 2, 0, 0);
  const stamp = (ms: number) => {
    const d = new Date(ms + 8 * 3600_000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${p(d.getUTCDate())}/Nov/2026:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0800`;
  };
  const rows: string[] = [];
  for (let i = 0; i < orders; i++) {
    const sn = `STOP${String(i).padStart(12, '0')}`;
    const ip = `198.51.100.${i % 250}`;
    rows.push(`${ip} - - [${stamp(t0 + i * 4000)}] "GET /bill/${sn} HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"`);
    if (i % 3 !== 2) {
      rows.push(`${ip} - - [${stamp(t0 + i * 4000 + 2000)}] "GET /pay/yipay/notify_url?money=${(i % 90) + 1}.00&out_trade_no=${sn}&pid=1001&trade_no=T${i}&trade_status=TRADE_SUCCESS&type=alipay&sign=abc&sign_type=MD5 HTTP/1.1" 200 7 "-" "Go-http-client/1.1"`);
    }
  }
  writeFileSync(join(dir, 'access.log'), rows.join('\n') + '\n');
}

test('the node stopped mid-indexing, restarted, `salvage index` again: exact counts, no duplicates', { timeout: 600_000 }, async (t) => {
  const P = 'salvage-stop';
  const logs = join(root, 'logs');
  const out = join(root, 'out');
  writeLogs(logs, 15_000);
  const rec = await runCli(['reconstruct', logs, '--out', out, '--workers', '1', '-q'], root);
  assert.equal(rec.code, 0, rec.stderr);
  const records = readFileSync(join(out, 'transactions.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Transaction);
  const expected = {
    transactions: new Set(records.map((t) => t.order_id)).size,
    evidence: new Set(records.flatMap((t) => t.evidence.map((e) => [t.order_id, e.file, e.line, e.offset, e.kind, e.rule].join('|')))).size,
  };
  assert.equal(readFileSync(join(out, 'unjoined.ndjson'), 'utf8'), '', 'every line joined an order');
  assert.equal((JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { checks: { coverage: { gaps: unknown[] } } }).checks.coverage.gaps.length, 0);
  assert.equal(expected.transactions, 15_000);
  assert.equal(expected.evidence, 25_000, 'one evidence item per log line');

  let url = await startNode();
  let client = new Client({ node: url });
  const first = spawnCli(['index', out, '--es', url, '--es-prefix', P], root);
  // Stop the node once a good part of the run, but not all of it, is in.
  let seen = 0;
  for (;;) {
    const s = await client.indices.stats({ index: `${P}-*`, metric: 'indexing' }, { ignore: [404] }).catch(() => null);
    seen = s?._all?.primaries?.indexing?.index_total ?? 0;
    if (seen >= 4000) break;
    if (first.child.exitCode !== null) assert.fail(`indexing ended before the node could be stopped (${seen} documents seen): ${first.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await client.close();
  // As a crash or the OOM killer would: the whole node at once, no shutdown (and no time for
  // the indexing to finish first). Acknowledged documents are already in its translog.
  const pgid = Number(/SALVAGE_ES_PGID=(\d+)/.exec(readFileSync(state, 'utf8'))![1]);
  process.kill(-pgid, 'SIGKILL');
  // stop.sh then only tidies up (the state file), keeping the data for the restart.
  const stopped = await script('stop.sh', { SALVAGE_ES_KEEP_RUN_DIR: '1' });
  assert.equal(stopped.code, 0, stopped.stderr);

  const end1 = await first.exit;
  assert.equal(end1.code, 3, `indexing into a node that went away exits 3:\n${first.stdout()}${first.stderr()}`);
  assert.match(first.stderr(), /cannot reach Elasticsearch/);
  assert.match(first.stderr(), /aliases NOT moved/);
  const r1 = JSON.parse(readFileSync(join(out, 'elasticsearch.json'), 'utf8')) as { run_id: string; aliases_moved: boolean; bulk: { total: number; indexed: number; failed: number; unsent: number; request_retries: number } };
  assert.equal(r1.aliases_moved, false);
  assert.equal(r1.bulk.failed, 0, 'a node going away is not a document failure: nothing is dead-lettered');
  assert.ok(r1.bulk.unsent > 0);
  assert.ok(r1.bulk.request_retries >= 1, 'requests to the vanished node were retried (with growing waits) before giving up');
  assert.equal(r1.bulk.indexed + r1.bulk.failed + r1.bulk.unsent, r1.bulk.total);

  url = await startNode({ SALVAGE_ES_RUN_DIR: runDir });
  client = new Client({ node: url });
  try {
    // The first attempt's documents survived the stop: the second attempt starts from a partial index.
    await client.indices.refresh({ index: `${P}-*` });
    const partial = (await client.count({ index: `${P}-transactions-${r1.run_id},${P}-evidence-${r1.run_id}` })).count;
    assert.ok(partial >= r1.bulk.indexed && partial < expected.transactions + expected.evidence, `partial index: ${partial}`);
    t.diagnostic(`stopped at ${partial} of ${expected.transactions + expected.evidence} documents (first attempt: ${r1.bulk.indexed} acknowledged, ${r1.bulk.unsent} unsent)`);
    assert.equal(await client.indices.existsAlias({ name: `${P}-transactions` }), false, 'no alias for an incomplete run');

    const second = spawnCli(['index', out, '--es', url, '--es-prefix', P], root);
    const end2 = await second.exit;
    assert.equal(end2.code, 0, second.stdout() + second.stderr());
    assert.ok(!existsSync(join(out, 'es-dead-letter.ndjson')));
    const r2 = JSON.parse(readFileSync(join(out, 'elasticsearch.json'), 'utf8')) as { run_id: string; aliases_moved: boolean; counted: Record<string, number> };
    assert.equal(r2.run_id, r1.run_id, 'the same out-dir goes to the same indices');
    assert.equal(r2.aliases_moved, true);

    await client.indices.refresh({ index: `${P}-*` });
    const count = async (index: string) => (await client.count({ index })).count;
    assert.equal(await count(`${P}-transactions`), expected.transactions);
    assert.equal(await count(`${P}-evidence`), expected.evidence);
    assert.equal(await count(`${P}-runs`), 1);
    // No duplicates: no order, and no log line, has two documents (terms over one shard are exact;
    // a cardinality aggregation would only be approximate).
    const twice = async (index: string, field: string) => {
      const r = await client.search({ index, size: 0, aggs: { d: { terms: { field, min_doc_count: 2, size: 5 } } } });
      return (r.aggregations as { d: { buckets: unknown[] } }).d.buckets;
    };
    assert.deepEqual(await twice(`${P}-transactions`, 'salvage.order.id'), []);
    // Here every line is read once, by one rule: one evidence document per byte offset.
    assert.deepEqual(await twice(`${P}-evidence`, 'log.offset'), []);
  } finally {
    await client.close();
  }
});
