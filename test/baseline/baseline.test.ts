// The baseline readers (CSV with a header row, MySQL dump) and the baseline check.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { CsvStream, type Cell } from '../../src/sources/baseline/csv-stream';
import { DumpStream, columnsOfCreate } from '../../src/sources/baseline/mysql-dump';
import { BaselineError, readBaseline, type Baseline } from '../../src/sources/baseline/read-baseline';
import { BaselineCheck } from '../../src/checks/baseline';
import type { Transaction } from '../../src/model/types';
import { DUJIAOKA_COLUMNS, mysqlDump, ordersCsv, sqlString, type Row } from './dumps';

const root = mkdtempSync(join(tmpdir(), 'salvage-baseline-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function file(content: string | Buffer, ext = 'sql'): string {
  const p = join(root, `b${++n}.${ext}`);
  writeFileSync(p, content);
  return p;
}

/** Feed `text` in pieces cut at `cuts` (positions), collecting what the parser emits. */
function chunks(text: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(text.slice(prev, c));
    prev = c;
  }
  out.push(text.slice(prev));
  return out;
}

function parseDump(text: string, cuts: number[] = []): { tables: Record<string, string[]>; rows: { table: string; values: Cell[] }[] } {
  const tables: Record<string, string[]> = {};
  const rows: { table: string; values: Cell[] }[] = [];
  let current = '';
  const d = new DumpStream({
    createTable: (t, c) => { tables[t] = c; },
    insert: (t) => { current = t; return true; },
    row: (values) => rows.push({ table: current, values }),
  });
  for (const c of chunks(text, cuts)) d.push(c);
  d.end();
  return { tables, rows };
}

function parseCsv(text: string, cuts: number[] = []): Cell[][] {
  const rows: Cell[][] = [];
  const p = new CsvStream((r) => rows.push(r));
  for (const c of chunks(text, cuts)) p.push(c);
  p.end();
  return rows;
}

const TRICKY = ["it's", 'a "quoted" word', 'back\\slash', 'line\nbreak', 'x),(y', "'),('", 'tab\there', '订单 ¥9.90', '', 'NULL', 'nul\0byte', 'ctrl-z\x1a'];

describe('MySQL dump parser', () => {
  const text =
    "-- comment\n/*!40101 SET NAMES utf8mb4 */;\n# hash comment\nCREATE TABLE `t` (\n  `id` int NOT NULL,\n  `name` varchar(20) DEFAULT 'a,b' COMMENT 'x (y)',\n  `price` decimal(10,2),\n  PRIMARY KEY (`id`),\n  KEY `k` (`name`,`id`)\n) ENGINE=InnoDB;\n" +
    `INSERT INTO \`t\` (\`id\`, \`name\`, \`price\`) VALUES ${TRICKY.map((v, i) => `(${i + 1},${sqlString(v)}, 1.50)`).join(',')};\n` +
    "INSERT INTO `db`.`t` VALUES (3,'it''s doubled',NULL),(4,_binary 'bin',0x41);\n";

  test('multi-row INSERTs with escaped quotes, NULLs, `),(` inside strings and comments around', () => {
    const { tables, rows } = parseDump(text);
    assert.deepEqual(tables, { t: ['id', 'name', 'price'] });
    assert.deepEqual(rows.slice(0, TRICKY.length).map((r) => r.values[1]), TRICKY);
    assert.deepEqual(rows[0]!.values, ['1', "it's", '1.50']);
    assert.deepEqual(rows.at(-2)!.values, ['3', "it's doubled", null]);
    assert.deepEqual(rows.at(-1)!.values, ['4', 'bin', '0x41']);
    assert.equal(rows.length, TRICKY.length + 2);
  });

  test('property: any cutting of the text into chunks gives the same rows', () => {
    const whole = parseDump(text);
    fc.assert(fc.property(fc.array(fc.nat(text.length), { maxLength: 12 }), (cuts) => {
      assert.deepEqual(parseDump(text, cuts), whole);
    }));
  });

  test('property: any string survives MySQL escaping (backslash or doubled quotes)', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 20 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (vals, doubled) => {
      const sql = `INSERT INTO x VALUES ${vals.map((v, i) => `(${i},${sqlString(v, doubled)})`).join(',')};`;
      assert.deepEqual(parseDump(sql).rows.map((r) => r.values[1]), vals);
    }));
  });

  test('CREATE TABLE columns leave out keys and constraints', () => {
    assert.deepEqual(columnsOfCreate("`a` int, `b` enum('x','y'), PRIMARY KEY (`a`), UNIQUE KEY `u` (`b`), CONSTRAINT `f` FOREIGN KEY (`a`) REFERENCES y (`id`)"), ['a', 'b']);
  });
});

