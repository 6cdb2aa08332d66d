import { join } from 'node:path';
import { errors } from '@elastic/elasticsearch';
import { EXIT_OK, UsageError, type CommandIO } from '../command';
import { OutputFolder, asWriteError } from '../../sinks/output-folder';
import { describeConnectionError } from '../../sinks/elasticsearch';
import { planFiles, planRun, type SharedOptions } from '../../reconstruct/plan';
import { parseSlice } from '../../distributed/placement';
import { checkRunId } from '../../distributed/run-store';
import { checkStageArgs, type StageArgs } from '../../distributed/stage-plan';
import { extractStage } from '../../distributed/extract-stage';
import { correlateStage } from '../../distributed/correlate-stage';
import { finishStage, refuseUnlessDone } from '../../distributed/finish-stage';
import { formatSummary } from '../summary';
import { ProgressMeter } from '../progress';
import { INDEXING_FILES } from './es-index';

// `salvage reconstruct --stage extract|correlate|finish`: one run spread over several machines
// that share an Elasticsearch cluster (src/distributed/). The stages' options are checked here;
// what each stage does lives with it.

/** A stage that could not talk to the cluster: nothing it did counts, run it again. */
const EXIT_SINK_FAILED = 3;


export async function reconstructStage(args: StageArgs, io: CommandIO, shared: SharedOptions): Promise<number> {
  const started = Date.now();
  checkStageArgs(args);
  checkRunId(args.run!);
  const target = shared.esTarget(args.es!, args['es-ca']);
  shared.checkEsPrefix(args['es-prefix']);
  const showProgress = args.progress ?? false;
  const progressFor = (totals: { files: number; diskBytes: number }) => new ProgressMeter(io.stderr, totals, showProgress ? 'lines' : 'off');
  try {
    if (args.stage === 'extract') {
      const shard = args.shard === undefined ? null : parseSlice(args.shard);
      if (!shard) throw new UsageError(`--stage extract needs --shard i/n with 0 ≤ i < n (e.g. --shard 0/4) / 需要 --shard i/n`);
      const done = await extractStage(args, shard, io, shared, progressFor);
      if (!args.quiet) io.stdout.write(`extract shard ${shard.i}/${shard.n} of run ${args.run}: ${done.files} file(s), ${done.evidence} evidence item(s), ${done.rejects} reject(s) indexed / 抽取分片完成\n`);
      return EXIT_OK;
    }
    if (args.stage === 'correlate') {
      const part = args.partition === undefined ? null : parseSlice(args.partition);
      if (!part) throw new UsageError(`--stage correlate needs --partition j/m with 0 ≤ j < m (e.g. --partition 0/4) / 需要 --partition j/m`);
      const { unreachableReason } = await import('../../sinks/elasticsearch');
      const why = await unreachableReason(target);
      if (why !== null) throw new UsageError(`--es: ${why}`);
      const done = await correlateStage(target, args['es-prefix'], args.run!, part);
      if (!args.quiet) io.stdout.write(`correlate partition ${part.i}/${part.n} of run ${args.run}: ${done.orders} order(s) from ${done.evidence} evidence item(s) / 关联分区完成\n`);
      return EXIT_OK;
    }
    if (args.stage === 'finish') return await finish(args, io, shared, started, progressFor);
    throw new UsageError(`--stage must be extract, correlate or finish / --stage 只能是 extract、correlate 或 finish`);
  } catch (e) {
    if (e instanceof errors.ConnectionError || e instanceof errors.TimeoutError) {
      io.stderr.write(`salvage: ${describeConnectionError(target.url, e)}\nsalvage: the stage did not finish; run it again / 本阶段未完成，请重跑\n`);
      return EXIT_SINK_FAILED;
    }
    if (e instanceof errors.ResponseError) {
      io.stderr.write(`salvage: Elasticsearch answered ${e.statusCode ?? '?'}: ${e.message}\nsalvage: the stage did not finish; run it again / 本阶段未完成，请重跑\n`);
      return EXIT_SINK_FAILED;
    }
    throw e;
  }
}

async function finish(args: StageArgs, io: CommandIO, shared: SharedOptions, started: number, progressFor: (t: { files: number; diskBytes: number }) => ProgressMeter): Promise<number> {
  const plan = await planRun(args, io, shared);
  await refuseUnlessDone(plan.es!, args['es-prefix'], args.run!);
  const { folder, notes } = OutputFolder.open(plan.outDir);
  const withdraw = io.onStop?.(() => folder.release());
  try {
    for (const n of notes) if (!args.quiet) io.stderr.write(`salvage: note: ${n}\n`);
    const planned = await planFiles(plan, folder, io, progressFor);
    const { report, reportHtml } = await finishStage(plan, planned, folder, io, { run: args.run!, prefix: args['es-prefix'], earlierRunFiles: INDEXING_FILES });
    if (!args.quiet || report.exit_code !== EXIT_OK) io.stdout.write(formatSummary(report, Date.now() - started));
    if (!args.quiet && reportHtml) io.stdout.write(`  report 报告: ${join(plan.outDir, 'report.html')}\n`);
    return report.exit_code;
  } catch (e) {
    if (e instanceof UsageError || e instanceof errors.ElasticsearchClientError) throw e;
    throw asWriteError(e, plan.outDir);
  } finally {
    folder.release();
    withdraw?.();
  }
}
