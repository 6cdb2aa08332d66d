// Inputs the pipeline fuzzer (pipeline-fuzz.test.ts) found, kept as fixed cases. Each is run
// through the real CLI in a child process with a deadline, because the failure they caught is
// a hang: an in-process run would hang the test runner with it.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { spawnCli } from '../support/spawn-cli';
import type { RunReport } from '../../src/sinks/report';

const root = mkdtempSync(join(tmpdir(), 'salvage-fuzzcase-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs reconstruct on `files` (name → bytes), killing it after `deadlineMs`; returns its report. */
async function reconstructWithin(name: string, files: Record<string, Buffer | string>, deadlineMs: number, extra: string[] = []): Promise<RunReport> {
  const inDir = join(root, name, 'in');
  mkdirSync(inDir, { recursive: true });
  for (const [f, data] of Object.entries(files)) writeFileSync(join(inDir, f), data);
  const out = join(root, name, 'out');
  const run = spawnCli(['reconstruct', inDir, '--out', out, '--workers', '1', '-q', ...extra], root);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), deadlineMs);
  const end = await run.exit;
  clearTimeout(timer);
  assert.notEqual(end.signal, 'SIGKILL', `${name}: still running after ${deadlineMs} ms`);
  assert.ok(end.code === 0 || end.code === 1, `${name}: exit ${end.code}: ${run.stderr()}`);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(report.accounting.ok, true, report.accounting.problems.join('\n'));
  return report;
}

test('fuzz seed 2: an access line with a 200 KB run of letters, folded into an nginx error entry, is read in seconds', { timeout: 90_000 }, async () => {
  // The access line is a continuation of the error entry before it; the entry is noise, and
  // masking its message for the mentions audit backtracked over every start of the run.
  const error = '2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: "PHP message: PHP Warning:  x"\n';
  const access = `66.249.73.135 - - [17/May/2015:12:05:25 +0000] "GET /blog/tags/C HTTP/1.1" 200 37991 "-" "Googlebot/2.1"${'A'.repeat(200_000)}\n`;
  const report = await reconstructWithin('seed2-run-of-letters', { 'error.log': error + access }, 30_000);
  assert.equal(report.inputs[0]!.lines_total, 2);
});
