// `-` reads standard input (e.g. `zcat a.gz | salvage reconstruct - --format nginx-combined`):
// it used to read nothing and exit 0. It is hashed and accounted for like a file, shown as `-`.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { spawnCli } from '../support/spawn-cli';
import type { RunReport } from '../../src/sinks/report';

const root = mkdtempSync(join(tmpdir(), 'salvage-stdin-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('`-` reads standard input as a stream, hashed and accounted for like a file', { timeout: 60_000 }, async () => {
  const lines = [
    '10.0.0.2 - - [21/Nov/2026:14:03:12 +0800] "GET /bill/AAAABBBBCCCCDDDD HTTP/1.1" 200 512 "-" "curl/8" "203.0.113.7"',
    '10.0.0.2 - - [21/Nov/2026:14:04:02 +0800] "GET /pay/yipay/notify_url?money=9.90&name=goods&out_trade_no=AAAABBBBCCCCDDDD&pid=1001&trade_no=2026112114040212345&trade_status=TRADE_SUCCESS&type=alipay&sign=0123&sign_type=MD5 HTTP/1.1" 200 7 "-" "curl/8" "198.51.100.9"',
    'not a log line',
  ];
  const input = Buffer.from(lines.join('\n') + '\n');
  const out = join(root, 'out');
  const run = spawnCli(['reconstruct', '-', '--format', 'nginx-combined', '--out', out, '-q'], root, { input });
  const end = await run.exit;
  assert.equal(end.code, 1, run.stderr()); // one line rejected: damaged input
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(report.inputs.length, 1);
  const f = report.inputs[0]!;
  assert.equal(f.file, '-');
  assert.equal(f.bytes, input.length);
  assert.equal(f.sha256, createHash('sha256').update(input).digest('hex'));
  assert.equal(f.lines_total, 3);
  assert.equal(f.rejected, 1);
  assert.ok(report.accounting.ok);
  assert.ok(report.records.total >= 1);
});
