// salvage inspect: the detected format and votes, gzip or not, and a preview of the first entries,
// read as a stream that stops once it has shown enough.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../support/run-cli';
import { scanFile } from '../../src/pipeline/scan-file';
import { readInput } from '../../src/sources/read-input';

const root = mkdtempSync(join(tmpdir(), 'salvage-inspect-'));
after(() => rmSync(root, { recursive: true, force: true }));

const TN = '123261121140311456';
const nginx = (sec: number, request: string, status = 200) =>
  `10.0.0.2 - - [21/Nov/2026:14:03:${String(sec).padStart(2, '0')} +0800] "${request}" ${status} 512 "-" "Mozilla/5.0" "203.0.113.7"`;

test('inspect on a gzip file: gzip yes, the vote, fields and params of the first entries, rejects with reasons', async () => {
  const text = [
    nginx(1, 'POST /user/api/order/trade HTTP/1.1'),
    'not an nginx line at all',
    nginx(2, `GET /user/index/query?tradeNo=${TN} HTTP/1.1`),
    nginx(3, `GET /user/pay/order.${TN}.1 HTTP/1.1`),
    nginx(4, 'GET /favicon.ico HTTP/1.1'),
  ].join('\n') + '\n';
  writeFileSync(join(root, 'access.log.1.gz'), gzipSync(Buffer.from(text)));
  const r = await runCli(['inspect', 'access.log.1.gz', '--lines', '2'], root);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /^file {8}access\.log\.1\.gz$/m);
  assert.match(out, /^gzip {8}yes$/m);
  assert.match(out, /^format {6}nginx-combined \(family nginx\), detected with confidence \d\.\d\d from 5 sample lines$/m);
  // Every parser's vote is listed, the chosen one marked.
  assert.match(out, /nginx-combined\s+\d\.\d\d {2}← chosen/);
  for (const id of ['laravel', 'acg-faka-runtime', 'thinkphp', 'jsonl', 'generic']) assert.match(out, new RegExp(`^ {12}${id}\\s+0\\.00$`, 'm'), id);
  assert.match(out, /^#1 {2}line 1 {2}2026-11-21T14:03:01\+08:00 {2}\(offset 0\)$/m);
  assert.match(out, /^ {4}fields {2}remote_addr {2}10\.0\.0\.2$/m);
  assert.match(out, /^ {12}path {9}\/user\/api\/order\/trade$/m);
  assert.match(out, /^✗ line 2 {2}rejected: not an nginx combined line/m);
  assert.match(out, /^ {4}text {2}not an nginx line at all$/m);
  assert.match(out, /^#2 {2}line 3 /m);
  assert.match(out, /^ {4}params {2}tradeNo {2}123261121140311456$/m);
  assert.doesNotMatch(out, /^#3/m);
  assert.match(out, /^stopped after 2 entries \(--lines 2\)/m);
});

test('inspect: multi-line entries show their span, params from the dump; a plain file is not gzip', async () => {
  writeFileSync(
    join(root, 'runtime.log'),
    ['[CALLBACK][2026-11-21 14:03:11]:签名验证失败', '[NOTIFY][2026-11-21 14:03:12]:Array', '(', '    [out_trade_no] => ' + TN, ')', ''].join('\n'),
  );
  const r = await runCli(['inspect', 'runtime.log', '--tz', 'UTC'], root);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^gzip {8}no$/m);
  assert.match(r.stdout, /^format {6}acg-faka-runtime \(family acg-faka\)/m);
  assert.match(r.stdout, /^#1 {2}line 1 {2}2026-11-21T14:03:11\+00:00/m);
  assert.match(r.stdout, /^#2 {2}lines 2-5 /m);
  assert.match(r.stdout, /^ {4}params {2}out_trade_no {2}123261121140311456$/m);
  assert.match(r.stdout, /^end of file: 5 lines, 2 entries, 0 rejected, 0 blank$/m);
});

test('inspect: --format overrides detection; unknown formats and bad options are usage errors', async () => {
  writeFileSync(join(root, 'prose.txt'), 'hello\nworld\n');
  const unknown = await runCli(['inspect', 'prose.txt'], root);
  assert.equal(unknown.code, 0);
  assert.match(unknown.stdout, /^format {6}unknown: no parser reaches 0\.30 on the 2 sample lines/m);
  assert.match(unknown.stdout, /rejected: unknown file format/);
  const forced = await runCli(['inspect', 'prose.txt', '--format', 'generic'], root);
  assert.match(forced.stdout, /^format {6}generic \(family generic\), forced with --format generic$/m);
  assert.match(forced.stdout, /generic\s+0\.00 {2}← forced/);
  assert.match(forced.stdout, /rejected: continuation line with no timestamped entry/);
  const bad = await runCli(['inspect', 'prose.txt', '--format', 'apache'], root);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown format "apache" \(known: nginx-json, nginx-body, nginx-combined, nginx-main, nginx-error, laravel, laravel-queue, acg-faka-runtime, acg-faka-request, thinkphp, jsonl, generic, fragments/);
  const glob = await runCli(['inspect', 'prose.txt', '--format', '*.txt=generic'], root);
  assert.equal(glob.code, 2);
  assert.match(glob.stderr, /--format takes a parser id here/);
  const missing = await runCli(['inspect', 'nope.log'], root);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot open nope\.log/);
  assert.equal((await runCli(['inspect', 'prose.txt', '--lines', '0'], root)).code, 2);
  assert.equal((await runCli(['inspect', 'prose.txt', '--tz', 'Mars/Base'], root)).code, 2);
});

test('inspect streams: on a large gzip file it stops after N entries having read a small part of it', async () => {
  // Pseudo-random tokens so the file does not compress to nothing.
  let x = 12345;
  const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0), x.toString(16));
  const lines: string[] = [];
  for (let i = 0; i < 150_000; i++) lines.push(nginx(i % 60, `GET /static/${rnd()}${rnd()}.js?v=${rnd()} HTTP/1.1`));
  const path = join(root, 'big.log.gz');
  writeFileSync(path, gzipSync(Buffer.from(lines.join('\n') + '\n')));
  const size = statSync(path).size;
  assert.ok(size > 2_000_000, `test file too small: ${size}`);
  let events = 0;
  const scan = await scanFile(path, 'big.log.gz', {
    tz: 'Asia/Shanghai',
    maxLineBytes: 1 << 20,
    onStart: () => {},
    onItem: (it) => (it.t === 'event' ? ++events < 5 : true),
  });
  assert.equal(events, 5);
  assert.equal(scan.stopped, true);
  assert.equal(scan.read?.compressed, true);
  assert.ok(scan.read!.bytes < size / 4, `read ${scan.read!.bytes} of ${size} bytes`);
  assert.ok(scan.lines < 1000, `${scan.lines} lines`);
  const r = await runCli(['inspect', 'big.log.gz', '-n', '3'], root);
  assert.match(r.stdout, /^stopped after 3 entries \(--lines 3\); \d+ lines read/m);
});

test('readInput with an AbortSignal delivers nothing after the abort and stops reading', async () => {
  const path = join(root, 'plain.bin');
  writeFileSync(path, Buffer.alloc(8 << 20, 0x61));
  const ac = new AbortController();
  let chunks = 0;
  let after = 0;
  const res = await readInput(
    path,
    () => {
      if (ac.signal.aborted) after++;
      if (++chunks === 2) ac.abort();
    },
    64 * 1024,
    ac.signal,
  );
  assert.equal(chunks, 2);
  assert.equal(after, 0);
  assert.ok(res.bytes < 8 << 20);
  assert.equal(res.compressed, false);
  // Without a signal the whole file is read, as before.
  let total = 0;
  const full = await readInput(path, (c) => (total += c.length));
  assert.equal(total, 8 << 20);
  assert.equal(full.bytes, 8 << 20);
});
