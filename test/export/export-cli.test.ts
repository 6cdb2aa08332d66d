// `salvage export` from a run folder: CSV as RFC 4180 (read back with a strict parser), the BOM,
// filters, owner-only files, lines that are not records; and restore.sql's header time in the
// run's zone.

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { runCli } from '../support/run-cli';
import type { Transaction } from '../../src/model/types';
import { EXPORT_CSV_COLUMNS } from '../../src/export/formats';

const root = mkdtempSync(join(tmpdir(), 'salvage-export-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** RFC 4180, strictly: CRLF records, quoted fields with doubled quotes, nothing else special. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        assert.ok(q >= 0, 'unterminated quoted field');
        field += text.slice(i, q);
        i = q + 1;
        if (text[i] === '"') { field += '"'; i++; } else break;
      }
    } else {
      const m = /[,\r\n"]/.exec(text.slice(i));
      const end = m ? i + m.index : text.length;
      assert.notEqual(text[end], '"', 'a quote inside an unquoted field');
      field = text.slice(i, end);
      i = end;
    }
    row.push(field);
    if (text[i] === ',') { i++; continue; }
    assert.ok(text.startsWith('\r\n', i), `records end with CRLF (at ${i})`);
    i += 2;
    rows.push(row);
    row = [];
    if (i >= text.length) return rows;
  }
}

let n = 0;
function record(over: Partial<Transaction>): Transaction {
  n++;
  return {
    order_id: `ORD${n}`, status: 'paid', amount: 10, currency: 'CNY', channel: 'epay', created_at: '2026-11-21T10:00:00+08:00', paid_at: null,
    buyer_email: 'a@b.c', goods_id: '1', trade_no: null, confidence: 0.9, reasons: ['r'], flags: [], conflicts: [], provenance: {},
    evidence: [{ source: 'laravel', file: 'a.log', line: 1, offset: 0, rule: 'x', kind: 'order_created', ts: null }],
    ...over,
  };
}

function fakeRun(name: string, lines: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'transactions.ndjson'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ settings: { tz: 'Asia/Shanghai' }, inputs: [] }));
  return dir;
}

describe('export --format csv', () => {
  test('any text survives RFC 4180 quoting, with no apostrophe added, and the BOM only when asked', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    const recs = fc.sample(fc.record({ email: text, reason: text, channel: text }), { numRuns: 40, seed: 5 }).map((v) =>
      record({ buyer_email: v.email, reasons: [v.reason], channel: v.channel }));
    recs.push(record({ buyer_email: '=HYPERLINK("http://x","y")', reasons: ['+1, "quoted"\r\nnext line'], channel: '-5', amount: -1.5 }));
    const run = fakeRun('csv', recs.map((r) => JSON.stringify(r)));
    for (const bom of [false, true]) {
      const out = join(run, `out-${bom}.csv`);
      const e = await runCli(['export', '--from', run, '--format', 'csv', '--out', out, ...(bom ? ['--bom'] : [])], root);
      assert.equal(e.code, 0, e.stderr);
      let body = readFileSync(out, 'utf8');
      assert.equal(body.startsWith('\uFEFF'), bom);
      if (bom) body = body.slice(1);
      const rows = parseCsv(body);
      assert.deepEqual(rows[0], [...EXPORT_CSV_COLUMNS]);
      assert.equal(rows.length, recs.length + 1);
      const col = (name: string) => EXPORT_CSV_COLUMNS.indexOf(name as never);
      recs.forEach((r, i) => {
        assert.equal(rows[i + 1]![col('buyer_email')], r.buyer_email);
        assert.equal(rows[i + 1]![col('reasons')], r.reasons[0]);
        assert.equal(rows[i + 1]![col('channel')], r.channel);
        assert.equal(rows[i + 1]![col('amount')], r.amount!.toFixed(2));
      });
    }
  });
});

