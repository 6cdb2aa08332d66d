import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT_OK, UsageError, type CommandIO, type SalvageCommand } from '../command';
import { OutputFolder, asWriteError } from '../../sinks/output-folder';
import { esTarget, checkEsPrefix, ES_OPTIONS_HELP, INDEXING_FILES } from './es-index';
import { ACG_FAKA_DEFAULT_PREFIX, PLATFORMS } from '../../sinks/sql/orders-table';
import { NGINX_FORMAT_HELP, nginxFormatOption } from './inspect';
import { formatSummary } from '../summary';
import { checkMaxLineBytes } from '../max-line-bytes';
import { ProgressMeter } from '../progress';
import { COMMAND_DEFAULTS } from '../../settings';
import { planFiles, planRun, type Plan, type ReconstructArgs, type SharedOptions } from '../../reconstruct/plan';
import type { StageArgs } from '../../distributed/stage-plan';
import { STAGE_HELP } from './reconstruct-stage-help';
import { readInputs } from '../../reconstruct/read';
import { correlate } from '../../reconstruct/correlate';
import { VERSION, writeOutputs } from '../../reconstruct/write';
import { Laps } from '../../reconstruct/step-io';
import { CHECKPOINT_HELP, openCheckpoint, type OpenedCheckpoint } from '../../reconstruct/checkpoint';

// `salvage reconstruct`: the options, and the four steps in order (src/reconstruct/): plan (check
// the arguments, find the inputs), read (logs → evidence, rejects), correlate (evidence →
// records, checks), write (records → every output, then report.json, report.html, commit).

export type { ReconstructArgs } from '../../reconstruct/plan';

/** Exit code when a sink (Elasticsearch) could not take the records; the files were still written. */
export const EXIT_SINK_FAILED = 3;

