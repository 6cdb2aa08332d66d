import { loadVocabulary, type VocabularyData } from '../../../rules/engine/vocabulary';
import { statSync } from 'node:fs';
import { relative, resolve, isAbsolute } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT_OK, UsageError, type CommandIO, type SalvageCommand } from '../command';
import { COMMON_EXITS } from '../help';
import type { Evidence, LogEvent } from '../../model/types';
import { listPackFiles, loadPackFile, loadRules, RulePackError } from '../../../rules/engine/load-packs';
import { RuleEngine } from '../../../rules/engine/engine';
import type { SourcedRule } from '../../../rules/engine/pack';
import { loadKeyRing } from '../../config/keys';
import { ZoneClock } from '../../../parsers/time';
import { PARSERS } from '../../../parsers/registry';
import { checkScanArgs, eventTime, formatHeader, keyValues, lineSpan, NGINX_FORMAT_HELP, nginxFormatOption, showValue } from './inspect';
import { scanFile } from '../../pipeline/scan-file';
import { COMMAND_DEFAULTS } from '../../settings';

// `salvage rules test <pack-or-dir> <sample>`: try a rule pack on a sample log before a real run.
// The pack is loaded on top of the built-in packs exactly as `reconstruct --rules` does (a rule
// with a built-in id replaces it in place, new ids come after), the sample is parsed as the
// pipeline would, and every line is printed with what became of it: the rule that matched and
// what it extracted, or noise, or the reject reason. Rules from the given pack are marked ★;
// built-in matches are shown too, labelled, since a built-in rule that wins first is often the
// surprise. A broken pack is a usage error (exit 2) naming the file, the rule and the field.

export interface RulesTestArgs {
  pack: string;
  sample: string;
  tz: string;
  format?: string;
  keys?: string;
  lines?: number;
  'max-line-bytes': number;
  'nginx-format'?: string;
}

export interface PackOverlay {
  rules: SourcedRule[];
  /** Pack files given by the user, absolute. */
  files: string[];
  /** Ids of the rules that came from the user's files. */
  userIds: Set<string>;
  /** Ids of built-in rules the user's files replaced. */
  replaced: Set<string>;
}

/** Built-in packs, then the given pack file (or every pack in the given folder) over them. */
export function loadOverlay(packPath: string): PackOverlay {
  let files: string[];
  let isDir: boolean;
  try {
    isDir = statSync(packPath).isDirectory();
  } catch (e) {
    throw new RulePackError(`cannot read rule pack ${packPath}: ${(e as Error).message} / 无法读取规则包`);
  }
  if (isDir) {
    files = listPackFiles(packPath);
    if (files.length === 0) throw new RulePackError(`no rule packs (.yaml, .yml, .json) in ${packPath} / 该目录中没有规则包（.yaml、.yml、.json）`);
  } else {
    files = [packPath];
  }
  const rules = loadRules([]);
  const index = new Map<string, number>();
  rules.forEach((r, i) => index.set(r.rule.id, i));
  const userIds = new Set<string>();
  const replaced = new Set<string>();
  for (const file of files) {
    const pack = loadPackFile(file);
    for (const rule of pack.rules) {
      const sourced: SourcedRule = { rule, pack: pack.pack, file };
      const at = index.get(rule.id);
      if (at !== undefined) {
        if (!userIds.has(rule.id)) replaced.add(rule.id);
        rules[at] = sourced;
      } else {
        index.set(rule.id, rules.length);
        rules.push(sourced);
      }
      userIds.add(rule.id);
    }
  }
  return { rules, files, userIds, replaced };
}

