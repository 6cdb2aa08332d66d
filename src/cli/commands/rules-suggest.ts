import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT_OK, EXIT_WRITE_FAILED, UsageError, type CommandIO, type SalvageCommand } from '../command';
import { COMMON_EXITS } from '../help';
import { loadRules, RulePackError } from '../../../rules/engine/load-packs';
import { RuleEngine } from '../../../rules/engine/engine';
import { ZoneClock } from '../../../parsers/time';
import { PARSERS } from '../../../parsers/registry';
import { checkScanArgs, NGINX_FORMAT_HELP, nginxFormatOption } from './inspect';
import { scanFile } from '../../pipeline/scan-file';
import { draftRules, renderPack, TemplateCollector } from '../../audit/suggest';
import { readAuditVocabulary, VocabularyError } from '../../audit/vocabulary';
import { COMMAND_DEFAULTS } from '../../settings';

// `salvage rules suggest <files…>`: drafts a rule pack for the application-log lines that no
// rule reads. The files are read as `reconstruct` would (built-in packs, plus --rules); the
// lines that stay noise are mined into message templates, and every template that carries an
// order number becomes a draft rule. Give the access log too: the order numbers it names are
// how a template's order-number position is told from other values, and the draft says which
// rules name orders the other logs know. The mentions audit of `reconstruct` names the files
// worth running this on.

export interface RulesSuggestArgs {
  files: string[];
  out?: string;
  rules: string[];
  tz: string;
  format?: string;
  'min-lines': number;
  'max-line-bytes': number;
  'nginx-format'?: string;
}

export const rulesSuggestCommand: SalvageCommand<RulesSuggestArgs> = {
  name: 'suggest <files..>',
  describe: 'draft a rule pack for log lines no rule reads (message templates → rules) / 为未识别的日志行生成规则包草稿',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, default: undefined, describe: 'log files: the application log to learn from, and the access log whose order numbers help / 日志文件' })
      .option('out', { type: 'string', describe: 'write the draft pack here (default: standard output) / 输出文件' })
      .option('rules', { type: 'string', array: true, default: [], describe: 'your own rule packs, as for reconstruct: lines they read are not drafted again / 自定义规则包' })
      .option('tz', { type: 'string', default: COMMAND_DEFAULTS.tz, describe: 'zone of log times written without an offset / 无时区日志的时区' })
      .option('format', { type: 'string', describe: `force a format for every file (${PARSERS.map((p) => p.id).join(', ')}) / 强制指定格式` })
      .option('min-lines', { type: 'number', default: 2, describe: 'draft a rule only for templates with at least this many lines / 模板最少行数' })
      .option('max-line-bytes', { type: 'number', default: COMMAND_DEFAULTS.maxLineBytes, describe: 'longer lines are skipped / 超长行跳过' })
      .option('nginx-format', { type: 'string', describe: NGINX_FORMAT_HELP })
      .example('salvage rules suggest storage/logs/laravel-2026-10-03.log access.log --out my-rules/suggested.yaml', 'draft rules for the unread laravel lines / 为未读取的行生成规则草稿')
      .example('salvage rules test my-rules/suggested.yaml storage/logs/laravel-2026-10-03.log', 'then check them line by line / 逐行检查')
      .example('salvage reconstruct logs/ --rules my-rules', 'and use them / 使用规则包'),
  help: { examples: [], exitCodes: [0, EXIT_WRITE_FAILED, ...COMMON_EXITS] },
  async run(args, io) {
    return rulesSuggest(args, io);
  },
};

export async function rulesSuggest(args: RulesSuggestArgs, io: CommandIO): Promise<number> {
  if (!Number.isInteger(args['min-lines']) || args['min-lines'] < 1) throw new UsageError('--min-lines must be a whole number ≥ 1 / --min-lines 须为正整数');
  const nginxFormat = nginxFormatOption(args['nginx-format'], io.cwd);
  const paths = args.files.map((f) => checkScanArgs(f, args.tz, args.format, args['max-line-bytes'], io.cwd, nginxFormat.parsers));
  let engine: RuleEngine;
  let vocab: ReturnType<typeof readAuditVocabulary>;
  try {
    engine = new RuleEngine(loadRules(args.rules.map((d) => resolve(io.cwd, d))), { keys: {}, clock: new ZoneClock(args.tz) });
    vocab = readAuditVocabulary();
  } catch (e) {
    if (e instanceof RulePackError || e instanceof VocabularyError) throw new UsageError(e.message);
    throw e;
  }
  const collector = new TemplateCollector(vocab);
  const known = new Set<string>();
  let unread = 0;
  for (let i = 0; i < paths.length; i++) {
    const display = args.files[i]!;
    let family = '';
    await scanFile(paths[i]!, display, {
      tz: args.tz,
      maxLineBytes: args['max-line-bytes'],
      ...(args.format !== undefined ? { format: args.format } : {}),
      parsers: nginxFormat.parsers,
      onStart(s) {
        family = s.parser?.family ?? '';
        if (s.parser === null) io.stderr.write(`salvage: ${display}: no parser recognises this file; skipped / 无法识别文件格式，已跳过\n`);
      },
      onItem(item) {
        if (item.t !== 'event' || family === '') return;
        const e = engine.apply(item.ev, family);
        if (e !== null) {
          if (e.fields.order_id) known.add(String(e.fields.order_id));
          if (e.fields.trade_no) known.add(String(e.fields.trade_no));
          return;
        }
        if (collector.add(item.ev, family, display)) unread++;
      },
    });
  }
  const mined = collector.templates();
  const drafts = draftRules(mined, vocab, known, args['min-lines']);
  const yaml = renderPack(drafts, { inputs: args.files, cardKeys: vocab.fields.card_key ?? [] });
  if (args.out !== undefined) writeFileSync(resolve(io.cwd, args.out), yaml);
  else io.stdout.write(yaml);
  io.stderr.write(
    `salvage: ${unread.toLocaleString("en-US")} unread entries (a multi-line entry counts once), ${mined.length} template(s); ${drafts.length} draft rule(s) for templates naming an order number` +
      `${args.out !== undefined ? ` written to ${args.out}` : ''}. Check each (# TODO), then: salvage rules test <pack> <sample> / ` +
      `${unread} 条日志未读取，${mined.length} 个模板，生成 ${drafts.length} 条规则草稿；请核对后用 salvage rules test 测试\n`,
  );
  if (collector.skipped > 0) io.stderr.write(`salvage: ${collector.skipped} line(s) of templates past the first ${mined.length} were not mined / 超出模板上限的行未挖掘\n`);
  return EXIT_OK;
}
