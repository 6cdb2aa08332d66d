import { loadVocabulary, type VocabularyData } from '../../../rules/engine/vocabulary';
import { closeSync, createWriteStream, existsSync, openSync, realpathSync, rmSync, statSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT_DAMAGED, EXIT_OK, STDIN_ARG, UsageError, type CommandIO, type SalvageCommand } from '../command';
import { discoverInputs, globToRegExp } from '../../sources/discover';
import type { FileReport } from '../../model/types';
import { findCopies, type KnownDigests } from '../../sources/find-copies';
import { expandBundles } from '../../sources/bundle/expand-bundles';
import { overlapProblems, realPathOf } from '../../sources/protect-evidence';
import { OutputFolder, asWriteError } from '../../sinks/output-folder';
import { loadRules, RulePackError } from '../../../rules/engine/load-packs';
import { loadKeyRing } from '../../config/keys';
import { esTarget, checkEsPrefix, ES_OPTIONS_HELP, INDEXING_FILES } from './es-index';
import type { EsTarget } from '../../sinks/elasticsearch';
import { ZoneClock, isoWithOffset } from '../../../parsers/time';
import { PARSERS, parserById } from '../../../parsers/registry';
import type { ParserDefinition } from '../../../parsers/parser';
import { NGINX_FORMAT_HELP, nginxFormatOption } from './inspect';
import { runFiles, type FileTask } from '../../pipeline/run-files';
import { stallSeconds } from '../../pipeline/stall-watch';
import { peekStarts } from '../../pipeline/peek-start';
import { Correlator } from '../../correlate/correlator';
import { scoreRecord } from '../../score/score';
import { LineWriter } from '../../sinks/line-writer';
import { csvHeader, csvRow } from '../../sinks/csv';
import { RestoreScriptWriter } from '../../sinks/sql/restore-writer';
import { ACG_FAKA_DEFAULT_PREFIX, PLATFORMS, type Platform } from '../../sinks/sql/orders-table';
import { platformOfRun } from '../../sinks/sql/platform-of-run';
import { checkAccounting, RecordStats, sumTotals, unjoinedStats, type RunReport } from '../../sinks/report';
import type { Transaction } from '../../model/types';
import { formatSummary } from '../summary';
import { checkMaxLineBytes } from '../max-line-bytes';
import { Checks } from '../../checks/run-checks';
import { DEFAULT_REVIEW_BELOW, reviewRow, reviewTask } from '../../sinks/review';
import { ReviewWriter } from '../../sinks/review-writer';
import { RejectSpool } from '../../sinks/reject-spool';
import { ProgressMeter } from '../progress';
import { readStatements } from '../../sources/statements/read-statement';
import { BaselineError, readBaseline, type Baseline } from '../../sources/baseline/read-baseline';
import { auditMentions, KnownTokens, withoutTally } from '../../audit/mentions-audit';
import { readAuditVocabulary } from '../../audit/vocabulary';
import { writeReportHtml } from '../../sinks/report-html/write-report';
import { pickLang } from '../../sinks/report-html/lang';

/** Exit code when a sink (Elasticsearch) could not take the records; the files were still written. */
export const EXIT_SINK_FAILED = 3;

export interface ReconstructArgs {
  inputs: string[];
  out: string;
  es?: string;
  'es-ca'?: string;
  'es-prefix': string;
  tz: string;
  keys?: string;
  rules: string[];
  format: string[];
  workers: number;
  'max-line-bytes': number;
  'sql-min-confidence': number;
  platform?: string;
  'table-prefix': string;
  'reveal-card-keys': boolean;
  'review-below': number;
  progress?: boolean;
  quiet: boolean;
  'nginx-format'?: string;
  statement: string[];
  baseline?: string;
}

const VERSION = '0.1.0';