export const reconstructCommand: SalvageCommand<ReconstructArgs> = {
  name: 'reconstruct <inputs..>',
  describe: 'Rebuild transactions from log files, folders or globs (plain or gzip) and tar, tar.gz or zip bundles / 从日志（含 tar、tar.gz、zip 归档包）重建交易',
  builder: (y: Argv) =>
    y
      // `default: undefined`: yargs would otherwise show a required list as `[default: []]`.
      .positional('inputs', { type: 'string', array: true, default: undefined, describe: 'log files, directories (recursed), globs, or - for standard input / 日志文件、目录（递归）、通配符，或 - 表示标准输入' })
      .option('out', { type: 'string', default: 'out', describe: 'folder for transactions.ndjson, review.csv, report.json, … / 输出目录' })
      .option('es', { type: 'string', describe: `also index the run into Elasticsearch, as \`salvage index\` does: ${ES_OPTIONS_HELP.es}` })
      .option('es-ca', { type: 'string', describe: ES_OPTIONS_HELP['es-ca'] })
      .option('es-prefix', { type: 'string', default: 'salvage', describe: ES_OPTIONS_HELP['es-prefix'] })
      .option('tz', { type: 'string', default: COMMAND_DEFAULTS.tz, describe: 'zone of log times written without an offset, and of times shown / 无时区日志及显示所用时区' })
      .option('keys', { type: 'string', describe: 'keys.json with merchant keys, to check callback signatures / 商户密钥，用于验签' })
      .option('rules', { type: 'string', array: true, default: [], describe: 'folder(s) of your own rule packs; they override built-in rules by id / 自定义规则包目录' })
      .option('format', { type: 'string', array: true, default: [], describe: 'force a format for matching files: <glob>=<format> / 强制指定格式' })
      .option('nginx-format', { type: 'string', describe: NGINX_FORMAT_HELP })
      .option('workers', { type: 'number', default: availableParallelism(), describe: 'worker threads (files are spread over them) / 工作线程数' })
      .option('max-line-bytes', { type: 'number', default: COMMAND_DEFAULTS.maxLineBytes, describe: 'longer lines are rejected (and skipped without being held in memory); at most 256 MiB / 超长行拒绝（最大 256 MiB）' })
      .option('sql-min-confidence', { type: 'number', default: COMMAND_DEFAULTS.sqlMinConfidence, describe: 'restore.sql only inserts records at or above this confidence / restore.sql 的最低置信度' })
      .option('platform', { type: 'string', choices: PLATFORMS, describe: "restore.sql's orders table: dujiaoka or acg-faka (default: the platform whose rules read the most lines) / 恢复脚本的目标平台" })
      .option('table-prefix', { type: 'string', default: ACG_FAKA_DEFAULT_PREFIX, describe: "acg-faka's table prefix, as typed at install (restore.sql) / acg-faka 表前缀" })
      .option('review-below', { type: 'number', default: COMMAND_DEFAULTS.reviewBelow, describe: 'a payment claim below this confidence goes on review.csv, beside forgeries, conflicts and undelivered payments / 低于此置信度的付款记录列入待办清单' })
      .option('reveal-card-keys', { type: 'boolean', default: false, describe: 'keep card keys in outputs (they are masked by default) / 输出中保留卡密（默认脱敏）' })
      .option('statement', { type: 'string', array: true, default: [], describe: "a gateway's bill: Alipay 业务明细 CSV or WeChat downloadbill (repeatable) / 对账单" })
      .option('baseline', { type: 'string', describe: 'the last good backup of the orders table: CSV export or MySQL dump / 订单表最近备份' })
      .option('checkpoint', { type: 'string', describe: CHECKPOINT_HELP })
      .option('stage', { type: 'string', choices: ['extract', 'correlate', 'finish'], describe: STAGE_HELP.stage })
      .option('shard', { type: 'string', describe: STAGE_HELP.shard })
      .option('partition', { type: 'string', describe: STAGE_HELP.partition })
      .option('run', { type: 'string', describe: STAGE_HELP.run })
      .option('progress', { type: 'boolean', describe: 'print progress to stderr (default: when stderr is a terminal) / 显示进度' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only warnings and errors / 只打印警告和错误' }),
  help: {
    examples: [
      ['salvage reconstruct logs/ --keys keys.json --out out', 'every file under logs/, signatures checked / 读取 logs/ 下所有文件并验签'],
      ["salvage reconstruct 'nginx/*.gz' app/laravel.log --out out --tz UTC", 'globs and files; times without offset are UTC / 通配符与文件，无时区时间按 UTC'],
      ['zcat old.log.gz | salvage reconstruct - --format nginx-combined', 'from standard input / 从标准输入读取'],
      ['salvage reconstruct logs/ --statement bill.csv --baseline orders.sql', "with the gateway's bill and the last backup / 加上对账单与备份"],
      ['ELASTIC_API_KEY=… salvage reconstruct logs/ --es http://localhost:9200', 'also into Elasticsearch / 同时写入 Elasticsearch'],
      ['salvage reconstruct logs/ --checkpoint ~/salvage.ckpt --out out', 'resumable: run it again after a kill and finished files are not read again / 可续跑：中断后再次运行，已读完的文件不再读取'],
      ['salvage reconstruct logs/ --es URL --run r1 --stage extract --shard 0/4', 'one machine\'s share of a run spread over several (then --stage correlate --partition j/m, then --stage finish --out out; README "A run across machines") / 多机运行中本机的一份'],
    ],
    exitCodes: [0, 1, 2, 3, 4, 5, 6, 7, '129 130 143'],
    env: ['ELASTIC_API_KEY', 'ELASTIC_USERNAME', 'ELASTIC_PASSWORD', 'ELASTIC_CREDENTIALS_FILE', 'SALVAGE_STALL_SECONDS', 'LC_ALL', 'LC_MESSAGES', 'LANG'],
  },
  async run(args, io) {
    const staged = args as StageArgs;
    if (staged.stage !== undefined) {
      // Loaded only for a sharded run.
      const { reconstructStage } = await import('./reconstruct-stage');
      return reconstructStage(staged, io, sharedOptions(io));
    }
    if (staged.shard !== undefined || staged.partition !== undefined || staged.run !== undefined) throw new UsageError('--shard, --partition and --run go with --stage / --shard、--partition、--run 需与 --stage 一起使用');
    return reconstruct(args, io);
  },
};

function sharedOptions(io: CommandIO): SharedOptions {
  return {
    checkMaxLineBytes,
    nginxFormat: (spec) => nginxFormatOption(spec, io.cwd),
    checkEsPrefix,
    esTarget: (url, ca) => esTarget(url, ca, io),
  };
}

export async function reconstruct(args: ReconstructArgs, io: CommandIO): Promise<number> {
  const started = Date.now();
  const plan = await planRun(args, io, sharedOptions(io));
  const outDir = plan.outDir;
  // From here on work is done: --out is taken for this run (or the run refuses), and whatever
  // happens, the run's private folder goes and the lock is let go.
  const { folder, notes } = OutputFolder.open(outDir);
  const withdraw = io.onStop?.(() => folder.release());
  let checkpoint: OpenedCheckpoint | undefined;
  try {
    for (const n of notes) if (!args.quiet) io.stderr.write(`salvage: note: ${n}\n`);
    if (args.checkpoint !== undefined) {
      checkpoint = openCheckpoint(args.checkpoint, io.cwd, {
        version: VERSION, tz: args.tz, maxLineBytes: args['max-line-bytes'], revealCardKeys: args['reveal-card-keys'], formats: args.format,
        nginxFormat: plan.nginxFormat.directive ?? null, rules: plan.rules, vocabulary: plan.vocabulary, keys: plan.keys,
      });
    }
    return await reconstructInto(folder, plan, io, started, checkpoint?.store);
  } catch (e) {
    // A system error here is almost always the output side (the inputs are read as values):
    // name the folder when the error itself does not say which file.
    throw asWriteError(e, outDir);
  } finally {
    checkpoint?.release();
    folder.release();
    withdraw?.();
  }
}

async function reconstructInto(folder: OutputFolder, plan: Plan, io: CommandIO, started: number, checkpoint: OpenedCheckpoint['store'] | undefined): Promise<number> {
  const { args, es } = plan;
  const outDir = folder.dir;
  const laps = new Laps();
  const onTerminal = (io.stderr as NodeJS.WriteStream).isTTY === true;
  const showProgress = args.progress ?? (!args.quiet && onTerminal);
  const planned = await planFiles(plan, folder, io, (totals) => new ProgressMeter(io.stderr, totals, !showProgress ? 'off' : onTerminal ? 'terminal' : 'lines'));
  laps.lap('setup');
  const read = await readInputs(plan, planned, folder, io, checkpoint);
  laps.lap('read_and_rules');
  const correlated = correlate(plan, planned, read);
  laps.lap('correlate');
  const { report, checked, reportHtml } = await writeOutputs(plan, planned, read, correlated, folder, io, { earlierRunFiles: INDEXING_FILES, laps });
  const exitCode = report.exit_code;
  if (!args.quiet || exitCode !== EXIT_OK) io.stdout.write(formatSummary(report, Date.now() - started));
  if (!args.quiet && reportHtml) io.stdout.write(`  report 报告: ${join(outDir, 'report.html')}\n`);
  if (!args.quiet && checked.statement) io.stdout.write(`  statement 对账单: ${checked.statement.orders_in_statement} order(s) in the bill, ${checked.statement.statement_only.count} only there, ${checked.statement.not_in_statement.count} paid record(s) missing from it (report.json → statement)\n`);
  if (!args.quiet && checked.baseline) io.stdout.write(`  baseline 备份: ${checked.baseline.overlap} record(s) in the backup (${checked.baseline.inconsistent_count} disagree), ${checked.baseline.newer_than_baseline} new since it (report.json → baseline)\n`);
  if (es) {
    // The same step as `salvage index`, on the run just written: the files are whole whatever the node does.
    const { indexOutDir } = await import('./index-out-dir');
    const indexed = await indexOutDir(es, outDir, { prefix: args['es-prefix'], quiet: args.quiet }, io);
    if (indexed !== EXIT_OK) return EXIT_SINK_FAILED;
  }
  return exitCode;
}
