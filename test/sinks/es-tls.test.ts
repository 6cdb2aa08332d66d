// --es-ca: the real node behind TLS (a TLS terminator in front of it, as nginx often is in
// production), with a certificate signed by a private CA. Without --es-ca the certificate is
// refused before any work; with it the run is indexed.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { after, test } from 'node:test';
import { requireEsUrl } from '../support/es';
import { runCli } from '../support/run-cli';

const root = mkdtempSync(join(tmpdir(), 'salvage-es-tls-'));
let server: Server | undefined;
after(() => {
  server?.close();
  rmSync(root, { recursive: true, force: true });
});

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`this test makes its certificates with the openssl command (Debian: apt-get install openssl): ${(e as Error).message}`);
  }
}

test('--es-ca trusts a private CA for https; without it the node is refused before any work', async () => {
  const url = new URL(requireEsUrl());
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=salvage test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'node.key', '-out', 'node.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(root, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'node.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'node.pem', '-days', '2', '-extfile', 'san.ext']);

  // TLS in front of the real node: bytes pass through unchanged.
  server = createServer({ key: readFileSync(join(root, 'node.key')), cert: readFileSync(join(root, 'node.pem')) }, (tls) => {
    const plain = connect(Number(url.port), url.hostname);
    tls.pipe(plain).pipe(tls);
    tls.on('error', () => plain.destroy());
    plain.on('error', () => tls.destroy());
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  const https = `https://127.0.0.1:${(server.address() as { port: number }).port}`;

  const logs = join(root, 'logs');
  mkdirSync(logs);
  writeFileSync(join(logs, 'access.log'), '10.0.0.9 - - [21/Nov/2026:10:00:00 +0800] "GET /bill/TLS000000000001 HTTP/1.1" 200 100 "-" "curl/8"\n');
  const out = join(root, 'out');
  assert.equal((await runCli(['reconstruct', logs, '--out', out, '-q'], root)).code, 0);

  const refused = await runCli(['index', out, '--es', https, '--es-prefix', 'salvage-tls'], root);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /cannot reach Elasticsearch .*certificate|self.signed|unable to verify/i);
  assert.match(refused.stderr, /--es-ca/);

  const ok = await runCli(['index', out, '--es', https, '--es-ca', join(root, 'ca.pem'), '--es-prefix', 'salvage-tls'], root);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  const res = JSON.parse(readFileSync(join(out, 'elasticsearch.json'), 'utf8')) as { counted: Record<string, number>; aliases_moved: boolean };
  assert.deepEqual(res.counted, { transactions: 1, evidence: 1, runs: 1 });
  assert.equal(res.aliases_moved, true);
  const { Client } = await import('@elastic/elasticsearch');
  const c = new Client({ node: url.toString() });
  try {
    await c.indices.delete({ index: 'salvage-tls-*' });
  } finally {
    await c.close();
  }
});
