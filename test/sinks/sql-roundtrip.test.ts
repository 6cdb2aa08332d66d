// The SQL export against a real MariaDB (started by scripts/with-mariadb.js): the platform's own
// schema (vendored in test/fixtures/schemas), a simulated shop's records exported, loaded twice,
// and the rows compared with the records. The second load must change nothing.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/run-cli';
import { dropDatabase, freshDatabase, jsonRows, mariadb, mustRun, requireMariaDb, type MariaDb } from '../support/mariadb';
import type { Transaction } from '../../src/model/types';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'schemas');
const root = mkdtempSync(join(tmpdir(), 'salvage-sqlrt-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The shop's wall clock at +08:00, written independently of the exporter's own conversion. */
function wall8(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function records(dir: string): Transaction[] {
  return readFileSync(join(dir, 'transactions.ndjson'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Transaction);
}

/** Loads a script with -v -v, which prints every statement's affected-row count. */
function load(db: MariaDb, database: string, script: string): number[] {
  const out = mustRun(db, readFileSync(script, 'utf8'), { database, args: ['-v', '-v'] });
  return [...out.matchAll(/Query OK, (\d+) rows? affected/g)].map((m) => Number(m[1]));
}

const restorable = (t: Transaction) => t.status !== 'unknown' && t.created_at !== null;
const isExpired = (t: Transaction) => t.flags.includes('expired') && (t.status === 'created' || t.status === 'pending');

async function simulatedRun(platform: string): Promise<{ out: string; recs: Transaction[] }> {
  const sim = join(root, `sim-${platform}`);
  const out = join(root, `out-${platform}`);
  // Two days, so expiries, refunds and manual handling all happen (dujiaoka).
  const s = await runCli(['simulate', '--out', sim, '--platform', platform, '--orders', '260', '--days', '2', '--damage', 'none', '--logging', 'operator', '--seed', '12'], root);
  assert.equal(s.code, 0, s.stderr);
  const r = await runCli(['reconstruct', join(sim, 'logs'), '--keys', join(sim, 'keys.json'), '--out', out, '--workers', '1', '-q'], root);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return { out, recs: records(out) };
}

describe('SQL export round trip into a real MariaDB', () => {
  let db: MariaDb;
  const dbs: string[] = [];
  before(() => {
    db = requireMariaDb();
  });
  after(() => {
    for (const d of dbs) dropDatabase(db, d);
  });

  test('dujiaoka: install.sql, export loaded twice, rows match the records, refunds and expiries are not completed', async () => {
    const { out, recs } = await simulatedRun('dujiaoka');
    const database = freshDatabase(db, 'dujiaoka');
    dbs.push(database);
    mustRun(db, readFileSync(join(FIXTURES, 'dujiaoka-install.sql'), 'utf8'), { database });
    const script = join(out, 'export.sql');
    const e = await runCli(['export', '--from', out, '--format', 'sql', '--min-confidence', '0', '--out', script], root);
    assert.equal(e.code, 0, e.stderr);
    assert.equal(statSync(script).mode & 0o777, 0o600);

    const first = load(db, database, script);
    assert.ok(first.some((n) => n > 0));
    const rowsOf = () => jsonRows<Record<string, string | number | null>>(db, database,
      "SELECT JSON_OBJECT('id', id, 'order_sn', order_sn, 'goods_id', goods_id, 'title', title, 'actual_price', actual_price, 'total_price', total_price, " +
      "'email', email, 'buy_ip', buy_ip, 'pay_id', pay_id, 'trade_no', trade_no, 'status', status, 'info', info, " +
      "'created_at', DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), 'updated_at', DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s')) FROM orders ORDER BY id");
    const rows = rowsOf();
    const expected = recs.filter(restorable);
    assert.equal(rows.length, expected.length, 'one row per restorable record');
    const bySn = new Map(rows.map((r) => [r.order_sn as string, r]));
    const wantStatus = (t: Transaction) => (isExpired(t) ? -1 : ({ created: 1, pending: 1, paid: 2, delivered: 4, refunded: 5, failed: 5 } as Record<string, number>)[t.status]);
    for (const t of expected) {
      const row = bySn.get(t.order_id);
      assert.ok(row, `${t.order_id} restored`);
      assert.equal(row.status, wantStatus(t), `${t.order_id} (${t.status} ${t.flags.join(' ')})`);
      if (t.amount !== null) assert.equal(Number(row.actual_price), t.amount);
      assert.equal(row.email, t.buyer_email ?? '');
      assert.equal(row.buy_ip, t.buyer_ip ?? '0.0.0.0');
      assert.equal(row.trade_no, t.trade_no ?? '');
      assert.equal(row.created_at, wall8(t.created_at!));
      assert.equal(row.title, 'salvage: title not in logs');
      if (t.goods_id !== null) assert.equal(String(row.goods_id), t.goods_id);
      if (t.pay_id !== undefined) assert.equal(String(row.pay_id), t.pay_id);
      if (t.card_key_masked !== undefined) assert.equal(row.info, t.card_key_masked);
    }
    // The mapping is exercised, and nothing refunded, failed or expired is 已完成 (4).
    for (const [status, min] of [['refunded', 1], ['delivered', 1]] as const) assert.ok(expected.filter((t) => t.status === status).length >= min, `the shop has ${status} orders`);
    assert.ok(expected.some(isExpired), 'the shop has expired orders');
    assert.equal(rows.filter((r) => r.status === 4).length, expected.filter((t) => t.status === 'delivered').length);
    assert.ok(expected.filter((t) => t.buyer_ip !== undefined).length > expected.length / 2, 'buy_ip comes from the evidence');

    const checksum = mustRun(db, 'CHECKSUM TABLE orders', { database });
    const second = load(db, database, script);
    assert.deepEqual(second.filter((n) => n !== 0), [], 'the second load changes no row');
    assert.deepEqual(rowsOf(), rows);
    assert.equal(mustRun(db, 'CHECKSUM TABLE orders', { database }), checksum);
  });

  test('acg-faka: Install.sql with its prefix, export loaded twice, rows match the records', async () => {
    const { out, recs } = await simulatedRun('acg-faka');
    const database = freshDatabase(db, 'acgfaka');
    dbs.push(database);
    const prefix = 'shop_';
    mustRun(db, readFileSync(join(FIXTURES, 'acg-faka-Install.sql'), 'utf8').replaceAll('__PREFIX__', prefix), { database });
    const script = join(out, 'export.sql');
    const e = await runCli(['export', '--from', out, '--format', 'sql', '--min-confidence', '0', '--table-prefix', prefix, '--out', script], root);
    assert.equal(e.code, 0, e.stderr);
    assert.match(readFileSync(script, 'utf8'), /^-- salvage restore script for acg-faka `shop_order`/);

    load(db, database, script);
    const rowsOf = () => jsonRows<Record<string, string | number | null>>(db, database,
      "SELECT JSON_OBJECT('id', id, 'trade_no', trade_no, 'amount', amount, 'commodity_id', commodity_id, 'pay_id', pay_id, 'create_ip', create_ip, " +
      "'status', status, 'delivery_status', delivery_status, 'contact', contact, 'secret', secret, " +
      `'create_time', DATE_FORMAT(create_time, '%Y-%m-%d %H:%i:%s'), 'pay_time', DATE_FORMAT(pay_time, '%Y-%m-%d %H:%i:%s')) FROM ${prefix}order ORDER BY id`);
    const rows = rowsOf();
    const expected = recs.filter(restorable);
    assert.equal(rows.length, expected.length);
    const byNo = new Map(rows.map((r) => [r.trade_no as string, r]));
    for (const t of expected) {
      const row = byNo.get(t.order_id);
      assert.ok(row, `${t.order_id} restored`);
      const paid = t.status === 'paid' || t.status === 'delivered';
      assert.equal(row.status, paid ? 1 : 0, `${t.order_id} (${t.status})`);
      assert.equal(row.delivery_status, t.status === 'delivered' ? 1 : 0);
      assert.equal(Number(row.amount), t.amount ?? 0);
      assert.equal(row.create_time, wall8(t.created_at!));
      assert.equal(row.pay_time, paid && t.paid_at ? wall8(t.paid_at) : null);
      assert.equal(row.create_ip, t.buyer_ip ?? '0.0.0.0');
      assert.equal(row.contact, t.buyer_email);
    }
    assert.ok(expected.some((t) => t.status === 'paid') && expected.some((t) => t.status === 'pending' || t.status === 'created'), 'paid and unpaid orders both exercised');

    const checksum = mustRun(db, `CHECKSUM TABLE ${prefix}order`, { database });
    const second = load(db, database, script);
    assert.deepEqual(second.filter((n) => n !== 0), []);
    assert.deepEqual(rowsOf(), rows);
    assert.equal(mustRun(db, `CHECKSUM TABLE ${prefix}order`, { database }), checksum);
  });

  test('the reconstruct restore.sql is the same writer: it loads into install.sql as it is', async () => {
    const out = join(root, 'out-dujiaoka');
    const database = freshDatabase(db, 'restore');
    dbs.push(database);
    mustRun(db, readFileSync(join(FIXTURES, 'dujiaoka-install.sql'), 'utf8'), { database });
    const r = mariadb(db, readFileSync(join(out, 'restore.sql'), 'utf8'), { database });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { outputs: { 'restore.sql': { inserts: number } } };
    assert.equal(Number(mustRun(db, 'SELECT COUNT(*) FROM orders', { database }).trim()), report.outputs['restore.sql'].inserts);
    assert.equal(Number(mustRun(db, 'SELECT COUNT(*) FROM orders WHERE status = 4', { database }).trim()),
      records(out).filter((t) => t.status === 'delivered' && t.confidence >= 0.8).length);
  });
});
