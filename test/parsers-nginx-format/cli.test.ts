// --nginx-format on inspect and reconstruct: a directive, @file or name=@file; the user format is
// detected ahead of the built-ins, can be forced as nginx-custom, is compiled in worker threads,
// and a malformed directive is a usage error (exit 2) that says what is wrong.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';
import { readRealdata } from '../support/realdata';
import type { FileReport, Transaction } from '../../src/model/types';
import type { RunReport } from '../../src/sinks/report';

const root = mkdtempSync(join(tmpdir(), 'salvage-nginx-format-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The hand-added body logging of NOTES.md §5, in the PHP location. */
const BODY_LOGS = `log_format body_logs '$remote_addr - [$time_local] "$request" $status $body_bytes_sent '
                     'body:"$request_body" "$http_user_agent" $request_time';`;

const CONF = `http {
    log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';
    ${BODY_LOGS}
    server { access_log /www/wwwlogs/shop.log; }
}
`;

const ALIPAY = JSON.parse(readRealdata('gateway-vectors', 'alipay-notify-rsa2.json').toString('utf8')) as {
  params: Record<string, string>;
  form_body: string;
  alipay_public_key_pem: string;
};

const bodyLine = (sec: number, req: string, body: string) => `110.75.143.7 - [15/Aug/2019:15:56:${sec} +0800] "${req}" 200 7 body:"${body}" "Mozilla/4.0" 0.012`;

writeFileSync(join(root, 'nginx.conf'), CONF);
writeFileSync(join(root, 'bad.conf'), "log_format broken '$remote_addr [$time_local]\n");
writeFileSync(
  join(root, 'body.log'),
  [
    bodyLine(25, 'POST /pay/alipay/notify_url HTTP/1.1', ALIPAY.form_body),
    bodyLine(26, 'GET /favicon.ico HTTP/1.1', '-'),
    bodyLine(27, 'POST /pay/alipay/notify_url HTTP/1.1', 'out_trade_no=X&total_amount=1.00').split('&')[0],
  ].join('\n') + '\n',
);
writeFileSync(join(root, 'site.log'), '203.0.113.9 - - [15/Aug/2019:15:56:10 +0800] "GET / HTTP/1.1" 200 5120 "-" "Mozilla/5.0"\n');
writeFileSync(join(root, 'keys.json'), JSON.stringify({ alipay: { [ALIPAY.params.app_id!]: ALIPAY.alipay_public_key_pem } }));

test('inspect --nginx-format <directive>: the user format is chosen, its fields and the decoded body shown, the cut line named', async () => {
  const r = await runCli(['inspect', 'body.log', '--nginx-format', BODY_LOGS], root);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^format {6}nginx-custom \(family nginx\), detected with confidence 0\.67 from 3 sample lines$/m);
  assert.match(r.stdout, /^votes {7}nginx-custom +0\.67 {2}← chosen$/m);
  assert.match(r.stdout, /^log_format {2}body_logs \(--nginx-format, as nginx-custom\)$/m);
  assert.match(r.stdout, /^ {4}fields {2}remote_addr +110\.75\.143\.7$/m);
  assert.match(r.stdout, /^ {12}request_time +0\.012$/m);
  assert.match(r.stdout, /^ {4}params {2}gmt_create +2019-08-15 15:56:22$/m);
  assert.match(r.stdout, /^ {12}subject +语雀空间 500人规模$/m);
  assert.match(r.stdout, /✗ line 3 {2}rejected: cut short after \$request_body/);
});

test('inspect --nginx-format @file and name=@file; several directives in the file: the first, with a note', async () => {
  const first = await runCli(['inspect', 'body.log', '--nginx-format', '@nginx.conf'], root);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^log_format {2}main /m);
  assert.match(first.stderr, /using log_format main, the first of main, body_logs in nginx\.conf; pick another with --nginx-format NAME=@nginx\.conf/);
  // main does not fit body.log (two fields before the time), and no built-in does either.
  assert.match(first.stdout, /^format {6}unknown: no parser reaches 0\.30/m);
  assert.match(first.stdout, /^votes {7}nginx-custom +0\.00$/m);
  const named = await runCli(['inspect', 'body.log', '--nginx-format', 'body_logs=@nginx.conf'], root);
  assert.equal(named.code, 0, named.stderr);
  assert.equal(named.stderr, '');
  assert.match(named.stdout, /^format {6}nginx-custom /m);
  const forced = await runCli(['inspect', 'site.log', '--nginx-format', 'body_logs=@nginx.conf', '--format', 'nginx-custom'], root);
  assert.match(forced.stdout, /^format {6}nginx-custom \(family nginx\), forced with --format nginx-custom$/m);
  assert.match(forced.stdout, /rejected: does not match log_format body_logs after \$remote_addr/);
});

