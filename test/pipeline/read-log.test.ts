// The one read loop (issue 11): reconstruct, inspect / `rules test`, and the time-order peek
// read a file the same way, so what inspect says of a file is what reconstruct does with it.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { processFile } from '../../src/pipeline/process-file';
import { scanFile, type ScanStart } from '../../src/pipeline/scan-file';
import { peekStart } from '../../src/pipeline/peek-start';
import { readInput } from '../../src/sources/read-input';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { ZoneClock } from '../../parsers/time';

const root = mkdtempSync(join(tmpdir(), 'salvage-read-log-'));
after(() => rmSync(root, { recursive: true, force: true }));

const nginx = (sec: number) =>
  `10.0.0.2 - - [21/Nov/2026:14:03:${String(sec).padStart(2, '0')} +0800] "GET /user/index/query?tradeNo=123261121140311456 HTTP/1.1" 200 512 "-" "Mozilla/5.0" "203.0.113.7"`;

async function reconstructView(path: string) {
  const engine = new RuleEngine(loadRules([]), { clock: new ZoneClock('Asia/Shanghai') });
  return processFile(path, 'f.log', engine, { evidence() {}, reject() {} }, { tz: 'Asia/Shanghai', maxLineBytes: 1 << 20 });
}

async function inspectView(path: string): Promise<ScanStart> {
  let start: ScanStart | undefined;
  await scanFile(path, 'f.log', { tz: 'Asia/Shanghai', maxLineBytes: 1 << 20, onStart: (s) => { start = s; }, onItem: () => true });
  return start!;
}

test('inspect votes on the same sample as reconstruct: a line of many kilobytes does not vote while shorter lines do', async () => {
  // A JSON line of 100,000 characters, then nginx lines: reconstruct leaves the long line out of
  // the vote; inspect used to count it in, and showed another confidence than the run's.
  const long = JSON.stringify({ msg: 'x'.repeat(100_000), time: '2026-11-21T14:03:00+08:00' });
  const path = join(root, 'mixed.log');
  writeFileSync(path, [long, ...Array.from({ length: 9 }, (_, i) => nginx(i + 1)), ''].join('\n'));
  const run = await reconstructView(path);
  const shown = await inspectView(path);
  assert.equal(shown.parser?.id, run.format);
  assert.equal(Math.round(shown.detection.confidence * 1000) / 1000, run.detect_confidence);
  assert.equal(shown.sampleLines, 9);
});

test('the peek stops early on a bundle member, and on a plain or gzip file, and finds the first time', async () => {
  const text = Array.from({ length: 5000 }, (_, i) => nginx(i % 60)).join('\n') + '\n';
  writeFileSync(join(root, 'a.log'), text);
  writeFileSync(join(root, 'a.log.gz'), gzipSync(text));
  const want = Date.parse('2026-11-21T14:03:00+08:00');
  assert.equal(await peekStart(join(root, 'a.log'), { tz: 'Asia/Shanghai' }), want);
  assert.equal(await peekStart(join(root, 'a.log.gz'), { tz: 'Asia/Shanghai' }), want);
  // A member read in place: stopping at the yield must still let the bundle reader finish.
  const { pack } = await import('tar-stream');
  const p = pack();
  p.entry({ name: 'logs/a.log' }, Buffer.from(text));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  writeFileSync(join(root, 'b.tar'), Buffer.concat(chunks));
  assert.equal(await peekStart(join(root, 'b.tar') + '!/logs/a.log', { tz: 'Asia/Shanghai' }), want);
  const stop = new AbortController();
  let got = 0;
  const r = await readInput(join(root, 'b.tar') + '!/logs/a.log', (c) => { got += c.length; stop.abort(); }, 64 * 1024, stop.signal);
  assert.ok(got > 0 && got < text.length, `${got} bytes`);
  assert.ok(r.bytes < text.length);
});
