// An Elasticsearch that cannot be reached is found before any input is read: exit 2, one
// bilingual message, no stack trace and no outputs.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/run-cli';
import { withTempDir } from '../support/temp-dir';

/** A loopback port nothing listens on: taken from the system, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

test('--es pointing at a closed port is a usage error before any work', () =>
  withTempDir('salvage-es-', async (dir) => {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    writeFileSync(join(logs, 'a.log'), '1.2.3.4 - - [21/Nov/2026:14:04:02 +0800] "GET / HTTP/1.1" 200 5 "-" "x"\n');
    const out = join(dir, 'out');
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await runCli(['reconstruct', logs, '--out', out, '--es', url, '-q'], dir, { ELASTIC_PASSWORD: 'sekret-pw', ELASTIC_USERNAME: 'u' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot reach Elasticsearch/);
    assert.match(r.stderr, /无法连接 Elasticsearch/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(r.stderr + r.stdout, /sekret-pw/, 'no credential printed');
    assert.equal(existsSync(join(out, 'report.json')), false);
  }));