function display(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** What the line was, in a few words: the request for access logs, level and message for app logs. */
export function eventGist(ev: LogEvent): string {
  const f = ev.fields;
  if (f.method !== undefined && f.path !== undefined) {
    return `${f.method} ${f.path}${f.query ? '?' + f.query : ''}${f.status !== undefined ? ' → ' + f.status : ''}`;
  }
  const parts: string[] = [];
  if (f.level) parts.push(f.level);
  if (f.tag && f.tag !== f.level) parts.push(`[${f.tag}]`);
  if (f.message !== undefined) parts.push(f.message);
  return parts.join(' ');
}

function gistLine(s: string): string {
  return showValue(s.length > 140 ? s.slice(0, 140) + '…' : s);
}

export const rulesTestCommand: SalvageCommand<RulesTestArgs> = {
  name: 'test <pack> <sample>',
  describe: 'try your rule pack on a sample log, line by line: which rule matched and what it extracted / 测试规则包',
  builder: (y: Argv) =>
    y
      .positional('pack', { type: 'string', describe: 'a rule pack file (.yaml, .yml, .json) or a folder of packs / 规则包文件或目录' })
      .positional('sample', { type: 'string', describe: 'a sample log file (plain or gzip) / 样例日志' })
      .option('tz', { type: 'string', default: COMMAND_DEFAULTS.tz, describe: 'zone of log times written without an offset / 无时区日志的时区' })
      .option('format', { type: 'string', describe: `force a format instead of detection (${PARSERS.map((p) => p.id).join(', ')}) / 强制指定格式` })
      .option('keys', { type: 'string', describe: 'keys.json with merchant keys, to check callback signatures / 商户密钥' })
      .option('lines', { alias: 'n', type: 'number', describe: 'stop after this many parsed entries (default: the whole sample) / 最多处理条数' })
      .option('max-line-bytes', { type: 'number', default: COMMAND_DEFAULTS.maxLineBytes, describe: 'longer lines are rejected / 超长行拒绝' })
      .option('nginx-format', { type: 'string', describe: NGINX_FORMAT_HELP }),
  help: {
    examples: [
      ['salvage rules test my-rules/ storage/logs/laravel.log', 'which rule read each line, and what it took / 每行匹配的规则与提取的字段'],
      ['salvage rules test my-rules/shop.yaml sample.log --keys keys.json -n 50', 'the first 50 entries, signatures checked / 前 50 条，验签'],
    ],
    exitCodes: [0, ...COMMON_EXITS],
  },
  async run(args, io) {
    return rulesTest(args, io);
  },
};

export async function rulesTest(args: RulesTestArgs, io: CommandIO): Promise<number> {
  if (args.lines !== undefined && (!Number.isInteger(args.lines) || args.lines < 1)) throw new UsageError('--lines must be a whole number ≥ 1 / --lines 必须是不小于 1 的整数');
  const nginxFormat = nginxFormatOption(args['nginx-format'], io.cwd);
  if (nginxFormat.note) io.stderr.write(`salvage: note: ${nginxFormat.note}\n`);
  const samplePath = checkScanArgs(args.sample, args.tz, args.format, args['max-line-bytes'], io.cwd, nginxFormat.parsers);
  let overlay: PackOverlay;
  try {
    overlay = loadOverlay(resolve(io.cwd, args.pack));
  } catch (e) {
    if (e instanceof RulePackError) throw new UsageError(`${e.name}: ${e.message}`);
    throw e;
  }
  const keys = args.keys ? loadKeyRing(resolve(io.cwd, args.keys)) : {};
  let vocabulary: VocabularyData;
  try {
    vocabulary = loadVocabulary();
  } catch (e) {
    if (e instanceof RulePackError) throw new UsageError(e.message);
    throw e;
  }
  const engine = new RuleEngine(overlay.rules, { keys, clock: new ZoneClock(args.tz), vocabulary });

  const out: string[] = [];
  const w = (s: string) => out.push(s);
  const userRules = overlay.rules.filter((r) => overlay.userIds.has(r.rule.id));
  w(`pack        ${overlay.files.map((f) => display(f, io.cwd)).join(', ')}: ${userRules.length} rule(s)` +
    (overlay.replaced.size > 0 ? `, replacing built-in ${[...overlay.replaced].join(', ')}` : ''));
  w(`rules       ${overlay.rules.length - userRules.length} built-in + ${userRules.length} from your pack; the first matching rule wins`);
  w(`sample      ${args.sample}`);

  let family = '';
  const counts = { yours: 0, builtin: 0, noise: 0, rejected: 0, blank: 0 };
  const matchedIds = new Map<string, number>();
  let entries = 0;
  const limit = args.lines;

  const showEvidence = (ev: LogEvent, e: Evidence) => {
    const yours = overlay.userIds.has(e.rule);
    if (yours) counts.yours++;
    else counts.builtin++;
    matchedIds.set(e.rule, (matchedIds.get(e.rule) ?? 0) + 1);
    const label = yours ? `★ ${e.rule} (your pack)` : `  ${e.rule} (built-in)`;
    const sig = e.signature !== undefined ? `, signature ${e.signature}` : '';
    w(`${lineSpan(ev).padEnd(12)}${label} → ${e.kind}, weight ${e.weight}${sig}`);
    w(`              ${eventTime(ev)}  ${gistLine(eventGist(ev))}`);
    out.push(...keyValues('extracted', { ...e.fields }, '              '));
  };

  const scan = await scanFile(samplePath, args.sample, {
    tz: args.tz,
    maxLineBytes: args['max-line-bytes'],
    ...(args.format !== undefined ? { format: args.format } : {}),
    parsers: nginxFormat.parsers,
    onStart(s) {
      family = s.parser?.family ?? '';
      out.push(...formatHeader(s));
      if (s.parser !== null) {
        const elsewhere = userRules.filter((r) => r.rule.match.family !== s.parser!.family);
        for (const r of elsewhere) {
          w(`note        your rule ${r.rule.id} is for family ${r.rule.match.family}; this file is ${s.parser.family}, so it cannot match here`);
        }
      }
      w('');
    },
    onItem(item) {
      if (item.t === 'blank') {
        counts.blank++;
        w(`${`line ${item.line}`.padEnd(12)}  blank`);
        return true;
      }
      if (item.t === 'reject') {
        counts.rejected++;
        w(`${`line ${item.line}`.padEnd(12)}✗ rejected: ${item.reason}`);
        w(`              ${gistLine(item.head)}`);
        return true;
      }
      entries++;
      const ev = item.ev;
      const e = family ? engine.apply(ev, family) : null;
      if (e === null) {
        counts.noise++;
        w(`${lineSpan(ev).padEnd(12)}  noise: ${gistLine(eventGist(ev))}`);
      } else {
        showEvidence(ev, e);
      }
      return limit === undefined || entries < limit;
    },
  });

  w('');
  w(
    `summary     ${scan.lines} lines: ${entries} entries, ${counts.yours} matched your pack, ${counts.builtin} matched built-in rules, ` +
      `${counts.noise} noise; ${counts.rejected} rejected, ${counts.blank} blank${scan.stopped ? ` (stopped after --lines ${limit})` : ''}`,
  );
  const unused = userRules.filter((r) => !matchedIds.has(r.rule.id)).map((r) => r.rule.id);
  w(`unmatched   ${unused.length === 0 ? 'every rule of your pack matched at least one line' : `your rules that matched nothing here: ${unused.join(', ')}`}`);
  if (scan.read?.damage) w(`damage      ${scan.read.damage}`);
  if (scan.readError) w(`read error  ${scan.readError} / 读取失败`);
  io.stdout.write(out.join('\n') + '\n');
  return EXIT_OK;
}
