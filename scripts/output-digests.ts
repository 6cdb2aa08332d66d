// Digests of what `salvage reconstruct` writes on a few seeded drills, so a change meant to be
// invisible (a faster per-line path, another way to move evidence between threads) can be
// shown to leave every output byte for byte as it was.
//
//   npm run digests        (= node dist/scripts/output-digests.js --out test/e2e/fixtures/output-digests.json)
//   node dist/scripts/output-digests.js [--salvage <bin/salvage.js of another build>] [--out <file>]
//
// test/e2e/outputs-unchanged.test.ts runs the same drills on the current build and compares.
// A change that is meant to alter outputs records the fixture again with its own build and
// commits it with the change, so the diff of the fixture shows which drills and files moved.
// Every output is digested whole, except report.json, which is taken without its `run` section
// (clock time, --out, worker count, timings, memory bookkeeping: README "Same inputs, same
// outputs" says only `run` may vary). salvage runs in the drill's folder with relative paths,
// so no digest depends on where the scratch folder was.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { filesUnder } from './files-under';

const root = resolve(__dirname, '..', '..');

export interface Drill {
  name: string;
  /** A bundled sample folder (logs/ and keys.json), or simulate's options. */
  sample?: string;
  simulate?: string[];
  /** reconstruct --workers: both 1 and 2 are covered, since the split of work is a place outputs could drift. */
  workers: 1 | 2;
}

/** What a real shop varies, each in at least one drill: the seed (other buyers, amounts, timing),
 *  the platform (dujiaoka, acg-faka), damage (typical and severe: cut gzip members, copytruncate
 *  overlaps, clock skew, lost hours), rotation into .gz files (two days or more), the logging
 *  (operator lines, platform exception frames), another shop's wording (--vocabulary), a TokenPay
 *  row, and 1 or 2 reader workers. Small enough that the whole set runs in well under a minute. */
export const DRILLS: Drill[] = [
  { name: 'sample-shop', sample: 'samples/shop', workers: 2 },
  { name: 'sample-shop-acg', sample: 'samples/shop-acg', workers: 1 },
  { name: 'dujiaoka-severe-platform-vocab2', simulate: ['--orders', '300', '--days', '2', '--seed', '31', '--damage', 'severe', '--platform', 'dujiaoka', '--logging', 'platform', '--vocabulary', '2', '--tokenpay'], workers: 2 },
  { name: 'acg-faka-typical-platform-vocab3', simulate: ['--orders', '250', '--days', '2', '--seed', '32', '--damage', 'typical', '--platform', 'acg-faka', '--logging', 'platform', '--vocabulary', '3'], workers: 1 },
  { name: 'dujiaoka-typical-3days', simulate: ['--orders', '300', '--days', '3', '--seed', '33', '--damage', 'typical', '--platform', 'dujiaoka'], workers: 1 },
  { name: 'acg-faka-severe-default', simulate: ['--orders', '200', '--days', '2', '--seed', '34', '--damage', 'severe', '--platform', 'acg-faka', '--logging', 'default'], workers: 2 },
];

/** The outputs compared byte for byte (after paths are made relative). */
export const OUTPUT_FILES = ['transactions.ndjson', 'transactions.csv', 'review.csv', 'restore.sql', 'rejects.ndjson', 'unjoined.ndjson'];

export interface DrillDigest {
  /** The drill's input logs: if these differ, the simulator changed, not the pipeline. */
  logs: string;
  outputs: Record<string, string>;
  /** report.json without `run`, key order included. */
  report: string;
}

export interface DigestFile {
  recorded_with: string;
  commit: string | null;
  drills: Record<string, DrillDigest>;
}

export const FIXTURE = join(root, 'test', 'e2e', 'fixtures', 'output-digests.json');

function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function logsDigest(logs: string): string {
  const h = createHash('sha256');
  for (const f of filesUnder(logs)) h.update(relative(logs, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** The text with the drill's folder written as `<drill>`, so digests do not depend on where it ran. */
function relativePaths(text: string, dir: string): string {
  return text.split(dir).join('<drill>');
}

/** report.json less its `run` section, as text in the order salvage wrote its keys. */
export function stableReportText(file: string, dir: string): string {
  const r = JSON.parse(relativePaths(readFileSync(file, 'utf8'), dir)) as Record<string, unknown>;
  delete r.run;
  return JSON.stringify(r);
}

function outputDigest(file: string, dir: string): string {
  if (!existsSync(file)) return 'absent';
  return sha(relativePaths(readFileSync(file, 'utf8'), dir));
}

/** Runs one drill with the salvage at `bin` in a scratch folder and digests what it wrote. */
export function runDrill(bin: string, drill: Drill, scratch: string): DrillDigest {
  const dir = join(scratch, drill.name);
  if (drill.simulate !== undefined) execFileSync(process.execPath, [bin, 'simulate', '--out', dir, ...drill.simulate], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Sample logs live in the repository, simulated ones in the drill folder: salvage runs there
  // and is given relative paths, and any absolute path left becomes `<drill>`.
  const base = drill.sample !== undefined ? join(root, drill.sample) : dir;
  const out = join(dir, 'out');
  // Exit 1 means "finished, something needs review or was damaged", not failure.
  try {
    execFileSync(process.execPath, [bin, 'reconstruct', 'logs', '--keys', 'keys.json', '--out', out, '--workers', String(drill.workers), '-q'], { cwd: base, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    if ((e as { status?: number }).status !== 1) throw e;
  }
  const outputs: Record<string, string> = {};
  for (const name of OUTPUT_FILES) outputs[name] = outputDigest(join(out, name), base);
  return { logs: logsDigest(join(base, 'logs')), outputs, report: sha(stableReportText(join(out, 'report.json'), base)) };
}

/** The commit the recorded build was made from, when it sits in a git work tree. */
function commitOf(bin: string): string | null {
  try {
    return execFileSync('git', ['-C', resolve(bin, '..'), 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const bin = resolve(opt('--salvage') ?? join(root, 'bin', 'salvage.js'));
  const target = opt('--out');
  const scratch = mkdtempSync(join(tmpdir(), 'salvage-digests-'));
  try {
    const digests: Record<string, DrillDigest> = {};
    for (const d of DRILLS) {
      process.stderr.write(`[digests] ${d.name}…\n`);
      digests[d.name] = runDrill(bin, d, scratch);
    }
    const file: DigestFile = { recorded_with: relative(root, bin) || bin, commit: commitOf(bin), drills: digests };
    const text = JSON.stringify(file, null, 2) + '\n';
    if (target) {
      writeFileSync(target, text);
      process.stderr.write(`[digests] wrote ${relative(process.cwd(), target) || target} / 已写入\n`);
    } else process.stdout.write(text);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) main();
