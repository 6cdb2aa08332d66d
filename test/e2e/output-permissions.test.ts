// Outputs carry buyers' emails and contacts: every one is owner-only, --out is created
// owner-only, and the summary says so once.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/run-cli';

const root = mkdtempSync(join(tmpdir(), 'salvage-perms-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('transactions.*, restore.sql, rejects.ndjson, review.csv and report.json are 0600, --out is 0700, said once', async () => {
  const logs = join(root, 'logs');
  mkdirSync(logs);
  writeFileSync(join(logs, 'access.log'), [
    '10.0.0.2 - - [21/Nov/2026:14:03:12 +0800] "GET /bill/AAAABBBBCCCCDDDD HTTP/1.1" 200 512 "-" "curl/8" "203.0.113.7"',
    'not a log line buyer@example.com',
  ].join('\n') + '\n');
  const out = join(root, 'deeper', 'out');
  const r = await runCli(['reconstruct', logs, '--out', out], root);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.equal(statSync(out).mode & 0o777, 0o700);
  const files = readdirSync(out).filter((n) => !n.startsWith('.'));
  assert.deepEqual(files.sort(), ['rejects.ndjson', 'report.html', 'report.json', 'restore.sql', 'review.csv', 'transactions.csv', 'transactions.ndjson', 'unjoined.ndjson']);
  for (const n of files) assert.equal((statSync(join(out, n)).mode & 0o777).toString(8), '600', n);
  assert.equal(r.stdout.match(/0600/g)?.length, 1, r.stdout);
  assert.match(r.stdout, /owner-only \(0600\) \/ 输出含买家个人信息，仅所有者可读/);
});
