// salvage rules test: a user pack over the built-ins, run line by line over a sample file.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';
import { packageRoot } from '../../src/util/package-root';
import { loadOverlay } from '../../src/cli/commands/rules-test';
import { loadRules } from '../../rules/engine/load-packs';

const repo = packageRoot();
const tmp = mkdtempSync(join(tmpdir(), 'salvage-rules-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('rules test: the README example pack on its access.log — myshop.nginx.epay-notify and what it extracted', async () => {
  const access = readFileSync(join(repo, 'samples/rule-example/logs/access.log'), 'utf8').split('\n');
  assert.match(access[0]!, /GET \/api\/epay\/notify\?money=9\.90&.*out_trade_no=SN20261121A/);
  const r = await runCli(['rules', 'test', 'samples/rule-example/rules/myshop.yaml', 'samples/rule-example/logs/access.log'], repo);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /^pack {8}samples\/rule-example\/rules\/myshop\.yaml: 2 rule\(s\)$/m);
  assert.match(out, /^format {6}nginx-combined \(family nginx\)/m);
  assert.match(out, /^line 1 {6}★ myshop\.nginx\.epay-notify \(your pack\) → payment_notified, weight 0\.8, signature unverifiable$/m);
  assert.match(out, /^ {14}extracted {2}order_id +SN20261121A$/m);
  assert.match(out, /^ {25}trade_no +2026112114040299901$/m);
  assert.match(out, /^ {25}amount +9\.9$/m);
  assert.match(out, /^ {25}merchant_id +1001$/m);
  assert.match(out, /^line 2 {8}noise: GET \/favicon\.ico → 200$/m);
  assert.match(out, /^note {8}your rule myshop\.app\.paid is for family laravel; this file is nginx/m);
  assert.match(out, /^summary {5}2 lines: 2 entries, 1 matched your pack, 0 matched built-in rules, 1 noise; 0 rejected, 0 blank$/m);
  assert.match(out, /^unmatched {3}your rules that matched nothing here: myshop\.app\.paid$/m);
});

test('rules test: the pack folder on laravel.log — myshop.app.paid with its message groups', async () => {
  const laravel = readFileSync(join(repo, 'samples/rule-example/logs/laravel.log'), 'utf8');
  assert.match(laravel, /PAID order=SN20261121A amount=9\.90 by=Buyer@Example\.com/);
  const r = await runCli(['rules', 'test', 'samples/rule-example/rules', 'samples/rule-example/logs/laravel.log'], repo);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^line 1 {6}★ myshop\.app\.paid \(your pack\) → payment_confirmed, weight 0\.85$/m);
  assert.match(r.stdout, /^ {14}2026-11-21T14:04:03\+08:00 {2}INFO PAID order=SN20261121A amount=9\.90 by=Buyer@Example\.com$/m);
  assert.match(r.stdout, /^ {14}extracted {2}order_id +SN20261121A$/m);
  assert.match(r.stdout, /^ {25}amount +9\.9$/m);
  assert.match(r.stdout, /^ {25}buyer_email +buyer@example\.com$/m);
  assert.match(r.stdout, /^line 2 {8}noise: INFO mail queued$/m);
});

test('rules test: --keys checks the signature (the sample\'s sign is not a real one)', async () => {
  writeFileSync(join(tmp, 'keys.json'), JSON.stringify({ epay: { '1001': 'not-the-key' } }));
  const r = await runCli(['rules', 'test', 'samples/rule-example/rules', 'samples/rule-example/logs/access.log', '--keys', join(tmp, 'keys.json')], repo);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /myshop\.nginx\.epay-notify \(your pack\) → payment_notified, weight 0\.8, signature bad_signature$/m);
});

