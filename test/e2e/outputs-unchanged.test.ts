// Speed work on the per-line path (prefilters, repeat collapsing, signature caching) must not
// change what salvage concludes. test/e2e/fixtures/output-digests.json holds digests of every
// output of a few seeded drills, recorded with the build before that work
// (scripts/output-digests.ts, run from a worktree of the base commit); the current build must
// write the same bytes. If the simulator itself changes, the logs digest says so first, and the
// fixture has to be recorded again from a build known to be right.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { DRILLS, OUTPUT_FILES, runDrill, type DrillDigest } from '../../scripts/output-digests';

const root = resolve(__dirname, '..', '..', '..');
const bin = join(root, 'bin', 'salvage.js');
const golden = JSON.parse(readFileSync(join(root, 'test', 'e2e', 'fixtures', 'output-digests.json'), 'utf8')) as { commit: string | null; drills: Record<string, DrillDigest> };
const scratch = mkdtempSync(join(tmpdir(), 'salvage-unchanged-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe(`outputs are those of the build before the per-line speed work (${golden.commit?.slice(0, 10) ?? 'unknown commit'})`, () => {
  for (const drill of DRILLS) {
    test(drill.name, () => {
      const want = golden.drills[drill.name];
      assert.ok(want, `no recorded digest for ${drill.name}`);
      const got = runDrill(bin, drill, scratch);
      assert.equal(got.logs, want.logs, 'the drill\'s input logs differ: the simulator changed, so the fixture must be recorded again');
      for (const name of OUTPUT_FILES) assert.equal(got.outputs[name], want.outputs[name], `${name} differs`);
      assert.equal(got.report, want.report, 'report.json (its deterministic parts) differs');
    });
  }
});
