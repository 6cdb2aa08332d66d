// The progress line an operator watches on a long run (issue 13): files, on-disk bytes of the
// total, lines and lines per second, a percentage and an ETA, on one line at any width.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { ProgressMeter } from '../../src/cli/progress';
import { displayWidth, fitWidth, progressLine } from '../../src/cli/progress-line';
import { emptyFileReport } from '../../src/model/file-report';

function capture(columns?: number): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  if (columns !== undefined) (out as unknown as { columns: number }).columns = columns;
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { out, text: () => chunks.join('') };
}

const MB = 1 << 20;

test('the line says files done of the total, on-disk MB of the total, lines read so far, lines/s, a percentage and an ETA', () => {
  const line = progressLine({ filesDone: 3, filesTotal: 10, diskBytes: 20 * MB, diskTotal: 80 * MB, lines: 412_345, elapsedMs: 10_000, upTo: '2026-11-22 14:05' });
  assert.equal(line, '[salvage] files 3/10 文件 · 25% · 20.0/80.0 MB on disk 磁盘 · 412,345 lines 行 · 41,235 lines/s 行/秒 · ETA 剩余 0:30 · logs up to 日志已读至 2026-11-22 14:05');
});

test('lines are counted as they are read, not only when a file is finished', () => {
  let now = 0;
  const c = capture(200);
  const m = new ProgressMeter(c.out, { files: 2, diskBytes: 10 * MB }, 'terminal', () => now);
  now = 2500;
  m.tick('a.log', 2 * MB, 50_000);
  assert.match(c.text(), /files 0\/2 文件 · 20% · 2\.0\/10\.0 MB on disk 磁盘 · 50,000 lines 行/);
  now = 5000;
  m.tick('b.log', 3 * MB, 70_000);
  assert.match(c.text(), /50% · 5\.0\/10\.0 MB on disk 磁盘 · 120,000 lines 行 · 24,000 lines\/s 行\/秒 · ETA 剩余 0:05/);
  now = 6000;
  m.fileDone({ ...emptyFileReport('a.log'), bytes: 4 * MB, lines_total: 90_000 });
  assert.match(c.text(), /files 1\/2 文件 · 70% · 7\.0\/10\.0 MB on disk 磁盘 · 160,000 lines 行/);
});

test('on a terminal each update rewrites the line in place: \\r, the line cut to the width, clear to its end', () => {
  let now = 0;
  const c = capture(40);
  const m = new ProgressMeter(c.out, { files: 3, diskBytes: 30 * MB }, 'terminal', () => now);
  m.readUpTo('2026-11-21 10:00');
  for (let i = 1; i <= 5; i++) {
    now += 2100;
    m.tick('a.log', i * MB, i * 1000);
  }
  m.stage('writing… / 正在写出记录…');
  const [updates, rest] = [c.text().split('\n')[0]!, c.text().split('\n').slice(1).join('\n')];
  const frames = updates.split('\r').filter((f) => f !== '');
  assert.equal(frames.length, 5);
  for (const f of frames) {
    assert.ok(f.endsWith('\x1b[K'), JSON.stringify(f));
    assert.ok(displayWidth(f.slice(0, -3)) <= 39, `${displayWidth(f)}: ${f}`);
    assert.match(f, /^\[salvage\] files 0\/3 文件 · \d+%/);
  }
  assert.equal(rest, '[salvage] writing… / 正在写出记录…\n');
});

test('when stderr is not a terminal: plain lines, every ten seconds, no \\r or escape codes', () => {
  let now = 0;
  const c = capture();
  const m = new ProgressMeter(c.out, { files: 1, diskBytes: 10 * MB }, 'lines', () => now);
  for (let i = 1; i <= 30; i++) {
    now += 1000;
    m.tick('a.log', (i * MB) / 3, i * 100);
  }
  m.fileDone({ ...emptyFileReport('a.log'), bytes: 10 * MB, lines_total: 3000 });
  m.stop();
  const lines = c.text().split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 3, c.text()); // at 1 s, 11 s, 21 s
  for (const l of lines) assert.match(l, /^\[salvage\] files \d\/1 文件 · \d+% · [\d.]+\/10\.0 MB on disk/);
  assert.doesNotMatch(c.text(), /\r|\x1b/);
});

test('silent when off', () => {
  const c = capture();
  const m = new ProgressMeter(c.out, { files: 3, diskBytes: 1 }, 'off');
  m.tick('a.log', 1, 1);
  m.fileDone({ ...emptyFileReport('a.log'), lines_total: 1 });
  m.stage('x');
  m.stop();
  assert.equal(c.text(), '');
});

test('property: the line fits any width, never holds a newline, and keeps the files count while it can', () => {
  const state = fc.record({
    filesDone: fc.nat(100_000), filesTotal: fc.nat(100_000), diskBytes: fc.nat(2 ** 45), diskTotal: fc.nat(2 ** 45),
    lines: fc.nat(2 ** 40), elapsedMs: fc.nat(10 ** 9), upTo: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  });
  fc.assert(fc.property(state, fc.integer({ min: 1, max: 300 }), (s, width) => {
    const line = progressLine(s, width);
    assert.ok(displayWidth(line) <= Math.max(1, width - 1), `${width}: ${line}`);
    assert.ok(!/[\n\r]/.test(line.replace(s.upTo ?? '', '')));
    if (width >= 60) assert.match(line, /^\[salvage\] files \d+\/\d+ 文件 · \d+%/);
    // an 80-column terminal still shows the on-disk bytes and the ETA
    if (width >= 80 && s.filesTotal < 1000 && s.filesDone < 1000 && s.diskBytes <= s.diskTotal && s.diskTotal < 2 ** 40) assert.match(line, /[MG]B on disk 磁盘 · .*ETA 剩余 /);
  }), { numRuns: 1000 });
});

test('property: fitWidth cuts by terminal columns, CJK counting two', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.nat(80), (s, w) => {
    const cut = fitWidth(s, w);
    assert.ok(s.startsWith(cut));
    assert.ok(displayWidth(cut) <= w);
  }));
  assert.equal(displayWidth('文件 ab'), 7);
  assert.equal(fitWidth('文件文件', 5), '文件');
});
