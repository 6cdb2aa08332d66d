// reconstruct over a folder with one file per format: each file is detected as its format, and
// its lines are accounted for exactly (lines_total = parsed + rejected, parsed = evidence + noise),
// with the counts derived by hand from the files below.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { runCli } from '../support/run-cli';
import type { FileReport, Transaction } from '../../src/model/types';
import type { RunReport } from '../../src/sinks/report';

const root = mkdtempSync(join(tmpdir(), 'salvage-formats-'));
after(() => rmSync(root, { recursive: true, force: true }));

const TN = '123261121140311456';
const UA = 'Mozilla/5.0 (Linux; Android 14)';
const nginx = (time: string, request: string, status: number, bytes: number) =>
  `10.0.0.2 - - [21/Nov/2026:${time} +0800] "${request}" ${status} ${bytes} "-" "${UA}" "203.0.113.7"`;

const FILES: Record<string, { text: string | Buffer; format: string; total: number; rejected: number; evidence: number; noise: number; items: number }> = {
  'access.log': {
    text: [
      nginx('14:03:11', 'POST /user/api/order/trade HTTP/1.1', 200, 180), //              evidence
      nginx('14:03:12', `GET /user/pay/order.${TN}.1 HTTP/1.1`, 200, 3600), //           evidence
      nginx('14:04:02', `POST /user/api/order/callback.${TN} HTTP/1.1`, 200, 7), //      evidence
      nginx('14:04:03', 'GET /favicon.ico HTTP/1.1', 200, 1150), //                       noise
      'this is not an nginx line', //                                                     rejected
    ].join('\n') + '\n',
    format: 'nginx-combined', total: 5, rejected: 1, evidence: 3, noise: 1, items: 3,
  },
  'laravel.log': {
    text: [
      '[2026-11-21 14:03:11] local.INFO: 创建订单 {"order_sn":"AAAABBBBCCCCDDDD","goods_id":3,"email":"b@example.com","actual_price":"9.90","pay_id":14,"buy_ip":"203.0.113.7"}',
      '[2026-11-21 14:04:09] local.ERROR: 订单已经处理 {"exception":"[object] (App\\\\Exceptions\\\\RuleValidationException(code: 400): 订单已经处理',
      '[stacktrace]',
      '#0 {main}',
      '"}',
    ].join('\n') + '\n',
    format: 'laravel', total: 5, rejected: 0, evidence: 1, noise: 4, items: 1,
  },
  'runtime.log': {
    // GBK, as on a Windows-built shop; CRLF line ends; an undecodable line inside a dump; the
    // last line cut short.
    text: Buffer.concat([
      iconv.encode(
        [
          '[CALLBACK][2026-11-21 14:03:11]:签名验证失败', //    1 evidence
          '[NOTIFY][2026-11-21 14:03:12]:Array', //             2 noise: the entry is lines 2-6 …
          '(', //                                               3
        ].join('\r\n') + '\r\n',
        'gbk',
      ),
      Buffer.from([0xff, 0xfe, 0x80, 0x0d, 0x0a]), //           4 … but this line is rejected (no encoding)
      iconv.encode(
        [
          '    [pid] => 1001', //                                5
          ')', //                                               6
          '', //                                                7 blank: noise
          '[CALLBACK][2026-11-21 14:03:13]:重复通知，当前订单已支付', // 8 evidence
          '[CALLBACK][2026-11-21 14:0', //                      9 rejected
        ].join('\r\n'),
        'gbk',
      ),
    ]),
    format: 'acg-faka-runtime', total: 9, rejected: 2, evidence: 2, noise: 5, items: 2,
  },
  'thinkphp.log': {
    text: [
      '---------------------------------------------------------------',
      '[ 2026-11-21T14:03:11+08:00 ] 203.0.113.7 POST shop.example/index/pay/notify',
      '[ info ] [ PARAM ] array (',
      "  'out_trade_no' => 'X',",
      ')',
      '[ error ] boom',
      '---------------------------------------------------------------',
    ].join('\r\n') + '\r\n',
    format: 'thinkphp', total: 7, rejected: 0, evidence: 0, noise: 7, items: 0,
  },
  'app.jsonl': {
    text: [
      '{"time":"2026-11-21T14:03:11+08:00","message":"a"}',
      '{"time":"2026-11-21T14:03:12+08:00","message":"b"}',
      '{"message":"broken",',
      '',
    ].join('\n') + '\n',
    format: 'jsonl', total: 4, rejected: 1, evidence: 0, noise: 3, items: 0,
  },
  'worker.log': {
    text: ['2026-11-21 14:03:11 INFO a', '2026-11-21 14:03:12 ERROR b', '\tat x', '\tat y'].join('\n') + '\n',
    format: 'generic', total: 4, rejected: 0, evidence: 0, noise: 4, items: 0,
  },
};

test('reconstruct: one file per format, each detected and accounted for line by line', async () => {
  const dir = join(root, 'logs');
  mkdirSync(dir);
  for (const [name, f] of Object.entries(FILES)) writeFileSync(join(dir, name), f.text);
  const out = join(root, 'out');
  const r = await runCli(['reconstruct', dir, '--out', out, '--workers', '1', '--quiet'], root);
  assert.equal(r.code, 1, r.stderr + r.stdout); // three files have rejected lines: damaged, exit 1
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(report.accounting.ok, true, report.accounting.problems.join('\n'));
  const byName = new Map<string, FileReport>(report.inputs.map((f) => [f.file.split('/').pop()!, f]));
  for (const [name, want] of Object.entries(FILES)) {
    const got = byName.get(name);
    assert.ok(got, name);
    assert.equal(got.format, want.format, name);
    assert.equal(got.lines_total, got.parsed + got.rejected, name);
    assert.equal(got.parsed, got.evidence_lines + got.noise, name);
    assert.deepEqual(
      { total: got.lines_total, rejected: got.rejected, evidence: got.evidence_lines, noise: got.noise, items: got.evidence_items },
      { total: want.total, rejected: want.rejected, evidence: want.evidence, noise: want.noise, items: want.items },
      name,
    );
  }
  assert.equal(byName.get('runtime.log')!.encoding, 'gbk');
  const rejects = readFileSync(join(out, 'rejects.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; line: number; reason: string });
  assert.deepEqual(rejects.map((x) => `${x.file.split('/').pop()}:${x.line}`).sort(), ['access.log:5', 'app.jsonl:3', 'runtime.log:4', 'runtime.log:9']);
  assert.match(rejects.find((x) => x.file.endsWith('app.jsonl'))!.reason, /^malformed JSON: /);

  // The acg-faka trail makes one paid order; the keyless trade joins it by client and user agent.
  const txs = readFileSync(join(out, 'transactions.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Transaction);
  const t = txs.find((x) => x.order_id === TN);
  assert.ok(t);
  assert.deepEqual(t.evidence.map((e) => e.rule).sort(), ['acg-faka.nginx.callback', 'acg-faka.nginx.pay-page', 'acg-faka.nginx.trade']);
  assert.equal(report.fuzzy_joins, 1);
  // The runtime.log lines name no order: they are reported as unjoined, not lost.
  assert.deepEqual(
    report.unjoined.sample.map((u) => u.rule).sort(),
    ['acg-faka.runtime.bad-signature', 'acg-faka.runtime.duplicate-notify'],
  );
});
