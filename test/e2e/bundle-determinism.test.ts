// Bundles give the same outputs whatever the worker count, run to run, and the same as the
// logs read from a folder but for the names of the inputs (issue 14). A damaged shop's logs in a
// tar.gz and a zip: a damaged gzip member used to give up more or less of its text depending on
// whether its reader was being held back when the damage was met (CI: b.zip with --workers 2 had
// 3 orders 'created' that are 'pending' otherwise).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { pack } from 'tar-stream';
import { runCli } from '../support/run-cli';
import type { Reject, Transaction } from '../../src/model/types';
import type { RunReport } from '../../src/sinks/report';

const BYTE_IDENTICAL = ['transactions.ndjson', 'transactions.csv', 'rejects.ndjson', 'review.csv', 'restore.sql'];

const root = mkdtempSync(join(tmpdir(), 'salvage-bundle-determinism-'));
after(() => rmSync(root, { recursive: true, force: true }));

const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
const report = (dir: string) => JSON.parse(read(dir, 'report.json')) as RunReport;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)])).sort();
}

// Members stored in different orders in the two bundles: the tar in reverse name order, the zip
// (python3's zipfile) as os.walk meets them.
async function makeTarGz(out: string, top: string): Promise<void> {
  const p = pack();
  const done = pipeline(p, createGzip(), createWriteStream(out));
  for (const f of filesUnder(top).reverse()) p.entry({ name: relative(join(top, '..'), f) }, readFileSync(f));
  p.finalize();
  await done;
}
const ZIP_PY = `
import sys, os, zipfile
out, top = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for d, _, fs in os.walk(top):
        for f in fs:
            full = os.path.join(d, f)
            z.write(full, os.path.relpath(full, os.path.dirname(top)))
`;

/** An output with the bundle's name taken out of its member paths, to set beside the folder's. */
const asFolder = (text: string, bundle: string) => text.split(`${bundle}!/logs/`).join('shop/logs/');
function stableReport(dir: string, bundle?: string): string {
  const r = report(dir) as Partial<RunReport>;
  delete r.run;
  const text = JSON.stringify(r, null, 1);
  return bundle ? asFolder(text, bundle) : text;
}

describe('determinism: a damaged shop in a tar.gz and a zip, --workers 1, 2 and 3', () => {
  const runs: { label: string; bundle: string; dir: string }[] = [];
  let folder = '';
  before(async () => {
    const shop = join(root, 'shop');
    const sim = await runCli(['simulate', '--out', shop, '--orders', '700', '--days', '2', '--damage', 'severe', '--seed', 'determinism'], root);
    assert.equal(sim.code, 0, sim.stderr);
    await makeTarGz(join(root, 'b.tar.gz'), join(shop, 'logs'));
    execFileSync('python3', ['-c', ZIP_PY, join(root, 'b.zip'), join(shop, 'logs')]);
    folder = join(root, 'folder');
    const r = await runCli(['reconstruct', 'shop/logs', '--keys', 'shop/keys.json', '--out', folder, '--workers', '1', '-q'], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    for (const bundle of ['b.tar.gz', 'b.zip']) {
      for (const [label, workers] of [['w1', 1], ['w2', 2], ['w3', 3], ['w2-again', 2]] as const) {
        const dir = join(root, `${bundle}-${label}`);
        const x = await runCli(['reconstruct', bundle, '--keys', 'shop/keys.json', '--out', dir, '--workers', String(workers), '-q'], root);
        assert.ok(x.code === 0 || x.code === 1, `${bundle} ${label}: exit ${x.code}\n${x.stderr}`);
        runs.push({ label: `${bundle} ${label}`, bundle, dir });
      }
    }
  });

  test('the shop is a fair test: a damaged gzip member, rejects from several members, every line accounted for', () => {
    for (const r of runs) {
      const rep = report(r.dir);
      assert.equal(rep.accounting.ok, true, `${r.label}: ${JSON.stringify(rep.accounting)}`);
      assert.ok(rep.inputs.length >= 5, `${r.label}: ${rep.inputs.length} members`);
      assert.ok(rep.inputs.every((i) => i.file.startsWith(`${r.bundle}!/logs/`)), r.label);
      assert.ok(rep.inputs.some((i) => i.compressed && i.errors.some((e) => e.startsWith('gzip stream damaged'))), `${r.label}: no damaged gzip member`);
      assert.equal(rep.input_skipped, undefined, `${r.label}: every member is a log and is read`);
    }
    const rejects = read(runs[0]!.dir, 'rejects.ndjson').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Reject);
    assert.ok(new Set(rejects.map((x) => x.file)).size >= 3);
  });

  for (const name of BYTE_IDENTICAL) {
    test(`${name} is byte-identical in every run of a bundle, whatever the worker count`, () => {
      for (const r of runs) {
        const first = runs.find((x) => x.bundle === r.bundle)!;
        assert.ok(read(r.dir, name) === read(first.dir, name), `${name} differs between ${first.label} and ${r.label}`);
      }
    });
    test(`${name} is the folder's but for the bundle's name`, () => {
      const ref = read(folder, name);
      for (const r of runs) assert.ok(asFolder(read(r.dir, name), r.bundle) === ref, `${name} of ${r.label} differs from the folder's`);
    });
  }

  test('report.json is identical outside its `run` section, and to the folder\'s but for the bundle\'s name', () => {
    const ref = stableReport(folder);
    for (const r of runs) assert.equal(stableReport(r.dir, r.bundle), ref, r.label);
  });

  test('every record and reject points to a bundle member, a line and a byte offset', () => {
    for (const r of runs.filter((x) => x.label.endsWith('w3'))) {
      const records = read(r.dir, 'transactions.ndjson').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Transaction);
      assert.ok(records.length > 500, `${r.label}: ${records.length} records`);
      for (const t of records) {
        assert.ok(t.evidence.length > 0, t.order_id);
        for (const e of t.evidence) {
          assert.ok(e.file.startsWith(`${r.bundle}!/logs/`), e.file);
          assert.ok(Number.isInteger(e.line) && e.line >= 1 && Number.isInteger(e.offset) && e.offset >= 0, `${t.order_id} ${e.file}:${e.line}@${e.offset}`);
        }
      }
      for (const l of read(r.dir, 'rejects.ndjson').split('\n').filter(Boolean)) {
        const x = JSON.parse(l) as Reject;
        assert.ok(x.file.startsWith(`${r.bundle}!/logs/`) && x.line >= 1 && x.offset >= 0, l.slice(0, 200));
      }
    }
  });
});
