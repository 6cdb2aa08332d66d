import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../model/usage-error';
import { OutputFolder } from '../sinks/output-folder';
import { settingsDigest } from '../sources/checkpoint/settings';
import { planFiles, planRun, type Plan, type PlannedFiles, type ReconstructArgs, type SharedOptions } from '../reconstruct/plan';
import type { ProgressFor, StepIO } from '../reconstruct/step-io';
import { VERSION } from '../reconstruct/write';

// The plan of a sharded run: every process that reads inputs (each extract shard, and finish)
// plans the whole run for itself, exactly as a single-process run would (the same files, in the
// same reading order, the same byte-identical copies set aside), and they agree without talking
// because planning is deterministic. A digest of the plan goes into the run document, so a
// process that sees other files or other settings is refused instead of mixing two runs.

/** The stage options of `reconstruct`, beside the single-process ones. */
export interface StageArgs extends ReconstructArgs {
  stage?: 'extract' | 'correlate' | 'finish';
  shard?: string;
  partition?: string;
  run?: string;
}

export function checkStageArgs(args: StageArgs): void {
  if (args.es === undefined) throw new UsageError(`--stage ${args.stage} needs --es: the shared cluster the stages meet in / --stage 需要 --es 指定共享集群`);
  if (args.run === undefined) throw new UsageError(`--stage ${args.stage} needs --run: a name for the run, the same on every machine / --stage 需要 --run 运行编号（各机器相同）`);
  if (args.checkpoint !== undefined) throw new UsageError('--checkpoint does not apply to a sharded run: run a stopped shard again instead / 分片运行不使用 --checkpoint，重跑中断的分片即可');
  if (args.inputs.includes('-')) throw new UsageError('a sharded run cannot read standard input (`-`): every machine must see the same files / 分片运行不能读取标准输入');
  if (args.stage !== 'extract' && args.shard !== undefined) throw new UsageError('--shard goes with --stage extract / --shard 仅用于 --stage extract');
  if (args.stage !== 'correlate' && args.partition !== undefined) throw new UsageError('--partition goes with --stage correlate / --partition 仅用于 --stage correlate');
}

/** The run planned, with a private scratch folder (extract writes no files of its own). */
export async function planInScratch(args: StageArgs, io: StepIO, shared: SharedOptions, progressFor: ProgressFor): Promise<{ plan: Plan; planned: PlannedFiles; digest: string; scratch: string; dispose(): void }> {
  const plan = await planRun(args, io, shared);
  const dir = mkdtempSync(join(tmpdir(), 'salvage-shard-'));
  const { folder } = OutputFolder.open(dir);
  const dispose = () => {
    folder.release();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const planned = await planFiles(plan, folder, io, progressFor);
    return { plan, planned, digest: planDigest(plan, planned, args.run!), scratch: folder.scratch, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/**
 * What every process of the run must agree on: the settings that change what is read from each
 * file (the merchant keys only inside a salted scrypt digest, as a checkpoint keeps them), and
 * the files in reading order with the copies set aside.
 */
export function planDigest(plan: Plan, planned: PlannedFiles, run: string): string {
  const { args } = plan;
  const settings = settingsDigest({
    version: VERSION, tz: args.tz, maxLineBytes: args['max-line-bytes'], revealCardKeys: args['reveal-card-keys'], formats: args.format,
    nginxFormat: plan.nginxFormat.directive ?? null, rules: plan.rules, vocabulary: plan.vocabulary, keys: plan.keys,
  }, createHash('sha256').update(`salvage-sharded:${run}`).digest('hex').slice(0, 32));
  const files = planned.tasks.map((t) => [t.display, t.format ?? null, t.startMs ?? null]);
  const copies = [...planned.copies].map(([f, c]) => [planned.shown(f), planned.shown(c.of)]).sort();
  return createHash('sha256').update(JSON.stringify({ settings: settings.scrypt, files, copies })).digest('hex');
}
