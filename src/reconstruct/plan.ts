import { loadVocabulary, type VocabularyData } from '../../rules/engine/vocabulary';
import { createWriteStream, existsSync, realpathSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../model/usage-error';
import { discoverInputs, globToRegExp, type Discovered } from '../sources/discover';
import { findCopies, type Copy, type KnownDigests } from '../sources/find-copies';
import { STDIN_ARG } from '../sources/stdin-arg';
import { expandBundles } from '../sources/bundle/expand-bundles';
import { overlapProblems, realPathOf } from '../sources/protect-evidence';
import { checkCheckpointPlace } from './checkpoint';
import type { OutputFolder } from '../sinks/output-folder';
import { loadRules, RulePackError } from '../../rules/engine/load-packs';
import { loadKeyRing } from '../config/keys';
import type { EsTarget } from '../sinks/elasticsearch';
import { ZoneClock } from '../../parsers/time';
import { PARSERS, parserById } from '../../parsers/registry';
import type { ParserDefinition } from '../../parsers/parser';
import type { FileTask } from '../pipeline/run-files';
import { peekStarts } from '../pipeline/peek-start';
import { readBaseline, BaselineError, type Baseline } from '../sources/baseline/read-baseline';
import type { Progress, ProgressFor, StepIO } from './step-io';

// Step 1 of reconstruct: the plan. The arguments are checked and the inputs found, before anything
// is written (every mistake here is a usage error, exit 2, and --out is left as it was); then, with
// the output folder taken, the files to read are listed in the order they will be read.

/** The options of `salvage reconstruct`, as yargs hands them over. */
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
  /** --checkpoint: per-file progress, so a killed run can resume (src/reconstruct/checkpoint.ts). */
  checkpoint?: string;
}

/** A compiled --nginx-format. */
export interface NginxFormat {
  /** The chosen directive, as one line of nginx.conf (what worker threads compile). */
  directive?: string;
  /** The compiled format as a parser (empty without the option). */
  parsers: ParserDefinition[];
  /** Said on stderr: which directive was taken from a file that holds several. */
  note?: string;
}

/** Readers of options that other commands share; they live with the CLI and are handed in. */
export interface SharedOptions {
  /** Throws a UsageError when the --max-line-bytes value is out of bounds. */
  checkMaxLineBytes(n: number): void;
  nginxFormat(spec: string | undefined): NginxFormat;
  /** Throws a UsageError when the --es-prefix is not an index name prefix. */
  checkEsPrefix(prefix: string): void;
  esTarget(url: string, caFile: string | undefined): EsTarget;
}

/** Everything the run needs, checked, before --out is touched. */
export interface Plan {
  args: ReconstructArgs;
  /** The --out folder, absolute. */
  outDir: string;
  fromStdin: boolean;
  overrides: { re: RegExp; format: string }[];
  nginxFormat: NginxFormat;
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
  found: Discovered;
  sqlMin: number;
  reviewBelow: number;
}

/** The files to read, in the order they will be read, once --out is taken. */
export interface PlannedFiles {
  tasks: FileTask[];
  /** Byte-identical inputs, read once: copy → the file it copies. */
  copies: Map<string, Copy>;
  /** A path as the run's outputs name it (`-` for standard input). */
  shown: (path: string) => string;
  /** Made once the files are known: reading reports to it. */
  progress: Progress;
}

/** Outputs hold buyers' emails and contacts: owner-only. */
export const PRIVATE = 0o600;

