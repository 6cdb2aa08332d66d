import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MIN_DETECT_CONFIDENCE, PARSERS, detectFormat, parserById } from '../../parsers/registry';
import { rawLines, readRealdata } from '../support/realdata';

const NGINX = [
  '203.0.113.9 - - [21/Nov/2026:14:03:11 +0800] "GET /buy?goods_id=3 HTTP/1.1" 200 5120 "-" "Mozilla/5.0"',
  '203.0.113.9 - - [21/Nov/2026:14:03:15 +0800] "POST /order/create HTTP/1.1" 302 0 "https://shop.example/buy" "Mozilla/5.0"',
  '10.0.0.5 - - [21/Nov/2026:14:04:02 +0800] "POST /pay/epay/notify HTTP/1.1" 200 7 "-" "curl/8" "198.51.100.7"',
];

const LARAVEL = [
  '[2026-11-21 14:03:15] production.INFO: order created {"order_sn":"A1"}',
  '[2026-11-21 14:04:02] production.ERROR: notify failed {"exception":"[object] (Exception(code: 0): x at /a.php:1)',
  '[stacktrace]',
  '#0 {main}',
  '"}',
  '[2026-11-21 14:04:03] production.INFO: retry',
];

test('detectFormat: nginx lines → nginx-combined', () => {
  const d = detectFormat(NGINX);
  assert.equal(d.parser?.id, 'nginx-combined');
  assert.equal(d.confidence, 1);
  // Every parser votes; only nginx claims these lines (the strict compiled nginx-main matches
  // the one line with a trailing X-Forwarded-For, and loses the tie to nginx-combined anyway).
  assert.equal(d.votes.length, PARSERS.length);
  for (const v of d.votes) assert.equal(v.confidence, v.id === 'nginx-combined' ? 1 : v.id === 'nginx-main' ? 1 / 3 : 0, v.id);
});

test('detectFormat: laravel lines (with stack traces) → laravel', () => {
  const d = detectFormat(LARAVEL);
  assert.equal(d.parser?.id, 'laravel');
  assert.ok(d.confidence >= MIN_DETECT_CONFIDENCE);
  assert.equal(d.votes.find((v) => v.id === 'nginx-combined')!.confidence, 0);
});

test('detectFormat: real logs are recognised from their first 50 lines', () => {
  for (const [dir, file] of [
    ['elastic-examples', 'nginx_logs'],
    ['elastic-examples', 'apache_logs'],
    ['tstack-lnav-test', 'logfile_shop_access_log.0'],
  ] as const) {
    const sample = rawLines(readRealdata(dir, file)).slice(0, 50).map((l) => l.text);
    assert.equal(detectFormat(sample).parser?.id, 'nginx-combined', file);
  }
});

test('detectFormat: nothing, binary-ish bytes and random text are claimed by no parser', () => {
  assert.equal(detectFormat([]).parser, null);
  const binaryish = ['\x7fELF\x02\x01\x01', 'PK\x03\x04\x14\x00\x08\x00', '\x1f\x8b\x08\x00\x00\x00', '\u00ff\u00fe\u0000a\u0000b'];
  assert.equal(detectFormat(binaryish).parser, null);
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii', maxLength: 200 })), { minLength: 1, maxLength: 30 }), (lines) => {
      const d = detectFormat(lines);
      assert.equal(d.parser, null);
      assert.ok(d.confidence < MIN_DETECT_CONFIDENCE);
    }),
    { numRuns: 300 },
  );
});

test('detectFormat: a file that is mostly something else is not claimed on a few matching lines', () => {
  const prose = Array.from({ length: 20 }, (_, i) => `line ${i} of some unrelated text, not a log`);
  assert.equal(detectFormat([...prose, NGINX[0]!]).parser, null);
});

test('parserById: by id or by family', () => {
  assert.equal(parserById('nginx-combined')?.id, 'nginx-combined');
  assert.equal(parserById('nginx')?.id, 'nginx-combined');
  assert.equal(parserById('laravel')?.id, 'laravel');
  assert.equal(parserById('apache'), undefined);
  // Most specific first: on a tie the earlier parser wins, and `generic` is the fallback.
  // The compiled nginx formats that must win their ties with nginx-combined come before it (see registry.ts).
  assert.deepEqual(PARSERS.map((p) => p.id), ['nginx-json', 'nginx-body', 'nginx-combined', 'nginx-main', 'nginx-error', 'laravel', 'laravel-queue', 'acg-faka-runtime', 'acg-faka-request', 'thinkphp', 'jsonl', 'generic', 'fragments']);
});