describe('CSV parser', () => {
  test('quotes, doubled quotes, line breaks inside quotes, NULL and \\N, CRLF', () => {
    assert.deepEqual(parseCsv('a,b,c\r\n1,"x, ""y""\nz",NULL\r\n2,\\N,"NULL"\r\n\r\n'), [['a', 'b', 'c'], ['1', 'x, "y"\nz', null], ['2', null, 'NULL']]);
  });
  test('property: any chunking gives the same rows', () => {
    const text = 'h1,h2\n"a,b","c\n""d"""\n,\n"last"';
    const whole = parseCsv(text);
    fc.assert(fc.property(fc.array(fc.nat(text.length), { maxLength: 8 }), (cuts) => assert.deepEqual(parseCsv(text, cuts), whole)));
  });
});

// ---- readBaseline -----------------------------------------------------------------------------

function order(i: number, extra: Partial<Row> = {}): Row {
  return {
    id: i, order_sn: `ORDER${String(i).padStart(11, '0')}`, goods_id: 3, coupon_id: 0, title: "O'Reilly \"书\" x 1", type: 1, goods_price: '9.90', buy_amount: 1,
    coupon_discount_price: '0.00', wholesale_discount_price: '0.00', total_price: '9.90', actual_price: '9.90', search_pwd: '', email: `b${i}@example.com`,
    info: 'KEY-A\nKEY-B),(x', pay_id: 14, buy_ip: '203.0.113.7', trade_no: '', status: 1, coupon_ret_back: 0,
    created_at: `2026-11-21 0${i % 10}:00:00`, updated_at: `2026-11-21 0${i % 10}:00:00`, deleted_at: null, ...extra,
  };
}
const ROWS: Row[] = [
  order(1, { status: 4, trade_no: 'T1' }),
  order(2, { status: -1 }),
  order(3, { status: 2, trade_no: 'T3' }),
  order(4, { status: 5 }),
  order(5, { status: 6, trade_no: 'T5' }),
];