describe('export filters and files', () => {
  const recs = [
    record({ status: 'paid', confidence: 0.95 }),
    record({ status: 'delivered', confidence: 0.5 }),
    record({ status: 'refunded', confidence: 0.99 }),
    record({ status: 'delivered', confidence: 0.99 }),
  ];

  test('--status and --min-confidence keep only matching records; the report counts the rest', async () => {
    const run = fakeRun('filters', recs.map((r) => JSON.stringify(r)));
    const out = join(run, 'x.ndjson');
    writeFileSync(out, 'old');
    chmodSync(out, 0o644);
    const e = await runCli(['export', '--from', run, '--format', 'ndjson', '--status', 'paid,delivered', '--min-confidence', '0.9', '--out', out], root);
    assert.equal(e.code, 0, e.stderr);
    const got = readFileSync(out, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as Transaction).order_id);
    assert.deepEqual(got, [recs[0]!.order_id, recs[3]!.order_id]);
    assert.equal(statSync(out).mode & 0o777, 0o600, 'an existing file is made owner-only');
    assert.equal(statSync(out + '.export-report.json').mode & 0o777, 0o600);
    const report = JSON.parse(readFileSync(out + '.export-report.json', 'utf8')) as { records_read: number; records_filtered_out: number; rows_written: number };
    assert.deepEqual([report.records_read, report.records_filtered_out, report.rows_written], [4, 2, 2]);
  });

  test('a line that is not a record is counted and named, the others are exported, exit 1', async () => {
    const run = fakeRun('bad', [JSON.stringify(recs[0]), '{"broken', JSON.stringify({ hello: 1 }), JSON.stringify(recs[3])]);
    const e = await runCli(['export', '--from', run, '--format', 'ndjson'], root);
    assert.equal(e.code, 1);
    assert.equal(e.stdout.trim().split('\n').length, 2);
    assert.match(e.stderr, /2 line\(s\) were not records .*transactions\.ndjson:2/);
  });

  test('usage errors: unknown status, a folder that is not a run, --bom with sql, --out over the records read', async () => {
    const run = fakeRun('usage', [JSON.stringify(recs[0])]);
    for (const [argv, re] of [
      [['--from', run, '--format', 'csv', '--status', 'paid,shipped'], /unknown status shipped/],
      [['--from', root, '--format', 'csv'], /no transactions\.ndjson/],
      [['--from', run, '--format', 'sql', '--bom'], /--bom is for --format csv/],
      [['--from', run, '--format', 'ndjson', '--out', join(run, 'transactions.ndjson')], /one of the run's own files/],
    ] as const) {
      const e = await runCli(['export', ...argv], root);
      assert.equal(e.code, 2, e.stderr);
      assert.match(e.stderr, re);
    }
    assert.equal(readFileSync(join(run, 'transactions.ndjson'), 'utf8'), JSON.stringify(recs[0]) + '\n', 'the run is untouched');
  });
});

describe('restore.sql from reconstruct, and export --format sql', () => {
  // reconstruct's script carries no time of writing, so the same inputs give the same bytes
  // (issue 10; the run's time is in report.json → run); an export says when it was made, in
  // the run's zone (issue 13: not UTC).
  test("reconstruct's header names the run's zone and no time; an export's header time is in the run's zone (+08:00 by default, +00:00 with --tz UTC)", async () => {
    const sim = join(root, 'sim');
    const s = await runCli(['simulate', '--out', sim, '--orders', '30', '--damage', 'none', '--seed', '3'], root);
    assert.equal(s.code, 0, s.stderr);
    for (const [tz, offset, zoneName] of [[undefined, '+08:00', 'Asia/Shanghai'], ['UTC', '+00:00', 'UTC']] as const) {
      const out = join(root, `rec-${tz ?? 'default'}`);
      const r = await runCli(['reconstruct', join(sim, 'logs'), '--out', out, '--workers', '1', '-q', ...(tz ? ['--tz', tz] : [])], root);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const text = readFileSync(join(out, 'restore.sql'), 'utf8');
      const head = text.split('\n')[0]!;
      assert.doesNotMatch(head, /\d\d:\d\d:\d\d/, head);
      assert.match(head, /report\.json → run\.generated_at/);
      assert.match(text, new RegExp(`wall clock in ${zoneName},`));
      const file = join(root, `export-${tz ?? 'default'}.sql`);
      const t0 = Math.floor(Date.now() / 1000) * 1000;
      const e = await runCli(['export', '--from', out, '--format', 'sql', '--out', file], root);
      assert.equal(e.code, 0, e.stderr);
      const eh = readFileSync(file, 'utf8').split('\n')[0]!;
      const m = /\(generated (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ([+-]\d\d:\d\d), /.exec(eh);
      assert.ok(m, eh);
      assert.equal(m[3], offset);
      const at = Date.parse(`${m[1]}T${m[2]}${m[3]}`);
      assert.ok(at >= t0 && at <= Date.now(), `${eh} is the export's time`);
    }
  });
});
