// The statement readers on hand-made bills: every line accounted for, bill rows as evidence with
// provenance, refunds, summary and footer rows, malformed rows rejected with a reason.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import type { Evidence, FileReport, Reject } from '../../src/model/types';
import { readStatement, readStatements } from '../../src/sources/statements/read-statement';
import { splitCsvRow, parseYuan } from '../../src/sources/statements/common';
import { wechatCells } from '../../src/sources/statements/wechat-bill';
import { alipayBill, alipayLines, alipayRowText, wechatBill, wechatLines, wechatRowText, type AlipayRow, type WechatRow } from './bills';

const root = mkdtempSync(join(tmpdir(), 'salvage-stmt-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function file(bytes: Buffer, name = `bill-${++n}.csv`): string {
  const p = join(root, name);
  writeFileSync(p, bytes);
  return p;
}

async function read(bytes: Buffer, tz = 'Asia/Shanghai') {
  const p = file(bytes);
  const evidence: Evidence[] = [];
  const rejects: Reject[] = [];
  const r = await readStatement(p, 'bill.csv', { tz, maxLineBytes: 1 << 20 }, { evidence: (e) => evidence.push(e), reject: (x) => rejects.push(x) });
  return { ...r, evidence, rejects, bytes };
}

function accountsAddUp(r: FileReport, rejects: Reject[]): void {
  assert.equal(r.lines_total, r.parsed + r.rejected, 'lines = parsed + rejected');
  assert.equal(r.parsed, r.evidence_lines + r.noise, 'parsed = evidence + noise');
  assert.equal(r.rejected, rejects.length);
}

/** Byte offset of each line start in `bytes` (LF-terminated lines). */
function lineOffsets(bytes: Buffer): number[] {
  const out = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && i + 1 < bytes.length) out.push(i + 1);
  return out;
}

const A1: AlipayRow = { trade_no: '2026112122001477001234567890', order_id: 'ND8FY3TXUR5USTPB', done: '2026-11-21 00:31:34', created: '2026-11-21 00:31:20', amount: '7.80', account: 'yuu***@gmail.com', title: 'Windows 11 专业版 激活密钥 x 1' };
const A2: AlipayRow = { trade_no: '2026112122001477009999999999', order_id: 'ABCDEFGH12345678', done: '2026-11-21 13:05:00', amount: '22.00' };
const A2_REFUND: AlipayRow = { ...A2, type: '退款', done: '2026-11-21 15:00:00', received: '-22.00', refund_no: 'RF20261121001' };