const GLOB_CHARS = /[*?[]/;
const STDIN = '-';

/** Where standard input is copied to as it streams in: the run's private scratch. */
export function stdinCopyPath(folder: OutputFolder): string {
  return join(folder.scratch, 'stdin');
}

export function displayName(abs: string, cwd: string): string {
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

function checkOutIsFolder(outDir: string, given: string): void {
  try {
    if (!statSync(outDir).isDirectory()) throw new UsageError(`--out ${given} is a file, not a folder / --out 指向的是文件而不是目录`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
}

/** Checks the arguments and finds the inputs. Throws a UsageError for anything wrong; writes nothing. */
export async function planRun(args: ReconstructArgs, io: StepIO, shared: SharedOptions): Promise<Plan> {
  try {
    new ZoneClock(args.tz);
  } catch {
    throw new UsageError(`--tz ${args.tz} is not a time zone name (e.g. Asia/Shanghai, UTC) / 时区无效`);
  }
  if (!Number.isInteger(args.workers) || args.workers < 1) throw new UsageError('--workers must be a whole number ≥ 1 / --workers 必须是不小于 1 的整数');
  shared.checkMaxLineBytes(args['max-line-bytes']);
  const sqlMin = args['sql-min-confidence'];
  if (!(sqlMin >= 0 && sqlMin <= 1)) throw new UsageError('--sql-min-confidence must be between 0 and 1 / --sql-min-confidence 必须在 0 到 1 之间');
  const reviewBelow = args['review-below'];
  if (!(reviewBelow >= 0 && reviewBelow <= 1)) throw new UsageError('--review-below must be between 0 and 1 / --review-below 必须在 0 到 1 之间');
  const nginxFormat = shared.nginxFormat(args['nginx-format']);
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
  shared.checkEsPrefix(args['es-prefix']);
  const es = args.es !== undefined ? shared.esTarget(args.es, args['es-ca']) : undefined;
  if (es) {
    // Loaded only with --es: the client is large.
    const { unreachableReason } = await import('../sinks/elasticsearch');
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
  if (args.checkpoint !== undefined) checkCheckpointPlace(args.checkpoint, io.cwd, named, pathInputs.filter((i) => GLOB_CHARS.test(i)));

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

  return { args, outDir, fromStdin, overrides, nginxFormat, rules, vocabulary, ruleDirs, keys, es, statementFiles, baseline, files, digests, found, sqlMin, reviewBelow };
}

/**
 * With --out taken: byte-identical inputs set aside (each is read once), standard input copied
 * to the run's scratch, each file's format override found, and the files put in the order their
 * first timestamps say. `progressFor` makes the progress line once the files are known.
 */
export async function planFiles(plan: Plan, folder: OutputFolder, io: StepIO, progressFor: ProgressFor): Promise<PlannedFiles> {
  const { fromStdin, overrides, nginxFormat, args } = plan;
  // Byte-identical inputs are read once; the copies get a report of their own (write step).
  const copies = findCopies(plan.files, plan.digests);
  const files = plan.files.filter((f) => !copies.has(f));
  const stdinCopy = stdinCopyPath(folder);
  if (fromStdin) {
    await pipeline(io.stdin!, createWriteStream(stdinCopy, { mode: PRIVATE }));
    files.unshift(stdinCopy);
  }
  const shown = (f: string) => (fromStdin && f === stdinCopy ? STDIN : displayName(f, io.cwd));
  const diskBytes = files.reduce((a, f) => { try { return a + statSync(f).size; } catch { return a; } }, 0);
  const progress = progressFor({ files: files.length, diskBytes });
  const planned = files.map((f) => {
    const display = shown(f);
    const o = overrides.find((x) => x.re.test(display) || x.re.test(f) || x.re.test(display.split('/').pop()!));
    return { path: f, display, ...(o ? { format: o.format } : {}) };
  });
  // Files are read in time order, so the first timestamp of each is looked at first.
  if (files.length > 20) progress.stage(`looking at the first lines of ${files.length} files to read them in time order… / 正在查看各文件起始时间…`);
  const starts = await peekStarts(planned.map((t) => ({ path: t.path, opts: { tz: args.tz, parsers: nginxFormat.parsers, ...(t.format ? { format: t.format } : {}) } })));
  const tasks: FileTask[] = planned.map((t, i) => ({ ...t, startMs: starts[i] ?? null }));
  return { tasks, copies, shown, progress };
}
