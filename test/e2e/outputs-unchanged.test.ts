// A change meant to be invisible (speed work on the per-line path, another way to move evidence
// between threads) must not change what salvage concludes. test/e2e/fixtures/output-digests.json
// holds digests of every output of a few seeded drills, recorded with an earlier build by
// scripts/output-digests.ts (`npm run digests`); the current build must write the same bytes.
// A change meant to alter outputs records the fixture again and commits it with the change. If
// the simulator itself changed, the logs digest says so first.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { DRILLS, FIXTURE, OUTPUT_FILES, runDrill, type DigestFile } from '../../scripts/output-digests';

const root = resolve(__dirname, '..', '..', '..');
const bin = join(root, 'bin', 'salvage.js');
const golden = JSON.parse(readFileSync(FIXTURE, 'utf8')) as DigestFile;
const scratch = mkdtempSync(join(tmpdir(), 'salvage-unchanged-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const REGENERATE = 'if the change is meant to alter outputs, run `npm run digests` and commit the fixture with it';

describe(`outputs are those recorded with ${golden.commit?.slice(0, 10) ?? 'an unknown commit'} (npm run digests)`, () => {
  test('the drills vary what a real shop varies', () => {
    const sim = DRILLS.flatMap((d) => (d.simulate ? [d.simulate] : []));
    const values = (flag: string) => new Set(sim.filter((a) => a.includes(flag)).map((a) => a[a.indexOf(flag) + 1]));
    assert.ok(values('--seed').size >= 3, 'several seeds');
    assert.deepEqual([...values('--platform')].sort(), ['acg-faka', 'dujiaoka']);
    assert.ok(values('--damage').has('typical') && values('--damage').has('severe'), 'damage on');
    assert.ok(sim.every((a) => Number(a[a.indexOf('--days') + 1]) >= 2), 'every simulated drill rotates into .gz files');
    assert.deepEqual([...new Set(DRILLS.map((d) => d.workers))].sort(), [1, 2]);
    assert.deepEqual(Object.keys(golden.drills).sort(), DRILLS.map((d) => d.name).sort(), 'the fixture records exactly these drills');
  });

  for (const drill of DRILLS) {
    test(drill.name, () => {
      const want = golden.drills[drill.name];
      assert.ok(want, `no recorded digest for ${drill.name}`);
      const got = runDrill(bin, drill, scratch);
      assert.equal(got.logs, want.logs, 'the drill\'s input logs differ: the simulator changed, so the fixture must be recorded again');
      for (const name of OUTPUT_FILES) assert.equal(got.outputs[name], want.outputs[name], `${name} differs: ${REGENERATE}`);
      assert.equal(got.report, want.report, `report.json (outside its run section) differs: ${REGENERATE}`);
    });
  }
});
