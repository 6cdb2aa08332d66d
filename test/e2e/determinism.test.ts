// The same inputs and options give byte-identical outputs, whatever the worker count and
// however the readers happen to interleave (issue 10). report.json may differ only in its
// `run` section (time, --out, worker count, timings, the correlator's memory bookkeeping).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/run-cli';
import type { Reject } from '../../src/model/types';
import type { RunReport } from '../../src/sinks/report';

const BYTE_IDENTICAL = ['transactions.ndjson', 'transactions.csv', 'rejects.ndjson', 'review.csv', 'restore.sql'];
/** What README.md documents as allowed to vary between runs: everything under report.json → run. */
const RUN_FIELDS = ['correlation_state', 'generated_at', 'memory', 'out_dir', 'timings_ms', 'workers'];

const root = mkdtempSync(join(tmpdir(), 'salvage-determinism-'));
after(() => rmSync(root, { recursive: true, force: true }));

const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

/** report.json without the part documented to vary, as text: key order counts too. */
function stableReport(dir: string): string {
  const r = JSON.parse(read(dir, 'report.json')) as Partial<RunReport>;
  delete r.run;
  return JSON.stringify(r, null, 1);
}

describe('determinism: --workers 1, 2 and 3 on a damaged simulated shop', () => {
  const runs: { label: string; dir: string }[] = [];
  before(async () => {
    const shop = join(root, 'shop');
    const sim = await runCli(['simulate', '--out', shop, '--orders', '700', '--days', '2', '--damage', 'severe', '--seed', 'determinism'], root);
    assert.equal(sim.code, 0, sim.stderr);
    // Two runs with 2 workers: run to run, as well as across worker counts.
    for (const [label, workers] of [['w1', 1], ['w2', 2], ['w3', 3], ['w2-again', 2]] as const) {
      const dir = join(root, label);
      const r = await runCli(['reconstruct', 'shop/logs', '--keys', 'shop/keys.json', '--out', dir, '--workers', String(workers), '-q'], root);
      assert.ok(r.code === 0 || r.code === 1, `${label}: exit ${r.code}\n${r.stderr}`);
      runs.push({ label, dir });
    }
  });

  test('the shop is a fair test: several files, rejects from more than one of them, work spread over workers', () => {
    const [w1] = runs;
    const report = JSON.parse(read(w1!.dir, 'report.json')) as RunReport;
    assert.ok(report.inputs.length >= 5, `${report.inputs.length} input files`);
    const rejects = read(w1!.dir, 'rejects.ndjson').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Reject);
    const files = new Set(rejects.map((r) => r.file));
    assert.ok(files.size >= 3, `rejects come from ${files.size} file(s)`);
    assert.ok(read(w1!.dir, 'transactions.ndjson').split('\n').length > 500);
    assert.ok(read(w1!.dir, 'review.csv').split('\n').length > 10);
  });

  for (const name of BYTE_IDENTICAL) {
    test(`${name} is byte-identical in every run`, () => {
      const ref = read(runs[0]!.dir, name);
      for (const r of runs.slice(1)) assert.ok(read(r.dir, name) === ref, `${name} differs between ${runs[0]!.label} and ${r.label}`);
    });
  }

  test('report.json is identical once its `run` section is taken out, and `run` holds only the documented fields', () => {
    const ref = stableReport(runs[0]!.dir);
    for (const r of runs.slice(1)) assert.equal(stableReport(r.dir), ref, `report.json differs between ${runs[0]!.label} and ${r.label}`);
    for (const r of runs) {
      const report = JSON.parse(read(r.dir, 'report.json')) as RunReport;
      assert.deepEqual(Object.keys(report.run).sort(), RUN_FIELDS);
      assert.equal(report.run.workers, Number(r.label.slice(1, 2)));
    }
  });

  // Within a file, rejects keep the order its one reader found them in (lines held while the
  // format is detected are judged after later ones), which is the same in every run.
  test('rejects.ndjson takes the files one after another, in input order (report.json → inputs)', () => {
    const report = JSON.parse(read(runs[1]!.dir, 'report.json')) as RunReport;
    const place = new Map(report.inputs.map((f, i) => [f.file, i]));
    const rejects = read(runs[1]!.dir, 'rejects.ndjson').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Reject);
    for (let i = 1; i < rejects.length; i++) {
      const a = rejects[i - 1]!;
      const b = rejects[i]!;
      const pa = place.get(a.file)!;
      const pb = place.get(b.file)!;
      assert.ok(pa <= pb, `${a.file}:${a.line} before ${b.file}:${b.line}`);
    }
  });
});
