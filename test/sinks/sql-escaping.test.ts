// Values that break naive SQL writers — quotes, backslashes, NUL, newlines, Ctrl-Z, Chinese and
// emoji — loaded into the platforms' real tables on a real MariaDB, under the default sql_mode
// and under NO_BACKSLASH_ESCAPES, and read back byte for byte. Card keys: masked by default,
// in clear only with --reveal-card-keys, and then said so in the header and the export report.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { runCli } from '../support/run-cli';
import { dropDatabase, freshDatabase, jsonRows, mustRun, requireMariaDb, type MariaDb } from '../support/mariadb';
import type { Transaction } from '../../src/model/types';
import { sqlString } from '../../src/sinks/sql/literal';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'schemas');
const root = mkdtempSync(join(tmpdir(), 'salvage-sqlesc-'));
after(() => rmSync(root, { recursive: true, force: true }));

const NASTY_KEY = "line1\nline2\r\n\u0000\u001a'\"\\ 卡密 😀 \\' ''";
const NASTY_EMAIL = "o'brien\\\"\t\u0000x@例子.cn";

function record(over: Partial<Transaction>): Transaction {
  return {
    order_id: 'X', status: 'delivered', amount: 12.5, currency: 'CNY', channel: 'epay',
    created_at: '2026-11-21T10:00:00+08:00', paid_at: '2026-11-21T10:01:00+08:00',
    buyer_email: 'a@b.c', goods_id: '7', trade_no: 'T1', confidence: 0.99, reasons: [], flags: [], conflicts: [], provenance: {},
    evidence: [{ source: 'laravel', file: "logs/it's\nodd.log", line: 3, offset: 0, rule: 'r', kind: 'card_delivered', ts: '2026-11-21T10:01:30+08:00' }],
    ...over,
  };
}

function fakeRun(name: string, recs: Transaction[]): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'transactions.ndjson'), recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ settings: { tz: 'Asia/Shanghai' }, inputs: [] }));
  return dir;
}

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();

