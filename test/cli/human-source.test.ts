// Evidence holes and clock skew as a person reads them (issue 13): the log's folder and file,
// times in the run's zone, no source keys like `nginx-combined@…` in the terminal summary.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { humanHole, humanSkew, sourceLabel, timeRange } from '../../src/sinks/human-source';
import { emptyFileReport } from '../../src/model/file-report';
import type { FileReport } from '../../src/model/types';
import { packageRoot } from '../../src/util/package-root';
import { runCli } from '../support/run-cli';

const tmp = mkdtempSync(join(tmpdir(), 'salvage-human-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function file(path: string, format: string, first: string, last: string): FileReport {
  return { ...emptyFileReport(path), format, first_ts: first, last_ts: last };
}

const inputs = [
  file('logs/nginx/web2/shop.access.log', 'nginx-combined', '2026-10-04T00:00:05+08:00', '2026-10-04T23:59:58+08:00'),
  file('logs/nginx/web2/history_backups/shop/shop.access_2026-10-04.log.gz', 'nginx-combined', '2026-10-03T00:00:01+08:00', '2026-10-03T23:59:59+08:00'),
  file('logs/app/laravel.log', 'laravel', '2026-10-03T00:00:00+08:00', '2026-10-04T23:59:00+08:00'),
];

test('a hole reads as the folder, the file it is in, and the hours on its day', () => {
  assert.equal(
    humanHole({ source: 'nginx-combined@logs/nginx/web2', from: '2026-10-04T14:00:00+08:00', to: '2026-10-04T15:30:00+08:00' }, inputs),
    'web2 (shop.access.log): no lines 14:00–15:30 on 10-04 / 10-04 14:00–15:30 无记录',
  );
  assert.equal(
    humanHole({ source: 'nginx-combined@logs/nginx/web2', from: '2026-10-03T22:00:00+08:00', to: '2026-10-04T00:00:00+08:00' }, inputs),
    'web2 (shop.access_2026-10-04.log.gz): no lines 22:00–24:00 on 10-03 / 10-03 22:00–24:00 无记录',
  );
});

test('ranges across midnight name both days; times stay as written, in the run zone', () => {
  assert.deepEqual(timeRange('2026-10-03T22:00:00+08:00', '2026-10-04T03:00:00+08:00'), { en: '10-03 22:00 – 10-04 03:00', zh: '10-03 22:00 至 10-04 03:00' });
  assert.deepEqual(timeRange('2026-10-04T06:00:00+00:00', '2026-10-04T07:00:00+00:00'), { en: '06:00–07:00 on 10-04', zh: '10-04 06:00–07:00' });
});

test('skew says which clock is fast or slow against which, and whether it was corrected', () => {
  assert.equal(
    humanSkew({ source: 'nginx-combined@logs/nginx/web2', reference: 'laravel@logs/app', median_offset_s: 97, pairs: 120, corrected: true }, inputs),
    'web2 (shop.access.log, 2 files 个文件) runs 97 s fast against app (laravel.log) (120 pairs 对), corrected before joining / 时钟快 97 秒，已校正',
  );
  assert.match(humanSkew({ source: 'nginx-combined@logs/nginx/web2', reference: 'laravel@logs/app', median_offset_s: -5, pairs: 9, corrected: false }, inputs), /runs 5 s slow .* \/ 时钟慢 5 秒$/);
  assert.equal(sourceLabel('jsonl@elsewhere', inputs), 'elsewhere');
});

test('the summary of the sample shop shows holes and skew in human form, with no source keys', async () => {
  const root = packageRoot();
  const r = await runCli(['reconstruct', join(root, 'samples', 'shop', 'logs'), '--keys', join(root, 'samples', 'shop', 'keys.json'), '--out', join(tmp, 'out')], tmp);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /\n {4}web1 \([^)]+\): no lines \d\d:\d\d–\d\d:\d\d on \d\d-\d\d \/ \d\d-\d\d \d\d:\d\d–\d\d:\d\d 无记录\n/);
  assert.match(r.stdout, /clock skew 时钟偏差: web1 \([^)]+\) runs 97 s fast against app \(/);
  assert.doesNotMatch(r.stdout, /(nginx-combined|laravel)@/);
});