describe('readBaseline', () => {
  const expectOrders = (b: Baseline) => {
    assert.equal(b.platform, 'dujiaoka');
    assert.equal(b.rows, 5);
    assert.equal(b.rejected_rows, 0);
    assert.deepEqual([...b.orders.keys()], ROWS.map((r) => r.order_sn));
    assert.deepEqual([...b.orders.values()].map((o) => o.status), ['delivered', 'created', 'paid', 'failed', 'paid']);
    const o1 = b.orders.get('ORDER00000000001')!;
    assert.equal(o1.amountCents, 990);
    assert.equal(o1.tradeNo, 'T1');
    assert.equal(o1.email, 'b1@example.com');
    assert.equal(b.orders.get('ORDER00000000002')!.tradeNo, null, "'' trade no is none");
    assert.equal(b.cutoffMs, Date.parse('2026-11-21T05:00:00+08:00'));
  };

  test('a CSV export with a header row', async () => {
    const b = await readBaseline(file(ordersCsv(DUJIAOKA_COLUMNS, ROWS), 'csv'), 'orders.csv', 'Asia/Shanghai');
    assert.equal(b.format, 'csv');
    expectOrders(b);
  });

  test('a GBK CSV export', async () => {
    const b = await readBaseline(file(iconv.encode(ordersCsv(DUJIAOKA_COLUMNS, ROWS), 'gbk'), 'csv'), 'orders.csv', 'Asia/Shanghai');
    assert.equal(b.encoding, 'gbk');
    expectOrders(b);
  });

  test('a mysqldump with a column list, several INSERTs, another table ignored', async () => {
    const b = await readBaseline(file(mysqlDump(DUJIAOKA_COLUMNS, ROWS, { perInsert: 2 })), 'dump.sql', 'Asia/Shanghai');
    assert.equal(b.format, 'mysql-dump');
    expectOrders(b);
  });

  test('INSERT without a column list takes the columns of the CREATE TABLE before it; doubled quotes; gzip', async () => {
    const b = await readBaseline(file(gzipSync(mysqlDump(DUJIAOKA_COLUMNS, ROWS, { noColumnList: true, doubledQuote: true }))), 'dump.sql.gz', 'Asia/Shanghai');
    expectOrders(b);
  });

  test('INSERT without a column list and no CREATE TABLE: refused with a clear message', async () => {
    await assert.rejects(readBaseline(file(mysqlDump(DUJIAOKA_COLUMNS, ROWS, { noColumnList: true, noCreate: true })), 'dump.sql', 'Asia/Shanghai'), (e: Error) => {
      assert.ok(e instanceof BaselineError);
      assert.match(e.message, /has no column list and no CREATE TABLE `orders` comes before it/);
      return true;
    });
  });

  test('acg-faka: {prefix}order, status and delivery_status', async () => {
    const cols = ['id', 'owner', 'trade_no', 'amount', 'commodity_id', 'create_time', 'pay_time', 'status', 'secret', 'contact', 'delivery_status'];
    const rows: Row[] = [
      { id: 1, owner: 0, trade_no: '123261121080000456', amount: '12.00', commodity_id: 1, create_time: '2026-11-21 08:00:00', pay_time: null, status: 0, secret: null, contact: 'q@x.cn', delivery_status: 0 },
      { id: 2, owner: 0, trade_no: '124261121090000457', amount: '5.50', commodity_id: 1, create_time: '2026-11-21 09:00:00', pay_time: '2026-11-21 09:01:00', status: 1, secret: 'K1', contact: '13800000000', delivery_status: 1 },
      { id: 3, owner: 0, trade_no: '125261121100000458', amount: '5.50', commodity_id: 1, create_time: '2026-11-21 10:00:00', pay_time: '2026-11-21 10:01:00', status: 1, secret: null, contact: 'x', delivery_status: 0 },
    ];
    const b = await readBaseline(file(mysqlDump(cols, rows, { table: 'acg_order' })), 'acg.sql', 'Asia/Shanghai');
    assert.equal(b.platform, 'acg-faka');
    assert.deepEqual([...b.orders.values()].map((o) => [o.status, o.rawStatus]), [['created', '0/0'], ['delivered', '1/1'], ['paid', '1/0']]);
    assert.equal(b.orders.get('124261121090000457')!.email, '13800000000');
  });

  test('bad rows are counted, not fatal; a file that is not an orders table is refused', async () => {
    const csv = ordersCsv(DUJIAOKA_COLUMNS, ROWS) + 'too,few\r\n' + ordersCsv(DUJIAOKA_COLUMNS, [order(9, { actual_price: 'lots' })]).split('\r\n')[1] + '\r\n';
    const b = await readBaseline(file(csv, 'csv'), 'orders.csv', 'Asia/Shanghai');
    assert.equal(b.rows, 7);
    assert.equal(b.rejected_rows, 2);
    assert.equal(b.orders.size, 5);
    assert.match(b.problems.join('\n'), /2 value\(s\), the header has 23/);
    assert.match(b.problems.join('\n'), /amount "lots" is not a number/);
    await assert.rejects(readBaseline(file('name,price\na,1\n', 'csv'), 'x.csv', 'UTC'), /names neither dujiaoka's order_sn nor acg-faka's trade_no/);
    await assert.rejects(readBaseline(file("INSERT INTO `goods` VALUES (1,'x');\n"), 'x.sql', 'UTC'), /no INSERT INTO `orders`/);
    await assert.rejects(readBaseline(file("INSERT INTO `orders` (`order_sn`) VALUES ('A'),('B"), 'cut.sql', 'UTC'), /ends inside an INSERT/);
  });
});

