// Digests of what `salvage reconstruct` writes on a few seeded drills, so a change meant to be
// invisible (a faster per-line path, another way to move evidence between threads) can be
// shown to leave every output byte for byte as it was.
//
//   node dist/scripts/output-digests.js [--salvage <bin/salvage.js of the build to record>] [--out <file>]
//
// Run it with the build before a change (a `git worktree` of the base commit, built) to record
// test/e2e/fixtures/output-digests.json; test/e2e/outputs-unchanged.test.ts runs the same drills
// on the current build and compares. Only what is meant to be deterministic is digested: file
// paths are made relative to the drill, and the restore script's generation time, the
// report's clock times and its scheduling-dependent memory figures are left out.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

export interface Drill {
  name: string;
  /** A bundled sample folder (logs/ and keys.json), or simulate's options. */
  sample?: string;
  simulate?: string[];
}

/** Small enough to run in a test; varied enough to reach every output: damage (rejects), both
 *  platforms, platform logging (exception frames) and a shop vocabulary (the shape recogniser). */
export const DRILLS: Drill[] = [
  { name: 'sample-shop', sample: 'samples/shop' },
  { name: 'sample-shop-acg', sample: 'samples/shop-acg' },
  { name: 'dujiaoka-platform-vocab2', simulate: ['--orders', '1200', '--days', '2', '--seed', '31', '--damage', 'typical', '--platform', 'dujiaoka', '--logging', 'platform', '--vocabulary', '2', '--tokenpay'] },
  { name: 'acg-faka-platform-vocab2', simulate: ['--orders', '1200', '--days', '2', '--seed', '32', '--damage', 'severe', '--platform', 'acg-faka', '--logging', 'platform', '--vocabulary', '2'] },
];

/** The outputs compared byte for byte (after paths are made relative). */
export const OUTPUT_FILES = ['transactions.ndjson', 'transactions.csv', 'review.csv', 'restore.sql', 'rejects.ndjson'];

/** Parts of report.json that depend on what was read, not on when or how fast. */
const REPORT_KEYS = ['totals', 'accounting', 'inputs', 'input_problems', 'records', 'unjoined', 'mentions_audit', 'fuzzy_joins', 'duplicate_evidence_copies', 'checks', 'exit_code'];

export interface DrillDigest {
  /** The drill's input logs: if these differ, the simulator changed, not the pipeline. */
  logs: string;
  outputs: Record<string, string>;
  report: string;
}

function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function walk(dir: string): string[] {
  const r: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) r.push(...walk(p));
    else r.push(p);
  }
  return r;
}

function logsDigest(logs: string): string {
  const h = createHash('sha256');
  for (const f of walk(logs)) h.update(relative(logs, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** The text with the drill's folder written as `<drill>`, so digests do not depend on where it ran. */
function relativePaths(text: string, dir: string): string {
  return text.split(dir).join('<drill>');
}

function reportDigest(file: string, dir: string): string {
  const r = JSON.parse(relativePaths(readFileSync(file, 'utf8'), dir)) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const k of REPORT_KEYS) if (k in r) kept[k] = r[k];
  return sha(JSON.stringify(kept));
}

function outputDigest(file: string, name: string, dir: string): string {
  if (!existsSync(file)) return 'absent';
  let text = relativePaths(readFileSync(file, 'utf8'), dir);
  // The restore script says when it was generated.
  if (name === 'restore.sql') text = text.replace(/\(generated [^)]*\)/, '(generated …)');
  // Rejects from two workers arrive in whichever order the threads send them (being made
  // deterministic separately): the set of lines is what must not change.
  if (name === 'rejects.ndjson') text = text.split('\n').sort().join('\n');
  return sha(text);
}

/** Runs one drill with the salvage at `bin` in a scratch folder and digests what it wrote. */
export function runDrill(bin: string, drill: Drill, scratch: string): DrillDigest {
  const dir = join(scratch, drill.name);
  let logs: string;
  let keys: string;
  if (drill.sample !== undefined) {
    logs = join(root, drill.sample, 'logs');
    keys = join(root, drill.sample, 'keys.json');
  } else {
    execFileSync(process.execPath, [bin, 'simulate', '--out', dir, ...drill.simulate!], { stdio: ['ignore', 'ignore', 'pipe'] });
    logs = join(dir, 'logs');
    keys = join(dir, 'keys.json');
  }
  const out = join(dir, 'out');
  // Exit 1 means "records need review", not failure. Two workers: the count is part of what is fixed.
  try {
    execFileSync(process.execPath, [bin, 'reconstruct', logs, '--keys', keys, '--out', out, '--workers', '2', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    if ((e as { status?: number }).status !== 1) throw e;
  }
  // Sample logs live in the repository, simulated ones in the drill folder: both become relative.
  const base = drill.sample !== undefined ? join(root, drill.sample) : dir;
  const outputs: Record<string, string> = {};
  for (const name of OUTPUT_FILES) outputs[name] = outputDigest(join(out, name), name, base);
  return { logs: logsDigest(logs), outputs, report: reportDigest(join(out, 'report.json'), base) };
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
    const text = JSON.stringify({ recorded_with: relative(root, bin) || bin, commit: commitOf(bin), drills: digests }, null, 2) + '\n';
    if (target) writeFileSync(target, text);
    else process.stdout.write(text);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) main();