test('rules test: built-in matches are shown, labelled; a rule with a built-in id replaces it', async () => {
  const TN = '123261121140311456';
  writeFileSync(
    join(tmp, 'access.log'),
    [
      `10.0.0.2 - - [21/Nov/2026:14:03:11 +0800] "GET /user/pay/order.${TN}.1 HTTP/1.1" 200 3600 "-" "Mozilla/5.0" "203.0.113.7"`,
      `10.0.0.2 - - [21/Nov/2026:14:03:12 +0800] "GET /user/index/query?tradeNo=${TN} HTTP/1.1" 200 7300 "-" "Mozilla/5.0" "203.0.113.7"`,
      '',
      'garbage',
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(tmp, 'mine.yaml'),
    [
      'pack: mine',
      'rules:',
      '  - id: acg-faka.nginx.query',
      '    match: { family: nginx, method: GET, path: "^/user/index/query$", params: [tradeNo] }',
      '    emit: status_polled',
      '    weight: 0.1',
      '    extract: { order_id: param.tradeNo }',
    ].join('\n') + '\n',
  );
  const r = await runCli(['rules', 'test', join(tmp, 'mine.yaml'), join(tmp, 'access.log')], tmp);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^pack {8}mine\.yaml: 1 rule\(s\), replacing built-in acg-faka\.nginx\.query$/m);
  assert.match(r.stdout, /^line 1 {8}acg-faka\.nginx\.pay-page \(built-in\) → payment_started, weight 0\.4$/m);
  assert.doesNotMatch(r.stdout, /★ acg-faka\.nginx\.pay-page/);
  assert.match(r.stdout, /^line 2 {6}★ acg-faka\.nginx\.query \(your pack\) → status_polled, weight 0\.1$/m);
  assert.match(r.stdout, /^line 3 {8}blank$/m);
  assert.match(r.stdout, /^line 4 {6}✗ rejected: not an nginx combined line/m);
  assert.match(r.stdout, /1 matched your pack, 1 matched built-in rules, 0 noise; 1 rejected, 1 blank/);

  // The overlay is the same as reconstruct --rules would build from a folder holding the pack.
  const dir = join(tmp, 'packdir');
  mkdirSync(dir);
  writeFileSync(join(dir, 'mine.yaml'), readFileSync(join(tmp, 'mine.yaml')));
  const a = loadOverlay(join(tmp, 'mine.yaml')).rules.map((s) => [s.rule.id, s.rule.emit]);
  const b = loadRules([dir]).map((s) => [s.rule.id, s.rule.emit]);
  assert.deepEqual(a, b);
});

test('rules test: --format forces the parser', async () => {
  const r = await runCli(['rules', 'test', 'samples/rule-example/rules', 'samples/rule-example/logs/laravel.log', '--format', 'generic'], repo);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^format {6}generic \(family generic\), forced with --format generic$/m);
  // Read as generic, `production.INFO:` is no level word: the laravel rule cannot match, and
  // only recognition by shape reads the line (order key `order`, the word PAID).
  assert.match(r.stdout, /^line 1 {8}shape\.order\.paid \(built-in\) → payment_confirmed, weight 0\.5$/m);
  assert.match(r.stdout, /^note {8}your rule myshop\.app\.paid is for family laravel; this file is generic/m);
});

test('rules test: a broken pack prints the RulePackError naming file, rule and field, and exits 2', async () => {
  const bad = join(tmp, 'bad.yaml');
  writeFileSync(bad, 'pack: bad\nrules:\n  - id: bad.one\n    match: { family: nginx }\n    emit: order_paid\n    weight: 0.5\n');
  const r = await runCli(['rules', 'test', bad, 'samples/rule-example/logs/access.log'], repo);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /RulePackError: rule pack .*bad\.yaml is invalid/);
  assert.match(r.stderr, /rule bad\.one, field emit/);

  const dir = join(tmp, 'broken');
  mkdirSync(dir);
  writeFileSync(join(dir, 'x.yaml'), 'pack: x\nrules:\n  - id: x.two\n    match: { family: laravel, message: "^(a+)+$" }\n    emit: order_viewed\n    weight: 0.5\n');
  const r2 = await runCli(['rules', 'test', dir, 'samples/rule-example/logs/laravel.log'], repo);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /x\.yaml, rule x\.two, field match\.message: refused/);

  const r3 = await runCli(['rules', 'check', dir, 'samples/rule-example/logs/laravel.log'], repo);
  assert.equal(r3.code, 2);
  const r4 = await runCli(['rules', 'test', join(tmp, 'no-such.yaml'), 'samples/rule-example/logs/laravel.log'], repo);
  assert.equal(r4.code, 2);
  assert.match(r4.stderr, /cannot read rule pack/);
});

test('rules test reads a sample in the shop\'s own nginx log_format', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'salvage-rt-'));
  const sample = join(dir, 'vhost.log');
  writeFileSync(sample, 'shop.example 10.0.0.9 - - [21/Nov/2026:14:04:02 +0800] "GET /api/epay/notify?money=9.90&out_trade_no=SN1&pid=1001&trade_no=T9&trade_status=TRADE_SUCCESS&type=alipay&sign=x&sign_type=MD5 HTTP/1.1" 200 7 "-" "curl/8"\n');
  const directive = `log_format vhost '$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';`;
  const r = await runCli(['rules', 'test', 'samples/rule-example/rules/myshop.yaml', sample, '--nginx-format', directive], packageRoot());
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /format\s+nginx-custom/);
  assert.match(r.stdout, /myshop\.nginx\.epay-notify \(your pack\) → payment_notified/);
  // Without the format, a $host before $remote_addr is one of the prefixes the built-in
  // nginx-combined reads on its slow path (parsers/nginx/combined.ts): the rule matches there too.
  const plain = await runCli(['rules', 'test', 'samples/rule-example/rules/myshop.yaml', sample], packageRoot());
  assert.match(plain.stdout, /format\s+nginx-combined/);
  assert.match(plain.stdout, /myshop\.nginx\.epay-notify \(your pack\) → payment_notified/);
});