function displayName(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

function parseFormatOverrides(specs: string[], extra: readonly ParserDefinition[] = []): { re: RegExp; format: string }[] {
  return specs.map((s) => {
    const eq = s.lastIndexOf('=');
    // A bare format name applies to every input (handy with `-`: one stream, one format).
    if (eq < 0 && parserById(s, extra)) return { re: /^/, format: s };
    if (eq <= 0) throw new UsageError(`--format expects <glob>=<format>, got "${s}" / --format 格式应为 <通配符>=<格式>`);
    const format = s.slice(eq + 1);
    if (!parserById(format, extra)) throw new UsageError(`--format ${s}: unknown format "${format}" (known: ${[...extra, ...PARSERS].map((p) => p.id).join(', ')}) / 未知格式`);
    return { re: globToRegExp(s.slice(0, eq)), format };
  });
}

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
      .option('tz', { type: 'string', default: 'Asia/Shanghai', describe: 'zone of log times written without an offset, and of times shown / 无时区日志及显示所用时区' })
      .option('keys', { type: 'string', describe: 'keys.json with merchant keys, to check callback signatures / 商户密钥，用于验签' })
      .option('rules', { type: 'string', array: true, default: [], describe: 'folder(s) of your own rule packs; they override built-in rules by id / 自定义规则包目录' })
      .option('format', { type: 'string', array: true, default: [], describe: 'force a format for matching files: <glob>=<format> / 强制指定格式' })
      .option('nginx-format', { type: 'string', describe: NGINX_FORMAT_HELP })
      .option('workers', { type: 'number', default: availableParallelism(), describe: 'worker threads (files are spread over them) / 工作线程数' })
      .option('max-line-bytes', { type: 'number', default: 1 << 20, describe: 'longer lines are rejected (and skipped without being held in memory); at most 256 MiB / 超长行拒绝（最大 256 MiB）' })
      .option('sql-min-confidence', { type: 'number', default: 0.8, describe: 'restore.sql only inserts records at or above this confidence / restore.sql 的最低置信度' })
      .option('platform', { type: 'string', choices: PLATFORMS, describe: "restore.sql's orders table: dujiaoka or acg-faka (default: the platform whose rules read the most lines) / 恢复脚本的目标平台" })
      .option('table-prefix', { type: 'string', default: ACG_FAKA_DEFAULT_PREFIX, describe: "acg-faka's table prefix, as typed at install (restore.sql) / acg-faka 表前缀" })
      .option('review-below', { type: 'number', default: DEFAULT_REVIEW_BELOW, describe: 'a payment claim below this confidence goes on review.csv, beside forgeries, conflicts and undelivered payments / 低于此置信度的付款记录列入待办清单' })
      .option('reveal-card-keys', { type: 'boolean', default: false, describe: 'keep card keys in outputs (they are masked by default) / 输出中保留卡密（默认脱敏）' })
      .option('statement', { type: 'string', array: true, default: [], describe: "a gateway's bill: Alipay 业务明细 CSV or WeChat downloadbill (repeatable) / 对账单" })
      .option('baseline', { type: 'string', describe: 'the last good backup of the orders table: CSV export or MySQL dump / 订单表最近备份' })
      .option('progress', { type: 'boolean', describe: 'print progress to stderr (default: when stderr is a terminal) / 显示进度' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only warnings and errors / 只打印警告和错误' }),
  help: {
    examples: [
      ['salvage reconstruct logs/ --keys keys.json --out out', 'every file under logs/, signatures checked / 读取 logs/ 下所有文件并验签'],
      ["salvage reconstruct 'nginx/*.gz' app/laravel.log --out out --tz UTC", 'globs and files; times without offset are UTC / 通配符与文件，无时区时间按 UTC'],
      ['zcat old.log.gz | salvage reconstruct - --format nginx-combined', 'from standard input / 从标准输入读取'],
      ['salvage reconstruct logs/ --statement bill.csv --baseline orders.sql', "with the gateway's bill and the last backup / 加上对账单与备份"],
      ['ELASTIC_API_KEY=… salvage reconstruct logs/ --es http://localhost:9200', 'also into Elasticsearch / 同时写入 Elasticsearch'],
    ],
    exitCodes: [0, 1, 2, 3, 4, 5, 6, 7, '129 130 143'],
    env: ['ELASTIC_API_KEY', 'ELASTIC_USERNAME', 'ELASTIC_PASSWORD', 'ELASTIC_CREDENTIALS_FILE', 'SALVAGE_STALL_SECONDS', 'LC_ALL', 'LC_MESSAGES', 'LANG'],
  },
  async run(args, io) {
    return reconstruct(args, io);
  },
};

export async function reconstruct(args: ReconstructArgs, io: CommandIO): Promise<number> {
  const started = Date.now();
  try {
    new ZoneClock(args.tz);
  } catch {
    throw new UsageError(`--tz ${args.tz} is not a time zone name (e.g. Asia/Shanghai, UTC) / 时区无效`);
  }
  if (!Number.isInteger(args.workers) || args.workers < 1) throw new UsageError('--workers must be a whole number ≥ 1 / --workers 必须是不小于 1 的整数');
  checkMaxLineBytes(args['max-line-bytes']);
  const sqlMin = args['sql-min-confidence'];
  if (!(sqlMin >= 0 && sqlMin <= 1)) throw new UsageError('--sql-min-confidence must be between 0 and 1 / --sql-min-confidence 必须在 0 到 1 之间');
  const reviewBelow = args['review-below'];
  if (!(reviewBelow >= 0 && reviewBelow <= 1)) throw new UsageError('--review-below must be between 0 and 1 / --review-below 必须在 0 到 1 之间');
  const nginxFormat = nginxFormatOption(args['nginx-format'], io.cwd);
  if (nginxFormat.note && !args.quiet) io.stderr.write(`salvage: note: ${nginxFormat.note}\n`);
  const overrides = parseFormatOverrides(args.format, nginxFormat.parsers);

  const ruleDirs = args.rules.map((d) => resolve(io.cwd, d));
  let rules: ReturnType<typeof loadRules>;
  let vocabulary: VocabularyData;
  try {
    rules = loadRules(ruleDirs);
    vocabulary = loadVocabulary();
  } catch (e) {
    if (e instanceof RulePackError) throw new UsageError(e.message);
    throw e;
  }
  const keys = args.keys ? loadKeyRing(resolve(io.cwd, args.keys)) : {};
  checkEsPrefix(args['es-prefix']);
  const es = args.es !== undefined ? esTarget(args.es, args['es-ca'], io) : undefined;
  if (es) {
    // Loaded only with --es: the client is large.
    const { unreachableReason } = await import('../../sinks/elasticsearch');
    const why = await unreachableReason(es);
    if (why !== null) throw new UsageError(`--es: ${why}`);
  }
  // The user's own records beside the logs: gateway bills, and the last backup of the orders table.
  const statementFiles = (args.statement ?? []).map((s) => {
    const path = resolve(io.cwd, s);
    try { statSync(path); } catch { throw new UsageError(`--statement ${s}: cannot open the file / 无法打开对账单文件`); }
    return { path, display: displayName(path, io.cwd) };
  });
  let baseline: Baseline | undefined;
  if (args.baseline) {
    const path = resolve(io.cwd, args.baseline);
    try {
      baseline = await readBaseline(path, displayName(path, io.cwd), args.tz);
    } catch (e) {
      if (e instanceof BaselineError) throw new UsageError(`--baseline: ${e.message}`);
      throw e;
    }
  }
  const ownInputs = new Set([...statementFiles.map((f) => f.path), ...(args.baseline ? [resolve(io.cwd, args.baseline)] : [])].map((p) => realpathSync(p)));

  const outDir = resolve(io.cwd, args.out);
  checkOutIsFolder(outDir, args.out);
  // `-` is standard input: copied as it streams in to the run's private scratch, then read,
  // hashed and accounted for like any file (so it can be read in time order with the others).
  const fromStdin = args.inputs.includes(STDIN_ARG);
  if (fromStdin && !io.stdin) throw new UsageError('`-` (standard input) is not available here / 无法读取标准输入');
  const pathInputs = args.inputs.filter((i) => i !== STDIN_ARG);
  const named = [
    ...pathInputs.filter((i) => !GLOB_CHARS.test(i)).map((i) => ({ given: i, path: resolve(io.cwd, i) })),
    ...[...ownInputs].map((p) => ({ given: displayName(p, io.cwd), path: p })),
  ].flatMap((i) => {
    try {
      return [{ ...i, isDir: statSync(i.path).isDirectory() }];
    } catch {
      return [];
    }
  });
  const overlap = overlapProblems(outDir, named);
  if (overlap.length) throw new UsageError(overlap.join('\n') + '\nChoose an --out outside the inputs. / 请选择与输入不重叠的 --out。');

  // A FIFO named on the command line is refused up front (exit 2), never opened: opening it would
  // block until a writer appears. Streams come in through `-` (stdin), which is hashed and accounted.
  for (const i of pathInputs) {
    let fifo = false;
    try { fifo = statSync(resolve(io.cwd, i)).isFIFO(); } catch { /* missing paths are reported below */ }
    if (fifo) throw new UsageError(`${i} is a FIFO (named pipe): salvage does not open it (it would block); pipe it in instead: cat ${i} | salvage reconstruct - / ${i} 是命名管道，不会打开；请改用标准输入：cat ${i} | salvage reconstruct -`);
  }
  const found = discoverInputs(pathInputs, io.cwd);
  // A glob that matches a FIFO names it as surely as its path would.
  if (found.namedFifos.length > 0) {
    const f = displayName(found.namedFifos[0]!, io.cwd);
    throw new UsageError(`${f} is a FIFO (named pipe), matched by a pattern given on the command line: salvage does not open it (it would block). Narrow the pattern, or pipe it in: cat ${f} | salvage reconstruct - / ${f} 是命名管道（由命令行中的模式匹配到），不会打开；请缩小模式，或改用标准输入`);
  }
  const outReal = realPathOf(outDir);
  // Never read our own outputs back as evidence (a glob may reach into --out).
  const plain = found.files.filter((f) => {
    let real = f;
    try { real = realpathSync(f); } catch { /* reported when read */ }
    const ours = real === outReal || real.startsWith(outReal + sep);
    if (ours) found.skipped.push({ path: f, reason: 'inside --out / 位于输出目录内', kind: 'inside-out' });
    return !ours && !ownInputs.has(real);
  });
  // Bundles (tar, tar.gz) are listed and stand for their log members, read in place.
  const { files, digests } = await expandBundles(plain, found, (f) => displayName(f, io.cwd));
  // Inputs of which none exists (missing paths, patterns that match nothing, salvage's own
  // output folders) are a usage error; an existing but empty folder is reported by the run.
  const absent = (i: string) => GLOB_CHARS.test(i) || !existsSync(resolve(io.cwd, i)) || found.skipped.some((k) => k.path === resolve(io.cwd, i));
  if (files.length === 0 && statementFiles.length === 0 && !fromStdin && pathInputs.every(absent)) {
    const why = [...found.problems.map((p) => p.message), ...found.skipped.map((k) => `${k.path}: ${k.reason}`)];
    throw new UsageError(`nothing to read: none of the inputs holds a file / 没有可读取的输入文件${why.length ? '\n  ' + why.join('\n  ') : ''}`);
  }
  for (const p of found.problems) io.stderr.write(`salvage: warning: ${p.message}\n`);
  for (const k of found.skipped) if (!args.quiet) io.stderr.write(`salvage: note: skipped ${displayName(k.path, io.cwd)}: ${k.reason}\n`);

  // From here on work is done: --out is taken for this run (or the run refuses), and whatever
  // happens, the run's private folder goes and the lock is let go.
  const { folder, notes } = OutputFolder.open(outDir);
  const withdraw = io.onStop?.(() => folder.release());
  try {
    for (const n of notes) if (!args.quiet) io.stderr.write(`salvage: note: ${n}\n`);
    return await reconstructInto(folder, { fromStdin, args, io, started, overrides, nginxFormat, rules, vocabulary, ruleDirs, keys, es, statementFiles, baseline, files, digests, found, sqlMin, reviewBelow });
  } catch (e) {
    // A system error here is almost always the output side (the inputs are read as values):
    // name the folder when the error itself does not say which file.
    throw asWriteError(e, outDir);
  } finally {
    folder.release();
    withdraw?.();
  }
}

interface Prepared {
  fromStdin: boolean;
  args: ReconstructArgs;
  io: CommandIO;
  started: number;
  overrides: { re: RegExp; format: string }[];
  nginxFormat: ReturnType<typeof nginxFormatOption>;
  rules: ReturnType<typeof loadRules>;
  vocabulary: VocabularyData;
  ruleDirs: string[];
  keys: ReturnType<typeof loadKeyRing>;
  es: EsTarget | undefined;
  statementFiles: { path: string; display: string }[];
  baseline: Baseline | undefined;
  files: string[];
  /** Size and sha256 of bundle members, for finding copies. */
  digests: KnownDigests;
  found: ReturnType<typeof discoverInputs>;
  sqlMin: number;
  reviewBelow: number;
}

/** Every file this run writes, moved into --out together at the end (report.json last). */
const OUTPUT_FILES = ['rejects.ndjson', 'transactions.ndjson', 'unjoined.ndjson', 'transactions.csv', 'restore.sql', 'review.csv', 'report.html', 'report.json'];
/** Outputs hold buyers' emails and contacts: owner-only. */
const PRIVATE = 0o600;

const GLOB_CHARS = /[*?[]/;
const STDIN = '-';

function checkOutIsFolder(outDir: string, given: string): void {
  try {
    if (!statSync(outDir).isDirectory()) throw new UsageError(`--out ${given} is a file, not a folder / --out 指向的是文件而不是目录`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
}

async function reconstructInto(folder: OutputFolder, p: Prepared): Promise<number> {
  const { fromStdin, args, io, started, overrides, nginxFormat, rules, vocabulary, ruleDirs, keys, es, statementFiles, baseline, found, sqlMin, reviewBelow } = p;
  const outDir = folder.dir;
  // Byte-identical inputs are read once; the copies get a report of their own below.
  const copies = findCopies(p.files, p.digests);
  const files = p.files.filter((f) => !copies.has(f));
  const stdinCopy = join(folder.scratch, 'stdin');
  if (fromStdin) {
    await pipeline(io.stdin!, createWriteStream(stdinCopy, { mode: PRIVATE }));
    files.unshift(stdinCopy);
  }
  const shown = (f: string) => (fromStdin && f === stdinCopy ? STDIN : displayName(f, io.cwd));
  const onTerminal = (io.stderr as NodeJS.WriteStream).isTTY === true;
  const showProgress = args.progress ?? (!args.quiet && onTerminal);
  const diskBytes = files.reduce((a, f) => { try { return a + statSync(f).size; } catch { return a; } }, 0);
  const meter = new ProgressMeter(io.stderr, { files: files.length, diskBytes }, !showProgress ? 'off' : onTerminal ? 'terminal' : 'lines');
  const planned = files.map((f) => {
    const display = shown(f);
    const o = overrides.find((x) => x.re.test(display) || x.re.test(f) || x.re.test(display.split('/').pop()!));
    return { path: f, display, ...(o ? { format: o.format } : {}) };
  });
  // Files are read in time order, so the first timestamp of each is looked at first.
  if (files.length > 20) meter.stage(`looking at the first lines of ${files.length} files to read them in time order… / 正在查看各文件起始时间…`);
  const starts = await peekStarts(planned.map((t) => ({ path: t.path, opts: { tz: args.tz, parsers: nginxFormat.parsers, ...(t.format ? { format: t.format } : {}) } })));
  const tasks: FileTask[] = planned.map((t, i) => ({ ...t, startMs: starts[i] ?? null }));

  // Noise lines naming orders the run recovers (src/audit/): card-key values are masked in samples.
  const cardKeys = readAuditVocabulary().fields.card_key ?? [];
  const known = new KnownTokens();

  // Rejects arrive interleaved as the readers take turns; they are written in input order.
  const rejectSpool = new RejectSpool(folder.scratch, [...statementFiles.map((f) => f.display), ...tasks.map((t) => t.display)]);
  const zoneOfRun = new ZoneClock(args.tz);
  const correlator = new Correlator(scoreRecord, { spillParent: folder.scratch });
  correlator.expectFiles(tasks.map((t) => ({ file: t.display, startMs: t.startMs ?? null })));

  const statements = await readStatements(statementFiles, { tz: args.tz, maxLineBytes: args['max-line-bytes'] }, {
    evidence: (items) => correlator.add(items),
    reject: (r) => rejectSpool.add([r]),
  });
  const phase: Record<string, number> = {};
  let mark = Date.now();
  const lap = (name: string) => {
    const now = Date.now();
    phase[name] = now - mark;
    mark = now;
  };
  lap('setup');
  const reports = await runFiles(
    tasks,
    { rules, vocabulary, keys, tz: args.tz, maxLineBytes: args['max-line-bytes'], revealCardKeys: args['reveal-card-keys'], ...(nginxFormat.directive ? { nginxFormat: nginxFormat.directive } : {}) },
    args.workers,
    {
      evidence: (batch, file) => {
        for (const links of batch.links) if (links !== null) for (const l of links) if (l.startsWith('card:')) known.noteCardHash(l.slice(5));
        correlator.addBatch(batch, file);
      },
      reject: (items) => rejectSpool.add(items),
      progress: (_bytes, lines, file, disk) => {
        const w = correlator.watermark;
        meter.readUpTo(Number.isFinite(w) ? isoWithOffset(w, zoneOfRun.offsetAt(w)).slice(0, 16).replace('T', ' ') : null);
        meter.tick(file, disk, lines);
      },
      reached: (file, ms) => correlator.reached(file, ms),
      holdBack: (running) => correlator.holdBack(running),
      fileDone: (r) => {
        meter.fileDone(r);
        correlator.fileDone(r.file);
        rejectSpool.fileDone(r.file);
      },
    },
    stallSeconds(io.env),
  );
  meter.stop();
  const rejects = new LineWriter(folder.staged('rejects.ndjson'), PRIVATE);
  await rejectSpool.writeTo(rejects);
  await rejects.close();

  const checks = new Checks({ statements: statements.spans, ...(baseline ? { baseline } : {}) });
  lap('read_and_rules');
  known.addCandidates(reports);
  meter.stage('joining evidence into orders and running the checks… / 正在关联证据并核查…');
  const correlation = correlator.finish(checks.visit);
  lap('correlate');
  const { unjoined, fuzzyJoins, duplicateCopies } = correlation;
  const zone = new ZoneClock(args.tz);
  const checked = checks.finish(reports, correlation, (ms) => isoWithOffset(ms, zone.offsetAt(ms)));
  const spool = correlation.records;
  const stats = new RecordStats();

  meter.stage(`writing ${correlation.records.count.toLocaleString('en-US')} records… / 正在写出记录…`);
  const nd = new LineWriter(folder.staged('transactions.ndjson'), PRIVATE);
  const csv = new LineWriter(folder.staged('transactions.csv'), PRIVATE);
  // The platform decides the table and its columns: said, or read off which rules found evidence.
  const platform: Platform = (args.platform as Platform | undefined) ?? platformOfRun(reports) ?? 'dujiaoka';
  const sql = new RestoreScriptWriter(folder.staged('restore.sql'), {
    platform, zone, prefix: args['table-prefix'], minConfidence: sqlMin, revealCardKeys: args['reveal-card-keys'],
    generatedAtMs: null, source: "this run's records (salvage reconstruct)",
  });
  // Rows are grouped by priority so the worklist starts where money is at stake.
  const review = new ReviewWriter(folder.staged('review.csv'));
  await csv.write(csvHeader());
  for (const [raw, text] of spool.sortedWithText()) {
    const t = checked.flag(raw);
    stats.add(t);
    known.noteRecord(t.order_id, t.trade_no);
    // A record the checks left as it was is written as the text it was spooled as.
    await nd.write(t === raw ? text : JSON.stringify(t));
    await csv.write(csvRow(t));
    await sql.add(t);
    const item = reviewTask(t, reviewBelow);
    if (item !== null) await review.add(item, reviewRow(t, reviewBelow, item));
  }
  // Every evidence item that joined no order, with why (report.json keeps counts and a sample):
  // what `salvage index` turns into unjoined evidence documents.
  const unjoinedOut = new LineWriter(folder.staged('unjoined.ndjson'), PRIVATE);
  for (const u of unjoined) await unjoinedOut.write(JSON.stringify(u));
  const [, , sqlSummary] = await Promise.all([nd.close(), csv.close(), sql.close(), review.close(), unjoinedOut.close()]);

  spool.dispose();
  known.resolveCardKeys();
  const mentionsAudit = auditMentions(reports, known, cardKeys);
  const attention = mentionsAudit.some((a) => a.needs_attention);
  const inputs = [...statements.reports, ...reports.map(withoutTally)];
  for (const [f, c] of copies) {
    const first = inputs.find((r) => r.file === shown(c.of));
    if (first) inputs.push(copyReport(first, shown(f)));
  }
  const accountingProblems = checkAccounting(inputs, rejects.lines);
  const damaged = found.problems.length > 0 || inputs.some((r) => r.damaged);
  // Exit 1 is "finished, needs attention": damaged input, or logs naming recovered orders in
  // lines no rule read (the mentions audit past its threshold).
  const exitCode = damaged || accountingProblems.length > 0 || attention ? EXIT_DAMAGED : EXIT_OK;
  const report: RunReport = {
    tool: { name: 'salvage', version: VERSION },
    settings: { tz: args.tz, rule_dirs: ruleDirs, keys_given: args.keys !== undefined, max_line_bytes: args['max-line-bytes'] },
    inputs,
    input_problems: found.problems,
    ...(found.skipped.length ? { input_skipped: found.skipped } : {}),
    totals: sumTotals(inputs),
    accounting: { ok: accountingProblems.length === 0, problems: accountingProblems },
    records: stats.result(),
    unjoined: unjoinedStats(unjoined),
    mentions_audit: mentionsAudit,
    fuzzy_joins: fuzzyJoins,
    duplicate_evidence_copies: duplicateCopies,
    checks: checked.report,
    outputs: {
      'transactions.ndjson': nd.lines,
      'transactions.csv': csv.lines - 1,
      'restore.sql': sqlSummary,
      'rejects.ndjson': rejects.lines,
      'unjoined.ndjson': unjoinedOut.lines,
      'review.csv': { rows: review.rows, ...review.counts, by_task: review.byTask, below: reviewBelow, contains_pii: true, mode: '0600' },
      mode: '0600',
      card_keys: args['reveal-card-keys'] ? 'revealed' : 'masked',
    },
    exit_code: exitCode,
    run: { generated_at: new Date().toISOString(), out_dir: outDir, workers: args.workers, correlation_state: correlation.state },
  };
  const extra = { ...(checked.statement ? { statement: checked.statement } : {}), ...(checked.baseline ? { baseline: checked.baseline } : {}) };
  lap('write_outputs');
  const { run, ...rest } = report;
  // `run` last: what may differ between runs of the same inputs is kept apart, at the end.
  writeNew(folder.staged('report.json'), JSON.stringify({ ...rest, ...extra, run: { ...run, timings_ms: phase } }, null, 2) + '\n');
  // An earlier run's indexing record would be taken for this run's.
  for (const f of INDEXING_FILES) rmSync(join(outDir, f), { force: true });
  // report.html is read back from the staged outputs, so it shows exactly what is committed.
  let outputs = OUTPUT_FILES;
  try {
    await writeReportHtml(folder.staging, folder.staged('report.html'), { lang: pickLang((args as { lang?: string }).lang, io.env), outDir });
  } catch (e) {
    const w = asWriteError(e, folder.staged('report.html'));
    if (w !== e) throw w;
    // A page that cannot be drawn must not cost the run its records: said, and left out.
    io.stderr.write(`salvage: warning: report.html was not written (${(e as Error).message}); rebuild it with \`salvage report ${args.out}\` / 未能生成 report.html\n`);
    outputs = OUTPUT_FILES.filter((n) => n !== 'report.html');
  }
  folder.commit(outputs);
  if (!args.quiet || exitCode !== EXIT_OK) io.stdout.write(formatSummary(report, Date.now() - started));
  if (!args.quiet && outputs.includes('report.html')) io.stdout.write(`  report 报告: ${join(outDir, 'report.html')}\n`);
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

function writeNew(path: string, text: string): void {
  const fd = openSync(path, 'wx', PRIVATE);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** A copy's report: same bytes and lines as the file it copies, none of them read again. */
function copyReport(first: FileReport, file: string): FileReport {
  return {
    file, bytes: first.bytes, sha256: first.sha256, format: first.format, detect_confidence: first.detect_confidence, compressed: first.compressed,
    lines_total: first.lines_total, copy_of: first.file, copy_lines: first.lines_total,
    parsed: 0, rejected: 0, evidence_lines: 0, noise: 0, evidence_items: 0, collapsed_repeats: 0,
    damaged: false, errors: [], first_ts: first.first_ts, last_ts: first.last_ts, per_hour: {}, by_rule: {},
  };
}
