// reconstruct on hand-made inputs, good and damaged: the accounting must add up exactly, every
// rejected line must be in rejects.ndjson with a reason, and no input may crash the run.

import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import iconv from 'iconv-lite';
import { runCli } from '../support/run-cli';
import type { FileReport, Reject, Transaction } from '../../src/model/types';
import type { RunReport } from '../../src/sinks/report';

const root = mkdtempSync(join(tmpdir(), 'salvage-e2e-'));
after(() => rmSync(root, { recursive: true, force: true }));

const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0';
function nginx(time: string, request: string, status = 200, bytes = 512, client = '203.0.113.7', ua = UA): string {
  return `10.0.0.2 - - [${time} +0800] "${request}" ${status} ${bytes} "-" "${ua}" "${client}"`;
}
const notify = (sn: string, money: string, tradeNo: string) =>
  `GET /pay/yipay/notify_url?money=${money}&name=goods&out_trade_no=${sn}&pid=1001&trade_no=${tradeNo}&trade_status=TRADE_SUCCESS&type=alipay&sign=0123&sign_type=MD5 HTTP/1.1`;

function readNdjson<T>(p: string): T[] {
  const text = readFileSync(p, 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);
}

function makeInputs(dir: string) {
  mkdirSync(dir, { recursive: true });
  const access = [
    nginx('21/Nov/2026:14:03:11', 'POST /create-order HTTP/1.1', 302, 410),
    nginx('21/Nov/2026:14:03:12', 'GET /bill/AAAABBBBCCCCDDDD HTTP/1.1'),
    nginx('21/Nov/2026:14:03:20', 'GET /pay-gateway/%252Fpay%252Fyipay/14/AAAABBBBCCCCDDDD HTTP/1.1', 302, 0),
    nginx('21/Nov/2026:14:04:02', notify('AAAABBBBCCCCDDDD', '9.90', '2026112114040212345'), 200, 7, '198.51.100.9'),
    nginx('21/Nov/2026:14:05:02', notify('AAAABBBBCCCCDDDD', '9.90', '2026112114040212345'), 500, 7, '198.51.100.9'),
    nginx('21/Nov/2026:14:06:00', 'GET /static/app.css HTTP/1.1'),
    '',
    'this is not an nginx line',
    nginx('21/Nov/2026:15:00:00', 'GET /bill/EEEEFFFFGGGGHHHH HTTP/1.1', 200, 512, '198.51.100.20'),
  ].join('\n') + '\n';
  writeFileSync(join(dir, 'access.log'), access);
  // A rotated file, gzipped and then cut short: what came before the damage must still count.
  const rotated = Array.from({ length: 400 }, (_, i) => nginx('20/Nov/2026:10:00:00', `GET /static/img${i}.png HTTP/1.1`)).join('\n') + '\n';
  const gz = gzipSync(Buffer.from(rotated));
  writeFileSync(join(dir, 'access.log.1.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
  // Binary garbage.
  const junk = Buffer.alloc(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256;
  writeFileSync(join(dir, 'core.dump'), junk);
  // An application log in GBK, with one invalid byte sequence and one 3 MB line.
  const app = [
    '[2026-11-21 14:03:11] local.INFO: 创建订单 {"order_sn":"AAAABBBBCCCCDDDD","goods_id":3,"email":"Buyer@Example.com","actual_price":"9.90","pay_id":14,"buy_ip":"203.0.113.7"}',
    '[2026-11-21 14:04:09] local.ERROR: 订单已经处理 {"exception":"[object] (App\\\\Exceptions\\\\RuleValidationException(code: 400): 订单已经处理',
    '[stacktrace]',
    '#0 /www/wwwroot/shop/app/Http/Controllers/Pay/YipayController.php(84): completedOrder()',
    '"}',
  ].join('\n') + '\n';
  const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
  writeFileSync(join(dir, 'laravel.log'), Buffer.concat([
    iconv.encode(app, 'gbk'),
    Buffer.from([0x5b, 0xff, 0xfe, 0xfd, 0x0a]),
    big,
    // A trace line after the damaged ones still belongs to the ERROR entry; the damaged lines
    // inside the entry's span must count as rejected only.
    Buffer.from('\n#1 {main}'),
    Buffer.from('\n[2026-11-21 14:07:00] local.INFO: 卡密发货 {"order_sn":"AAAABBBBCCCCDDDD","carmi":"SECRET-CARD-KEY-0001"}\n'),
  ]));
  mkdirSync(join(dir, 'empty-dir'));
}

describe('reconstruct on damaged inputs', () => {
  const inDir = join(root, 'logs');
  const out = join(root, 'out');
  makeInputs(inDir);
  // Taken before the run: the inputs must come out of it byte for byte and time for time.
  const snapshot = (): string[] =>
    readdirSync(inDir).filter((f) => statSync(join(inDir, f)).isFile()).sort().map((f) => {
      const p = join(inDir, f);
      return `${f} ${statSync(p).mtimeMs} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    });
  const before = snapshot();
  let code = -1;
  let stdout = '';
  let stderr = '';

  test('finishes with exit 1 (damaged input) and says so', async () => {
    const r = await runCli(['reconstruct', inDir, join(root, 'missing.log'), '--out', out, '--max-line-bytes', String(1 << 20), '--workers', '2'], root);
    ({ code, stdout, stderr } = r);
    assert.equal(code, 1, stderr + stdout);
    assert.match(stderr, /no such file or directory: .*missing\.log/);
    assert.match(stdout, /exit 1: finished, but some input was damaged/);
  });

  test('every line is accounted for, per file, and the rejects file matches', () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    assert.equal(report.accounting.ok, true, report.accounting.problems.join('\n'));
    const rejects = readNdjson<Reject>(join(out, 'rejects.ndjson'));
    let rejected = 0;
    for (const f of report.inputs) {
      assert.equal(f.lines_total, f.parsed + f.rejected, f.file);
      assert.equal(f.parsed, f.evidence_lines + f.noise, f.file);
      assert.equal(rejects.filter((r) => r.file === f.file).length, f.rejected, f.file);
      rejected += f.rejected;
    }
    assert.equal(rejects.length, rejected);
    const byName = (n: string) => report.inputs.find((f) => f.file.endsWith(n)) as FileReport;
    const access = byName('/access.log');
    assert.equal(access.lines_total, 9);
    assert.equal(access.rejected, 1);
    assert.equal(access.evidence_lines, 6, 'create-order, bill, pay-gateway, 2 notifies, second bill');
    assert.equal(access.noise, 2, 'static file and the empty line');
    for (const f of report.inputs) {
      assert.equal(f.sha256, require('node:crypto').createHash('sha256').update(readFileSync(join(inDir, f.file.split('/').pop()!))).digest('hex'));
      assert.equal(f.bytes, statSync(join(inDir, f.file.split('/').pop()!)).size);
    }
  });

  test('a truncated gzip keeps what came before the damage and reports the rest', () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    const gz = report.inputs.find((f) => f.file.endsWith('access.log.1.gz'))!;
    assert.equal(gz.compressed, true);
    assert.equal(gz.damaged, true);
    assert.ok(gz.lines_total > 10 && gz.lines_total < 400, `recovered ${gz.lines_total} lines`);
    assert.match(gz.errors.join(' '), /gzip stream damaged/);
  });

  test('binary garbage, invalid bytes and an overlong line are rejected with reasons', () => {
    const rejects = readNdjson<Reject>(join(out, 'rejects.ndjson'));
    const core = rejects.filter((r) => r.file.endsWith('core.dump'));
    assert.ok(core.length > 0);
    assert.ok(core.every((r) => r.reason.length > 0 && r.head.length <= 800));
    const app = rejects.filter((r) => r.file.endsWith('laravel.log'));
    assert.ok(app.some((r) => /invalid text encoding/.test(r.reason) && r.line === 6), JSON.stringify(app));
    const long = app.find((r) => /line too long: 3145728 bytes/.test(r.reason));
    assert.ok(long, JSON.stringify(app));
    assert.equal(long!.line, 7);
    assert.ok(long!.head.length <= 200);
  });

  test('the GBK application log is read, and its stack trace folds into one entry', () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    const app = report.inputs.find((f) => f.file.endsWith('laravel.log'))!;
    assert.equal(app.format, 'laravel');
    assert.equal(app.lines_total, 9);
    assert.equal(app.rejected, 2);
    assert.equal(app.evidence_lines, 2, 'order creation and card delivery');
    assert.equal(app.noise, 5, 'the ERROR entry: lines 2–5 and 8 (6 and 7 were rejected)');
  });

  test('the record contract: the paid order, with provenance and a masked card key', () => {
    const txs = readNdjson<Transaction>(join(out, 'transactions.ndjson'));
    const t = txs.find((x) => x.order_id === 'AAAABBBBCCCCDDDD')!;
    assert.ok(t);
    assert.equal(t.status, 'delivered');
    assert.equal(t.amount, 9.9);
    assert.equal(t.currency, 'CNY');
    assert.equal(t.channel, 'epay');
    assert.equal(t.created_at, '2026-11-21T14:03:11+08:00');
    assert.equal(t.paid_at, '2026-11-21T14:04:02+08:00');
    assert.equal(t.buyer_email, 'buyer@example.com');
    assert.equal(t.goods_id, '3');
    assert.equal(t.trade_no, '2026112114040212345');
    assert.ok(t.confidence > 0 && t.confidence <= 1);
    assert.ok(t.reasons.length > 0);
    for (const e of t.evidence) {
      assert.ok(e.file && e.line > 0 && e.offset >= 0 && e.rule && e.source);
    }
    const notifyRef = t.evidence.find((e) => e.rule === 'epay.nginx.notify')!;
    const bytes = readFileSync(join(inDir, 'access.log'));
    assert.equal(bytes.subarray(notifyRef.offset, notifyRef.offset + 9).toString(), '10.0.0.2 ');
    assert.equal(bytes.subarray(0, notifyRef.offset).toString().split('\n').length, notifyRef.line);
    const all = readFileSync(join(out, 'transactions.ndjson'), 'utf8') + readFileSync(join(out, 'transactions.csv'), 'utf8') + readFileSync(join(out, 'restore.sql'), 'utf8');
    assert.ok(!all.includes('SECRET-CARD-KEY-0001'), 'card keys are masked in every output');
    const other = txs.find((x) => x.order_id === 'EEEEFFFFGGGGHHHH')!;
    assert.equal(other.status, 'created');
  });

  test('inputs are never written to', () => {
    assert.equal(before.length, 4);
    assert.deepEqual(snapshot(), before);
  });
});

describe('usage errors exit 2', () => {
  test('unknown time zone', async () => {
    const r = await runCli(['reconstruct', root, '--out', join(root, 'o2'), '--tz', 'Mars/Olympus'], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a time zone/);
  });
  test('no inputs', async () => {
    const r = await runCli(['reconstruct'], root);
    assert.equal(r.code, 2);
  });
  test('a broken keys file', async () => {
    writeFileSync(join(root, 'keys.json'), '{not json');
    const r = await runCli(['reconstruct', join(root, 'logs', 'access.log'), '--out', join(root, 'o3'), '--keys', join(root, 'keys.json')], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read --keys/);
  });
});

describe('an empty directory alone', () => {
  test('is reported, and the run still writes an empty, consistent report', async () => {
    const d = join(root, 'nothing');
    mkdirSync(d);
    const r = await runCli(['reconstruct', d, '--out', join(root, 'o4')], root);
    assert.equal(r.code, 1);
    const report = JSON.parse(readFileSync(join(root, 'o4', 'report.json'), 'utf8')) as RunReport;
    assert.equal(report.totals.files, 0);
    assert.equal(report.accounting.ok, true);
  });
});

describe('inputs that cannot be read', () => {
  // A named pipe given by name is a usage error (exit 2): see test/e2e/walk-inputs.test.ts.
  test('a symlink loop is reported, and the other inputs are still read', async () => {
    const { symlinkSync } = require('node:fs') as typeof import('node:fs');
    const d = join(root, 'unreadable');
    mkdirSync(d);
    symlinkSync(join(d, 'loop-b'), join(d, 'loop-a'));
    symlinkSync(join(d, 'loop-a'), join(d, 'loop-b'));
    writeFileSync(join(d, 'good.log'), nginx('21/Nov/2026:15:00:00', 'GET /bill/QQQQRRRRSSSSTTTT HTTP/1.1') + '\n');
    const r = await runCli(['reconstruct', join(d, 'loop-a'), join(d, 'good.log'), '--out', join(root, 'o5')], root);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot read .*loop-a: ELOOP/);
    const report = JSON.parse(readFileSync(join(root, 'o5', 'report.json'), 'utf8')) as RunReport;
    assert.equal(report.input_problems.length, 1);
    assert.equal(report.totals.files, 1);
    assert.equal(readFileSync(join(root, 'o5', 'transactions.ndjson'), 'utf8').trim().split('\n').length, 1);
  });
});