test('--nginx-format problems are usage errors (exit 2) naming the problem', async () => {
  const cases: [string[], RegExp, string[]?][] = [
    [['--nginx-format', "log_format main '$remote_addr"], /--nginx-format: unbalanced quotes: the ' opened at line 1, column 17 is never closed/],
    [['--nginx-format', "log_format 'x $remote_addr';"], /--nginx-format: .*missing name/],
    [['--nginx-format', "log_format x 'no variables';"], /has no variables/],
    [['--nginx-format', '$remote_addr - [$time_local]'], /no log_format directive found/],
    [['--nginx-format', '@missing.conf'], /--nginx-format: cannot read missing\.conf/],
    [['--nginx-format', '@bad.conf'], /--nginx-format @bad\.conf: unbalanced quotes/],
    [['--nginx-format', 'nope=@nginx.conf'], /no log_format named nope \(found: main, body_logs\)/],
    [['--nginx-format', BODY_LOGS, '--nginx-format', BODY_LOGS], /--nginx-format can be given only once/],
    [['--format', 'nginx-custom'], /unknown format "nginx-custom"/, ['--format', '*.log=nginx-custom']],
  ];
  for (const [args, re, recArgs] of cases) {
    const r = await runCli(['inspect', 'body.log', ...args], root);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
    const rec = await runCli(['reconstruct', 'body.log', '--out', join(root, 'out-bad'), '--quiet', ...(recArgs ?? args)], root);
    assert.equal(rec.code, 2, args.join(' '));
    assert.match(rec.stderr, re, args.join(' '));
  }
});

for (const workers of [1, 2]) {
  test(`reconstruct --nginx-format (workers ${workers}): the body-logged Alipay notify becomes a verified paid record; other files keep their format`, async () => {
    const dir = join(root, `logs-${workers}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'body.log'), readFileSync(join(root, 'body.log')));
    writeFileSync(join(dir, 'site.log'), readFileSync(join(root, 'site.log')));
    const out = join(root, `out-${workers}`);
    const r = await runCli(['reconstruct', dir, '--out', out, '--workers', String(workers), '--keys', 'keys.json', '--nginx-format', 'body_logs=@nginx.conf', '--quiet'], root);
    assert.equal(r.code, 1, r.stderr); // the cut line is a reject: damaged input
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    const byName = new Map<string, FileReport>(report.inputs.map((f) => [f.file.split('/').pop()!, f]));
    assert.equal(byName.get('body.log')!.format, 'nginx-custom');
    assert.equal(byName.get('site.log')!.format, 'nginx-combined');
    assert.deepEqual(byName.get('body.log')!.by_rule, { 'alipay.nginx.notify-body': 1 });
    assert.equal(byName.get('body.log')!.rejected, 1);
    const txs = readFileSync(join(out, 'transactions.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Transaction);
    const t = txs.find((x) => x.order_id === ALIPAY.params.out_trade_no);
    assert.ok(t, JSON.stringify(txs));
    assert.equal(t.status, 'paid');
    assert.equal(t.amount, 0.1);
    assert.equal(t.trade_no, ALIPAY.params.trade_no);
    assert.deepEqual(t.evidence.map((e) => [e.rule, e.line]), [['alipay.nginx.notify-body', 1]]);
    assert.ok(!t.flags.includes('bad_signature'));
  });
}

test('reconstruct without --nginx-format: the built-in nginx-body reads main + "$request_body" lines, body and all', async () => {
  const dir = join(root, 'logs-builtin');
  mkdirSync(dir);
  const line = `110.75.143.7 - - [15/Aug/2019:15:56:25 +0800] "POST /pay/alipay/notify_url HTTP/1.1" 200 7 "-" "Mozilla/4.0" "-" "${ALIPAY.form_body}"`;
  writeFileSync(join(dir, 'access.log'), line + '\n');
  const out = join(root, 'out-builtin');
  const r = await runCli(['reconstruct', dir, '--out', out, '--workers', '1', '--keys', 'keys.json', '--quiet'], root);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(report.inputs[0]!.format, 'nginx-body');
  const txs = readFileSync(join(out, 'transactions.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Transaction);
  assert.equal(txs.find((x) => x.order_id === ALIPAY.params.out_trade_no)?.status, 'paid');
});