describe('SQL values survive a real MariaDB', () => {
  let db: MariaDb;
  const dbs: string[] = [];
  before(() => {
    db = requireMariaDb();
  });
  after(() => {
    for (const d of dbs) dropDatabase(db, d);
  });

  const recs = [
    record({ order_id: "ESC'1\\X", buyer_email: NASTY_EMAIL, trade_no: "T\\'0\n", buyer_ip: '::1', card_key_masked: 'line********😀 \'', card_key: NASTY_KEY }),
    // An emoji cannot go into dujiaoka's utf8 (3-byte) email column: left out, the row still loads.
    record({ order_id: 'EMOJI2', buyer_email: 'x😀@y.z', status: 'refunded' }),
  ];

  for (const mode of ['default', 'NO_BACKSLASH_ESCAPES']) {
    test(`dujiaoka, card keys revealed, sql_mode ${mode}`, async () => {
      const run = fakeRun(`dj-${mode}`, recs);
      const script = join(run, 'out.sql');
      const e = await runCli(['export', '--from', run, '--format', 'sql', '--platform', 'dujiaoka', '--reveal-card-keys', '--out', script], root);
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stderr, /card keys REVEALED in 1 row/);
      const text = readFileSync(script, 'utf8');
      assert.match(text, /CARD KEYS REVEALED \(--reveal-card-keys\) in 1 row/);
      const report = JSON.parse(readFileSync(script + '.export-report.json', 'utf8')) as { card_keys: string; card_keys_revealed: number };
      assert.deepEqual([report.card_keys, report.card_keys_revealed], ['revealed', 1]);
      // Every statement and comment is one line: a newline in a value or a file name cannot end a comment early.
      for (const l of text.split('\n')) assert.ok(l === '' || l.startsWith('--') || l.startsWith('INSERT ') || l.startsWith('SET '), l);

      const database = freshDatabase(db, 'esc');
      dbs.push(database);
      mustRun(db, readFileSync(join(FIXTURES, 'dujiaoka-install.sql'), 'utf8'), { database });
      const init = mode === 'default' ? [] : [`--init-command=SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')`];
      mustRun(db, text, { database, args: init });
      mustRun(db, text, { database, args: init });
      const rows = jsonRows<Record<string, string | number>>(db, database,
        "SELECT JSON_OBJECT('sn', HEX(order_sn), 'email', HEX(email), 'info', HEX(info), 'trade_no', HEX(trade_no), 'ip', buy_ip, 'status', status) FROM orders ORDER BY id");
      assert.deepEqual(rows, [
        { sn: hex("ESC'1\\X"), email: hex(NASTY_EMAIL), info: hex(NASTY_KEY), trade_no: hex("T\\'0\n"), ip: '::1', status: 4 },
        { sn: hex('EMOJI2'), email: '', info: null, trade_no: hex('T1'), ip: '0.0.0.0', status: 5 },
      ]);
      assert.match(text, /EMOJI2: .*email left out \(characters outside utf8mb3/);
    });
  }

  test('card keys stay masked without --reveal-card-keys, in SQL, CSV and NDJSON', async () => {
    const run = fakeRun('masked', recs);
    for (const format of ['sql', 'csv', 'ndjson']) {
      const out = join(run, `out.${format}`);
      const e = await runCli(['export', '--from', run, '--format', format, '--out', out], root);
      assert.equal(e.code, 0, e.stderr);
      const text = readFileSync(out, 'utf8');
      assert.ok(!text.includes('line1') && !text.includes(hex('line1')) && !text.includes('6C696E6531'.toLowerCase()), `${format}: no clear card key`);
      assert.ok(text.includes('line****'), `${format}: the masked key is there`);
      const report = JSON.parse(readFileSync(out + '.export-report.json', 'utf8')) as { card_keys: string; card_keys_revealed: number };
      assert.deepEqual([report.card_keys, report.card_keys_revealed], ['masked', 0]);
    }
  });

  test('acg-faka: a contact longer than the column is left out, the rest loads', async () => {
    const run = fakeRun('acg', [record({ order_id: '123261121000116714', buyer_email: 'a-very-long-contact-address@example.com', card_key_masked: "k'\\y" })]);
    const script = join(run, 'out.sql');
    const e = await runCli(['export', '--from', run, '--format', 'sql', '--platform', 'acg-faka', '--out', script], root);
    assert.equal(e.code, 0, e.stderr);
    const database = freshDatabase(db, 'escacg');
    dbs.push(database);
    mustRun(db, readFileSync(join(FIXTURES, 'acg-faka-Install.sql'), 'utf8').replaceAll('__PREFIX__', 'acg_'), { database });
    mustRun(db, readFileSync(script, 'utf8'), { database });
    const rows = jsonRows<Record<string, unknown>>(db, database, "SELECT JSON_OBJECT('contact', contact, 'secret', secret, 'status', status, 'delivery', delivery_status) FROM acg_order");
    assert.deepEqual(rows, [{ contact: null, secret: "k'\\y", status: 1, delivery: 1 }]);
  });
});

describe('sqlString', () => {
  test('plain text is quoted with quotes doubled; anything with a backslash or control character is hex', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const lit = sqlString(s);
      if (/[\\\u0000-\u001f\u007f]/.test(s)) {
        assert.equal(lit, `_utf8mb4 X'${Buffer.from(s, 'utf8').toString('hex')}'`);
      } else {
        assert.ok(lit.startsWith("'") && lit.endsWith("'"));
        assert.equal(lit.slice(1, -1).replace(/''/g, "'"), s);
        assert.ok(!/(^|[^'])'([^']|$)/.test(lit.slice(1, -1)), 'no lone quote inside');
      }
      assert.ok(!/[\u0000-\u001f]/.test(lit), 'the literal itself is one printable line');
    }));
  });
});