describe('Alipay 业务明细 (GBK)', () => {
  test('trades and a refund become evidence; comments, header and footer are noise; a malformed row is rejected', async () => {
    const bad = alipayRowText({ ...A2, order_id: 'BROKENAMOUNT0001', amount: 'abc' });
    const other = alipayRowText({ ...A2, order_id: 'OTHERTYPE0000001', type: '转账' });
    const bytes = alipayBill([A1, A2, A2_REFUND], { insert: [{ at: 1, text: bad }, { at: 3, text: other }] });
    const { report, span, evidence, rejects } = await read(bytes);
    assert.equal(report.format, 'statement-alipay');
    assert.equal(report.encoding, 'gbk');
    assert.equal(report.bytes, bytes.length);
    assert.equal(report.sha256, createHash('sha256').update(bytes).digest('hex'));
    accountsAddUp(report, rejects);
    // 4 comment lines + header + 5 rows + 3 footer lines
    assert.equal(report.lines_total, 13);
    assert.equal(report.evidence_lines, 3);
    assert.equal(report.rejected, 1);
    assert.equal(report.noise, 9);
    assert.ok(report.damaged, 'a rejected row marks the file damaged, as for log files');
    assert.deepEqual(report.errors, []);
    assert.match(rejects[0]!.reason, /amount "abc" is not a number/);
    assert.equal(rejects[0]!.line, 7);
    assert.deepEqual(report.by_rule, { 'statement.alipay.refund': 1, 'statement.alipay.trade': 2 });

    const [e1, e2, e3] = evidence;
    assert.equal(e1!.kind, 'payment_confirmed');
    assert.equal(e1!.rule, 'statement.alipay.trade');
    assert.equal(e1!.format, 'statement-alipay');
    assert.equal(e1!.weight, 1);
    assert.deepEqual(e1!.fields, {
      order_id: 'ND8FY3TXUR5USTPB', trade_no: A1.trade_no, currency: 'CNY', channel: 'alipay', buyer_account: 'yuu***@gmail.com',
      amount: 7.8, paid_at: '2026-11-21T00:31:34+08:00', statement: 'yes',
    });
    assert.equal(e1!.ts, '2026-11-21T00:31:34+08:00');
    // provenance: the row's line and the byte offset of its first byte
    assert.equal(e1!.source.line, 6);
    assert.equal(e1!.source.offset, bytes.indexOf(iconv.encode(A1.trade_no, 'gbk')));
    assert.equal(e2!.fields.amount, 22);
    assert.equal(e3!.kind, 'refunded');
    assert.equal(e3!.rule, 'statement.alipay.refund');
    assert.equal(e3!.fields.refund_amount, 22);
    assert.equal(e3!.fields.refund_no, 'RF20261121001');
    assert.equal(e3!.fields.amount, undefined, 'a refund row does not restate the order amount');
    assert.ok(span);
    assert.equal(span.channel, 'alipay');
    assert.equal(span.payments, 2);
    assert.equal(span.refunds, 1);
    assert.deepEqual(span.other, { 转账: 1 });
    assert.equal(report.first_ts, '2026-11-21T00:31:34+08:00');
    assert.equal(report.last_ts, '2026-11-21T15:00:00+08:00');
  });

  test('a clean bill is not damaged; times are read in --tz', async () => {
    const { report, evidence, rejects } = await read(alipayBill([A1]), 'UTC');
    accountsAddUp(report, rejects);
    assert.equal(report.damaged, false);
    assert.equal(evidence[0]!.fields.paid_at, '2026-11-21T00:31:34+00:00');
  });

  test('no 业务明细列表结束 line: noted as a possibly cut bill', async () => {
    const { report } = await read(alipayBill([A1, A2], { footer: false }));
    assert.equal(report.format, 'statement-alipay');
    assert.match(report.errors.join('\n'), /业务明细列表结束/);
  });

  test('a row with too few columns, a bad time and no order numbers are rejected with reasons', async () => {
    const bytes = alipayBill([A1], {
      insert: [
        { at: 1, text: 'only,three,cells' },
        { at: 1, text: alipayRowText({ ...A2, done: '2026-13-40 99:00:00', created: '' }) },
        { at: 1, text: alipayRowText({ ...A2, order_id: '', trade_no: '' }) },
      ],
    });
    const { report, rejects, evidence } = await read(bytes);
    accountsAddUp(report, rejects);
    assert.equal(evidence.length, 1);
    assert.deepEqual(rejects.map((r) => r.reason.split(' / ')[0]!.replace(/".*"/, '""')), [
      'bill row has 3 columns, at least 12 of the header\'s 25 are needed',
      'bill row time "" is not a date and time',
      'bill row names neither 商户订单号 nor 支付宝交易号',
    ]);
  });

  test('a gzip-compressed bill is read the same; its hash is of the file as given', async () => {
    const raw = alipayBill([A1, A2]);
    const gz = gzipSync(raw);
    const { report, evidence } = await read(gz);
    assert.equal(report.compressed, true);
    assert.equal(report.sha256, createHash('sha256').update(gz).digest('hex'));
    assert.equal(evidence.length, 2);
  });
});

const W1: WechatRow = { time: '2026-11-21 14:04:02', wx_no: '4200001234202611211234567890', order_id: 'WXV2ORDER0000001', amount: '9.99', title: '会员, 月卡' };
const W2: WechatRow = { time: '2026-11-21 18:00:00', wx_no: '4200001234202611219999999999', order_id: 'WXV2ORDER0000002', amount: '30.00' };
const W2_REFUND: WechatRow = { ...W2, time: '2026-11-21 19:00:00', state: 'REFUND', refund_amount: '10.00', refund_no: '50300000000000000000000001' };

