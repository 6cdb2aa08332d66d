// Whole-pipeline fuzzing (issue 10): random bytes, mutated real log lines, cut and concatenated
// gzip members, and lines that straddle the reader's 256 KiB chunks are fed to `reconstruct`
// in-process. Whatever the input, the run must end with exit 0 or 1, no stack trace, and a
// report.json whose accounting holds for every file (lines_total = parsed + rejected,
// parsed = evidence_lines + noise, rejects.ndjson lines = total rejected).
// Seeded and bounded so a failure reproduces: rerun with the printed seed and path.
// FUZZ_SEED and FUZZ_RUNS override the fixed seed (20261205) and run count (25) for longer hunts.

import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { runCli } from '../support/run-cli';
import { readRealdata } from '../support/realdata';
import type { RunReport } from '../../src/sinks/report';

const root = mkdtempSync(join(tmpdir(), 'salvage-fuzz-'));
after(() => rmSync(root, { recursive: true, force: true }));

const CHUNK = 256 * 1024;

function realLines(...parts: string[]): Buffer[] {
  const text = readRealdata(...parts);
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length && lines.length < 400; i++) {
    if (text[i] === 0x0a) { lines.push(text.subarray(start, i)); start = i + 1; }
  }
  return lines;
}

const pool: Buffer[] = [
  ...realLines('elastic-examples', 'nginx_logs'),
  ...realLines('elastic-examples', 'apache_logs'),
  ...realLines('elastic-beats-filebeat-nginx', 'access', 'access.log'),
  ...realLines('elastic-beats-filebeat-nginx', 'error', 'error.log'),
  ...['alipay-notify-rsa2.json', 'wechatpay-v2-sign-doc-example.json'].map((f) => readRealdata('gateway-vectors', f)),
];

const NASTY = [Buffer.from([0]), Buffer.from('\r'), Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0xb6, 0xa9, 0xb5, 0xa5]) /* GBK 订单 */, Buffer.from('\n')];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dup' as const) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), what: fc.integer({ min: 0, max: NASTY.length - 1 }) }),
  fc.record({ kind: fc.constant('splice' as const), other: fc.nat(), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(line: Buffer, m: Mutation): Buffer {
  const at = line.length === 0 ? 0 : ('at' in m ? m.at % (line.length + 1) : 0);
  switch (m.kind) {
    case 'flip': { const b = Buffer.from(line); if (b.length) b[at % b.length] ^= 1 << m.bit; return b; }
    case 'truncate': return line.subarray(0, at);
    case 'dup': return Buffer.concat([line, line]);
    case 'insert': return Buffer.concat([line.subarray(0, at), NASTY[m.what], line.subarray(at)]);
    case 'splice': { const o = pool[m.other % pool.length]; return Buffer.concat([line.subarray(0, at), o.subarray(at % (o.length + 1))]); }
  }
}

const mutatedFile = fc.array(fc.record({ line: fc.nat(), muts: fc.array(mutation, { maxLength: 3 }) }), { minLength: 1, maxLength: 60 })
  .map((ls) => Buffer.concat(ls.map(({ line, muts }) => Buffer.concat([muts.reduce(mutate, pool[line % pool.length]), Buffer.from('\n')]))));

/** gzip members of real lines, each possibly cut short, concatenated. */
const gzipFile = fc.array(fc.record({ from: fc.nat(), n: fc.integer({ min: 1, max: 50 }), cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true })) }), { minLength: 1, maxLength: 3 })
  .map((ms) => Buffer.concat(ms.map(({ from, n, cut }) => {
    const body = Buffer.concat(Array.from({ length: n }, (_, i) => Buffer.concat([pool[(from + i) % pool.length], Buffer.from('\n')])));
    const gz = gzipSync(body);
    return cut === null ? gz : gz.subarray(0, Math.floor(gz.length * cut));
  })));

/** Lines whose lengths put their ends on either side of a 256 KiB chunk boundary. */
const straddleFile = fc.array(fc.record({ line: fc.nat(), pad: fc.integer({ min: -3, max: 3 }) }), { minLength: 1, maxLength: 4 })
  .map((ls) => {
    const parts: Buffer[] = [];
    let size = 0;
    for (const { line, pad } of ls) {
      const real = pool[line % pool.length];
      const fill = Math.max(0, CHUNK - (size % CHUNK) - real.length - 1 + pad);
      const l = Buffer.concat([real, Buffer.alloc(fill, 0x41), Buffer.from('\n')]);
      parts.push(l);
      size += l.length;
    }
    return Buffer.concat(parts);
  });

const fileArb = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }).map((a) => ({ name: 'random.bin', data: Buffer.from(a) })),
  mutatedFile.map((data) => ({ name: 'access.log', data })),
  gzipFile.map((data) => ({ name: 'access.log.2.gz', data })),
  straddleFile.map((data) => ({ name: 'long.log', data })),
);

let caseNo = 0;
async function checkCase(files: { name: string; data: Buffer }[]): Promise<void> {
  const dir = join(root, `case-${caseNo++}`);
  const inDir = join(dir, 'in');
  mkdirSync(inDir, { recursive: true });
  files.forEach((f, i) => writeFileSync(join(inDir, `${i}-${f.name}`), f.data));
  const out = join(dir, 'out');
  const r = await runCli(['reconstruct', inDir, '--out', out, '--workers', '1'], dir);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'stack trace on stderr');
  const reportPath = join(out, 'report.json');
  assert.ok(existsSync(reportPath), 'report.json missing');
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
  assert.equal(report.accounting.ok, true, report.accounting.problems.join('\n'));
  let rejected = 0;
  for (const f of report.inputs) {
    assert.equal(f.lines_total, f.parsed + f.rejected, `${f.file}: lines_total`);
    assert.equal(f.parsed, f.evidence_lines + f.noise, `${f.file}: parsed`);
    rejected += f.rejected;
  }
  const rejects = readFileSync(join(out, 'rejects.ndjson'), 'utf8').split('\n').filter((l) => l !== '');
  assert.equal(rejects.length, rejected, 'rejects.ndjson line count');
  rmSync(dir, { recursive: true, force: true });
}

test('reconstruct survives fuzzed inputs with its accounting intact', { timeout: 60_000 }, async () => {
  await fc.assert(fc.asyncProperty(fc.array(fileArb, { minLength: 1, maxLength: 4 }), checkCase), { seed: Number(process.env.FUZZ_SEED ?? 20261205), numRuns: Number(process.env.FUZZ_RUNS ?? 25) });
});