// ---- the check --------------------------------------------------------------------------------

function rec(id: string, over: Partial<Transaction>): Transaction {
  return {
    order_id: id, status: 'paid', amount: 9.9, currency: 'CNY', channel: 'epay', created_at: '2026-11-21T01:00:00+08:00', paid_at: null, buyer_email: null,
    goods_id: null, trade_no: null, confidence: 0.9, reasons: [], flags: [], conflicts: [], provenance: {}, evidence: [], ...over,
  };
}

describe('baseline check', () => {
  test('consistent overlap → in_baseline; each kind of disagreement → baseline_mismatch; new and missing orders counted', async () => {
    const b = await readBaseline(file(ordersCsv(DUJIAOKA_COLUMNS, ROWS), 'csv'), 'orders.csv', 'Asia/Shanghai');
    const c = new BaselineCheck(b);
    c.visit(rec('ORDER00000000001', { status: 'delivered', trade_no: 'T1', buyer_email: 'B1@example.com' })); // same, email case differs
    c.visit(rec('ORDER00000000002', { status: 'paid', trade_no: 'T2' })); // expired at backup, paid since: allowed
    c.visit(rec('ORDER00000000003', { status: 'pending' })); // paid at backup, pending now: a step back
    c.visit(rec('ORDER00000000004', { status: 'failed', amount: 19.9 })); // amount differs
    c.visit(rec('ORDER00000000005', { status: 'unknown', trade_no: 'OTHER' })); // trade no differs; unknown status not compared
    c.visit(rec('NEWORDER00000001', { created_at: '2026-11-21T09:00:00+08:00' }));
    c.visit(rec('OLDORDER00000001', { created_at: '2026-11-21T02:00:00+08:00' }));
    c.visit(rec('UNDATED000000001', { created_at: null }));
    const { report, flags } = c.finish();
    assert.deepEqual(flags.get('ORDER00000000001'), ['in_baseline']);
    assert.deepEqual(flags.get('ORDER00000000002'), ['in_baseline']);
    for (const id of ['ORDER00000000003', 'ORDER00000000004', 'ORDER00000000005']) assert.deepEqual(flags.get(id), ['baseline_mismatch'], id);
    assert.equal(flags.get('NEWORDER00000001'), undefined);
    assert.deepEqual(report.inconsistent, [
      { order_id: 'ORDER00000000003', field: 'status', baseline: 'paid (dujiaoka 2)', recovered: 'pending' },
      { order_id: 'ORDER00000000004', field: 'amount', baseline: '9.90', recovered: '19.90' },
      { order_id: 'ORDER00000000005', field: 'trade_no', baseline: 'T5', recovered: 'OTHER' },
    ]);
    assert.equal(report.rows, 5);
    assert.equal(report.overlap, 5);
    assert.equal(report.consistent, 2);
    assert.equal(report.inconsistent_count, 3);
    assert.equal(report.only_in_baseline, 0);
    assert.equal(report.newer_than_baseline, 1);
    assert.equal(report.missing_from_baseline_before_cutoff, 1);
    assert.equal(report.not_in_baseline_undated, 1);
    // PII: no email in the report unless it is the disagreeing value.
    assert.ok(!JSON.stringify(report).includes('@example.com'));
  });

  test('a differing buyer email is reported with both values', async () => {
    const b = await readBaseline(file(ordersCsv(DUJIAOKA_COLUMNS, ROWS), 'csv'), 'orders.csv', 'Asia/Shanghai');
    const c = new BaselineCheck(b);
    c.visit(rec('ORDER00000000001', { status: 'delivered', buyer_email: 'other@example.com' }));
    const { report } = c.finish();
    assert.deepEqual(report.inconsistent, [{ order_id: 'ORDER00000000001', field: 'buyer_email', baseline: 'b1@example.com', recovered: 'other@example.com' }]);
    assert.equal(report.only_in_baseline, 4);
  });
});
