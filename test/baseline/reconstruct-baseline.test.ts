// End to end on a simulated shop: the last good backup of the orders table (the simulator's
// orders as they stood at a cutoff), as CSV and as a MySQL dump, given to reconstruct with the
// gateways' bills. The overlap agrees with the records except for a row altered on purpose and
// for orders whose payment the logs lost; records created after the cutoff are counted as new.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Transaction } from '../../src/model/types';
import type { BaselineReport } from '../../src/checks/baseline';
import { runCli } from '../support/run-cli';
import { alipayBill, localTime, wechatBill } from '../statements/bills';
import { DUJIAOKA_COLUMNS, mysqlDump, ordersCsv, type Row } from './dumps';
import type { TruthOrder } from '../support/evidence';

type Truth = TruthOrder;

const root = mkdtempSync(join(tmpdir(), 'salvage-baseline-e2e-'));
after(() => rmSync(root, { recursive: true, force: true }));
const sim = join(root, 'shop');

function readNd<T>(p: string): T[] {
  return readFileSync(p, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

let truth: Map<string, Truth>;
let baselineRows: Row[] = [];
let cutoff = '';
let altered: Row;
let billed = new Set<string>();

before(async () => {
  const s = await runCli(['simulate', '--out', sim, '--orders', '200', '--logging', 'default', '--seed', '11'], root);
  assert.equal(s.code, 0, s.stderr);
  truth = new Map(readNd<Truth>(join(sim, 'truth', 'recoverable.ndjson')).map((t) => [t.order_id, t]));
  const orders = readNd<Row>(join(sim, 'truth', 'orders.ndjson'));
  // The backup was taken when the 120th order had just been created.
  cutoff = String(orders[119]!.created_at);
  for (const o of orders) {
    if (String(o.created_at) > cutoff) continue;
    // The row as it stood at the backup: orders changed after it were still awaiting payment.
    baselineRows.push(String(o.updated_at) > cutoff ? { ...o, status: 1, trade_no: '', info: '', updated_at: o.created_at } : { ...o });
  }
  // Alter one completed epay order whose payment the logs show: its amount in the backup is wrong.
  const i = baselineRows.findIndex((r) => r.status === 4 && truth.get(String(r.order_sn))?.recoverable && truth.get(String(r.order_sn))?.channel === 'epay');
  assert.ok(i >= 0);
  altered = { ...baselineRows[i]!, actual_price: '999.99' };
  baselineRows[i] = altered;
  writeFileSync(join(root, 'orders.csv'), ordersCsv(DUJIAOKA_COLUMNS, baselineRows));
  writeFileSync(join(root, 'dump.sql'), mysqlDump(DUJIAOKA_COLUMNS, baselineRows, { perInsert: 40 }));

  const paid = [...truth.values()].filter((t) => t.paid && t.paid_at && t.trade_no);
  const ali = paid.filter((t) => t.channel === 'alipay');
  const wx = paid.filter((t) => t.channel === 'wxpay');
  billed = new Set([...ali, ...wx].map((t) => t.order_id));
  writeFileSync(join(root, 'alipay.csv'), alipayBill(ali.map((t) => ({ trade_no: t.trade_no!, order_id: t.order_id, done: localTime(t.paid_at!), amount: t.amount.toFixed(2) }))));
  writeFileSync(join(root, 'wechat.csv'), wechatBill(wx.map((t) => ({ time: localTime(t.paid_at!), wx_no: t.trade_no!, order_id: t.order_id, amount: t.amount.toFixed(2) }))));
});

async function run(out: string, baseline: string): Promise<{ stdout: string; base: BaselineReport; records: Map<string, Transaction> }> {
  const r = await runCli(['reconstruct', join(sim, 'logs'), '--keys', join(sim, 'keys.json'), '--out', join(root, out), '--workers', '1',
    '--statement', 'alipay.csv', '--statement', 'wechat.csv', '--baseline', baseline], root);
  assert.ok(r.code === 0 || r.code === 1, r.stderr + r.stdout);
  const report = JSON.parse(readFileSync(join(root, out, 'report.json'), 'utf8')) as { baseline: BaselineReport };
  return { stdout: r.stdout, base: report.baseline, records: new Map(readNd<Transaction>(join(root, out, 'transactions.ndjson')).map((t) => [t.order_id, t])) };
}

describe('reconstruct --baseline (with --statement) on a simulated shop', () => {
  let csv: Awaited<ReturnType<typeof run>>;
  let dump: Awaited<ReturnType<typeof run>>;
  before(async () => {
    csv = await run('out-csv', 'orders.csv');
    dump = await run('out-dump', 'dump.sql');
  });

  test('the backup is read whole, and the overlap is counted', () => {
    const b = csv.base;
    assert.equal(b.format, 'csv');
    assert.equal(b.platform, 'dujiaoka');
    assert.equal(b.rows, baselineRows.length);
    assert.equal(b.rejected_rows, 0);
    assert.equal(b.cutoff, cutoff.replace(' ', 'T') + '+08:00');
    assert.ok(b.overlap > 50, String(b.overlap));
    assert.equal(b.consistent + b.inconsistent_count, b.overlap);
    assert.equal(b.only_in_baseline, baselineRows.length - b.overlap);
    assert.match(csv.stdout, /baseline 备份: \d+ record\(s\) in the backup/);
  });

  test('the overlap agrees except for the altered row and orders whose payment the logs lost', () => {
    const b = csv.base;
    const sn = String(altered.order_sn);
    const t = truth.get(sn)!;
    assert.deepEqual(b.inconsistent.filter((m) => m.order_id === sn), [{ order_id: sn, field: 'amount', baseline: '999.99', recovered: t.amount.toFixed(2) }]);
    assert.ok(csv.records.get(sn)!.flags.includes('baseline_mismatch'));
    for (const m of b.inconsistent.filter((x) => x.order_id !== sn)) {
      // The backup knows the order was paid; the logs lost every line that showed it, and no bill lists it.
      assert.equal(m.field, 'status', JSON.stringify(m));
      assert.match(m.recovered, /^(created|pending)$/, JSON.stringify(m));
      assert.equal(truth.get(m.order_id)!.recoverable, false, JSON.stringify(m));
      assert.ok(!billed.has(m.order_id), JSON.stringify(m));
    }
    assert.deepEqual(Object.keys(b.inconsistent_by_field).sort(), b.inconsistent.length > 1 ? ['amount', 'status'] : ['amount']);
  });

  test('a consistent overlapping record is flagged in_baseline, a record outside the backup is not', () => {
    const inBase = new Set(baselineRows.map((r) => String(r.order_sn)));
    const consistent = [...csv.records.values()].filter((r) => inBase.has(r.order_id) && !r.flags.includes('baseline_mismatch'));
    assert.equal(consistent.length, csv.base.consistent);
    for (const r of consistent) assert.ok(r.flags.includes('in_baseline'), r.order_id);
    for (const r of csv.records.values()) if (!inBase.has(r.order_id)) assert.ok(!r.flags.includes('in_baseline') && !r.flags.includes('baseline_mismatch'), r.order_id);
  });

  test('records created after the backup are counted as new', () => {
    const inBase = new Set(baselineRows.map((r) => String(r.order_sn)));
    const cut = Date.parse(cutoff.replace(' ', 'T') + '+08:00');
    const newer = [...csv.records.values()].filter((r) => !inBase.has(r.order_id) && r.created_at !== null && Date.parse(r.created_at) > cut);
    assert.ok(newer.length > 20, String(newer.length));
    assert.equal(csv.base.newer_than_baseline, newer.length);
  });

  test('the MySQL dump of the same backup gives the same result', () => {
    const strip = (b: BaselineReport) => ({ ...b, file: '', bytes: 0, sha256: '', format: '' });
    assert.equal(dump.base.format, 'mysql-dump');
    assert.deepEqual(strip(dump.base), strip(csv.base));
  });

  test('the report carries no buyer contact from the backup', () => {
    const text = JSON.stringify(csv.base);
    assert.ok(!/@/.test(text), 'no email in report.json → baseline');
  });

  test('an unreadable --baseline is a usage error, before anything is written', async () => {
    writeFileSync(join(root, 'nocols.sql'), "INSERT INTO `orders` VALUES ('A',1);\n");
    const r = await runCli(['reconstruct', join(sim, 'logs'), '--out', join(root, 'out-bad'), '--baseline', 'nocols.sql'], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no column list and no CREATE TABLE/);
  });
});