describe('WeChat downloadbill (backtick values)', () => {
  test('SUCCESS and REFUND rows become evidence; summary rows are noise; a malformed row is rejected', async () => {
    const revoked = wechatRowText({ ...W2, order_id: 'WXREVOKED0000001', state: 'REVOKED' });
    const bytes = wechatBill([W1, W2, W2_REFUND], { insert: [{ at: 2, text: '`2026-11-21 18:30:00,`broken' }, { at: 3, text: revoked }] });
    const { report, span, evidence, rejects } = await read(bytes);
    assert.equal(report.format, 'statement-wechat');
    assert.equal(report.encoding, undefined, 'UTF-8, not GBK');
    accountsAddUp(report, rejects);
    assert.equal(report.lines_total, 8); // header + 5 rows + 2 summary lines
    assert.equal(report.evidence_lines, 3);
    assert.equal(report.rejected, 1);
    assert.match(rejects[0]!.reason, /2 columns/);
    assert.deepEqual(report.errors, [], 'summary count agrees with the rows');
    const [e1, e2, e3] = evidence;
    assert.equal(e1!.rule, 'statement.wechat.trade');
    assert.equal(e1!.format, 'statement-wechat');
    assert.equal(e1!.fields.order_id, 'WXV2ORDER0000001');
    assert.equal(e1!.fields.trade_no, '4200001234202611211234567890');
    assert.equal(e1!.fields.amount, 9.99, 'a comma inside the product name does not shift the columns');
    assert.equal(e1!.fields.channel, 'wxpay');
    assert.equal(e1!.fields.buyer_account, 'oUpF8uMEb4qRXf22hE3X68TekukE');
    assert.equal(e1!.fields.merchant_id, '1629581982');
    assert.equal(e1!.fields.paid_at, '2026-11-21T14:04:02+08:00');
    assert.equal(e1!.source.line, 2);
    assert.equal(e1!.source.offset, lineOffsets(bytes)[1]);
    assert.equal(e2!.kind, 'payment_confirmed');
    assert.equal(e3!.kind, 'refunded');
    assert.equal(e3!.rule, 'statement.wechat.refund');
    assert.equal(e3!.fields.refund_amount, 10);
    assert.deepEqual(span?.other, { REVOKED: 1 });
  });

  test('a summary count that disagrees with the rows read, and a bill without summary, are noted', async () => {
    const a = await read(wechatBill([W1, W2], { summaryCount: 3 }));
    assert.match(a.report.errors.join('\n'), /counts 3 trade row\(s\) but 2 were read/);
    const b = await read(wechatBill([W1, W2], { footer: false }));
    assert.match(b.report.errors.join('\n'), /no summary rows/);
    assert.equal(b.evidence.length, 2);
  });

  test('a bill re-saved without backticks (plain CSV) still reads', async () => {
    const text = wechatLines([W1]).map((l) => l.replace(/`/g, '').replace('会员, 月卡', '"会员, 月卡"')).join('\n') + '\n';
    const { evidence, report, rejects } = await read(Buffer.from(text, 'utf8'));
    accountsAddUp(report, rejects);
    assert.equal(evidence.length, 1);
    assert.equal(evidence[0]!.fields.amount, 9.99);
  });

  test('property: any product name without a backtick, and any amount, come back exactly', () => {
    fc.assert(fc.property(
      fc.string({ maxLength: 30 }).filter((s) => !s.includes('`') && !/[\r\n]/.test(s)),
      fc.integer({ min: 1, max: 10_000_000 }),
      (title, cents) => {
        const amount = (cents / 100).toFixed(2);
        const cells = wechatCells(wechatRowText({ ...W1, title, amount }));
        assert.equal(cells.length, 27);
        assert.equal(cells[20], title.trim());
        assert.equal(parseYuan(cells[24]!), cents / 100);
      },
    ));
  });
});

describe('not a statement', () => {
  test('a file with no bill header: every line rejected, file damaged, accounting still adds up', async () => {
    const text = Array.from({ length: 70 }, (_, i) => `127.0.0.1 - - [21/Nov/2026:00:00:${String(i % 60).padStart(2, '0')} +0800] "GET / HTTP/1.1" 200 5`).join('\n') + '\n';
    const { report, evidence, rejects, span } = await read(Buffer.from(text));
    accountsAddUp(report, rejects);
    assert.equal(report.format, null);
    assert.equal(report.rejected, 70);
    assert.equal(evidence.length, 0);
    assert.equal(span, null);
    assert.ok(report.damaged);
    assert.match(report.errors.join('\n'), /no Alipay 业务明细 or WeChat bill column header/);
  });

  test('readStatements batches evidence and keeps one report per file', async () => {
    const p1 = file(alipayBill([A1, A2]));
    const p2 = file(wechatBill([W1]));
    const batches: Evidence[][] = [];
    const out = await readStatements([{ path: p1, display: 'a.csv' }, { path: p2, display: 'w.csv' }], { tz: 'Asia/Shanghai', maxLineBytes: 1 << 20 }, { evidence: (b) => batches.push(b), reject: () => {} });
    assert.deepEqual(out.reports.map((r) => r.format), ['statement-alipay', 'statement-wechat']);
    assert.deepEqual(out.spans.map((s) => s.channel), ['alipay', 'wxpay']);
    assert.equal(batches.flat().length, 3);
  });
});

test('splitCsvRow: quotes, doubled quotes, empty cells', () => {
  assert.deepEqual(splitCsvRow('a,"b,c","d""e",,f'), ['a', 'b,c', 'd"e', '', 'f']);
  assert.deepEqual(alipayLines([A1]).length, 9);
});
