// The progress line an operator watches on a long run.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { ProgressMeter } from '../../src/cli/progress';
import { emptyFileReport } from '../../src/model/file-report';

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { out, text: () => chunks.join('') };
}

test('progress says files, bytes and how far in time the logs have been read; silent when off', () => {
  const on = capture();
  const m = new ProgressMeter(on.out, 3, true);
  m.readUpTo('2026-11-21 10:00');
  m.tick(5 << 20, 100);
  m.fileDone({ ...emptyFileReport('a.log'), lines_total: 1234 });
  m.stage('writing… / 正在写出记录…');
  assert.match(on.text(), /files 1\/3, 5 MB read, 1,234 lines in finished files, .* logs read up to 2026-11-21 10:00/);
  assert.match(on.text(), /\[salvage\] writing… \/ 正在写出记录…\n/);

  const off = capture();
  const quiet = new ProgressMeter(off.out, 3, false);
  quiet.readUpTo('2026-11-21 10:00');
  quiet.fileDone({ ...emptyFileReport('a.log'), lines_total: 1 });
  quiet.stage('x');
  assert.equal(off.text(), '');
});
