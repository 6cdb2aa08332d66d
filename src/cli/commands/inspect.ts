import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT_DAMAGED, EXIT_OK, UsageError, type CommandIO, type SalvageCommand } from '../command';
import { checkMaxLineBytes } from '../max-line-bytes';
import { COMMON_EXITS } from '../help';
import type { LogEvent } from '../../model/types';
import { scanFile, type ScanStart } from '../../pipeline/scan-file';
import { MIN_DETECT_CONFIDENCE, parserById, PARSERS } from '../../../parsers/registry';
import type { ParserDefinition } from '../../../parsers/parser';
import { ZoneClock, isoWithOffset } from '../../../parsers/time';
import { paramsOf } from '../../../rules/engine/engine';
import { customNginxParsers, directiveText, LogFormatError, pickLogFormat } from '../../../parsers/nginx/log-format';
import { COMMAND_DEFAULTS } from '../../settings';

// `salvage inspect <file>`: what salvage makes of one file, without running the pipeline. It
// shows the sniffing vote, whether the file is gzip, and the first parsed entries with their
// fields and params (and the rejects among them, with reasons). It streams: reading stops as
// soon as enough has been shown, so it is as quick on a 10 GB log as on a small one.
//
// The reading is the pipeline's own (src/pipeline/scan-file.ts), shared with `rules test` and
// `rules suggest`.

export const NGINX_FORMAT_HELP =
  "your nginx log_format: the directive (log_format name [escape=…] '…';), @nginx.conf (its first log_format) or name=@nginx.conf; used as format nginx-custom, ahead of the built-ins in detection / 自定义 nginx 日志格式";

export interface NginxFormatOption {
  /** The chosen directive, as one line of nginx.conf (what worker threads compile). */
  directive?: string;
  name?: string;
  /** The compiled format as a parser (empty without the option). */
  parsers: ParserDefinition[];
  /** Said on stderr: which directive was taken from a file that holds several. */
  note?: string;
}

/** --nginx-format: a log_format directive, `@file` (the first log_format in it) or `name=@file`.
 *  Anything malformed is a usage error naming the problem. */
export function nginxFormatOption(spec: unknown, cwd: string): NginxFormatOption {
  if (spec === undefined) return { parsers: [] };
  if (Array.isArray(spec)) throw new UsageError('--nginx-format can be given only once / --nginx-format 只能给出一次');
  if (typeof spec !== 'string' || spec.trim() === '') throw new UsageError("--nginx-format needs a log_format directive, @file or name=@file");
  const fromFile = /^(?:([A-Za-z0-9_.-]+)=)?@([^]+)$/.exec(spec);
  let text = spec;
  if (fromFile) {
    try {
      text = readFileSync(resolve(cwd, fromFile[2]!), 'utf8');
    } catch (e) {
      throw new UsageError(`--nginx-format: cannot read ${fromFile[2]}: ${(e as Error).message} / 无法读取该文件`);
    }
  }
  try {
    const { directive, names } = pickLogFormat(text, fromFile?.[1]);
    const d = directiveText(directive);
    return {
      directive: d,
      name: directive.name,
      parsers: customNginxParsers(d),
      ...(fromFile && !fromFile[1] && names.length > 1
        ? { note: `--nginx-format: using log_format ${directive.name}, the first of ${names.join(', ')} in ${fromFile[2]}; pick another with --nginx-format NAME=@${fromFile[2]}` }
        : {}),
    };
  } catch (e) {
    if (e instanceof LogFormatError) throw new UsageError(`--nginx-format${fromFile ? ` ${spec}` : ''}: ${e.message}`);
    throw e;
  }
}

export interface InspectArgs {
  file: string;
  tz: string;
  lines: number;
  format?: string;
  'nginx-format'?: string;
  'max-line-bytes': number;
}

const MAX_VALUE_CHARS = 160;

/** A value on one line: control characters escaped, long values cut with a note of their length. */
export function showValue(v: string): string {
  if (v === '') return '""';
  let s = '';
  for (let i = 0; i < v.length && s.length < MAX_VALUE_CHARS; i++) {
    const c = v.charCodeAt(i);
    if (c === 10) s += '\\n';
    else if (c === 13) s += '\\r';
    else if (c === 9) s += '\\t';
    else if (c < 32 || c === 127) s += '\\x' + c.toString(16).padStart(2, '0');
    else s += v[i];
  }
  if (s.length >= MAX_VALUE_CHARS && v.length > MAX_VALUE_CHARS) s += ` … (${v.length} chars)`;
  return s;
}

/** `key  value` lines under a heading, keys padded to one column. */
export function keyValues(heading: string, kv: Record<string, string | number | undefined>, indent = '    '): string[] {
  const keys = Object.keys(kv).filter((k) => kv[k] !== undefined);
  if (keys.length === 0) return [];
  const width = Math.min(24, Math.max(...keys.map((k) => k.length)));
  const pad = ' '.repeat(heading.length);
  return keys.map((k, i) => `${indent}${i === 0 ? heading : pad}  ${k.padEnd(width)}  ${showValue(String(kv[k]))}`);
}

export function lineSpan(ev: { line: number; lineEnd: number }): string {
  return ev.lineEnd > ev.line ? `lines ${ev.line}-${ev.lineEnd}` : `line ${ev.line}`;
}

export function eventTime(ev: LogEvent): string {
  return Number.isNaN(ev.tsMs) ? '(no time)' : isoWithOffset(ev.tsMs, ev.tzOffsetMin);
}

/** Checks shared by inspect and rules test. */
export function checkScanArgs(file: string, tz: string, format: string | undefined, maxLineBytes: number, cwd: string, extra: readonly ParserDefinition[] = []): string {
  if (format !== undefined && format.includes('=')) {
    throw new UsageError(`--format takes a parser id here (one file): drop the "<glob>=" part of "${format}" / 此处 --format 只接受格式名`);
  }
  try {
    new ZoneClock(tz);
  } catch {
    throw new UsageError(`--tz ${tz} is not a time zone name (e.g. Asia/Shanghai, UTC) / 时区无效`);
  }
  if (format !== undefined && !parserById(format, extra)) {
    throw new UsageError(`--format: unknown format "${format}" (known: ${[...extra, ...PARSERS].map((p) => p.id).join(', ')}) / 未知格式`);
  }
  checkMaxLineBytes(maxLineBytes);
  const path = resolve(cwd, file);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch (e) {
    throw new UsageError(`cannot open ${file}: ${(e as Error).message} / 无法打开文件`);
  }
  if (!isFile) throw new UsageError(`${file} is not a file / 不是文件`);
  return path;
}

export function formatVotes(start: ScanStart): string[] {
  const out: string[] = [];
  const width = Math.max(...start.detection.votes.map((v) => v.id.length));
  const chosen = start.parser?.id;
  start.detection.votes.forEach((v, i) => {
    const mark = v.id === chosen ? (start.forced !== undefined ? '  ← forced' : '  ← chosen') : '';
    out.push(`${i === 0 ? 'votes     ' : '          '}  ${v.id.padEnd(width)}  ${v.confidence.toFixed(2)}${mark}`);
  });
  return out;
}

export function formatHeader(start: ScanStart): string[] {
  const out: string[] = [];
  if (start.parser === null) {
    out.push(`format      unknown: no parser reaches ${MIN_DETECT_CONFIDENCE.toFixed(2)} on the ${start.sampleLines} sample lines (use --format <id>)`);
  } else if (start.forced !== undefined) {
    out.push(`format      ${start.parser.id} (family ${start.parser.family}), forced with --format ${start.forced}`);
  } else {
    out.push(`format      ${start.parser.id} (family ${start.parser.family}), detected with confidence ${start.detection.confidence.toFixed(2)} from ${start.sampleLines} sample lines`);
  }
  out.push(...formatVotes(start));
  return out;
}

export const inspectCommand: SalvageCommand<InspectArgs> = {
  name: 'inspect <file>',
  describe: 'Show how salvage reads one log file: detected format, votes, the first parsed entries / 查看文件解析结果',
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', describe: 'a log file (plain or gzip) / 日志文件' })
      .option('tz', { type: 'string', default: COMMAND_DEFAULTS.tz, describe: 'zone of log times written without an offset / 无时区日志的时区' })
      .option('lines', { alias: 'n', type: 'number', default: 10, describe: 'how many parsed entries to show / 显示条数' })
      .option('format', { type: 'string', describe: `force a format instead of detection (${PARSERS.map((p) => p.id).join(', ')}) / 强制指定格式` })
      .option('nginx-format', { type: 'string', describe: NGINX_FORMAT_HELP })
      .option('max-line-bytes', { type: 'number', default: COMMAND_DEFAULTS.maxLineBytes, describe: 'longer lines are rejected / 超长行拒绝' }),
  help: {
    examples: [
      ['salvage inspect /www/wwwlogs/shop.log', 'detected format, every parser\'s vote, the first entries / 检测到的格式、各解析器投票与前几条'],
      ["salvage inspect access.log.1.gz --nginx-format @/etc/nginx/nginx.conf -n 3", 'with your own log_format / 使用自定义 log_format'],
    ],
    exitCodes: [0, [1, 'the file is damaged (read error, truncated gzip)', '文件受损'], ...COMMON_EXITS],
  },
  async run(args, io) {
    return inspect(args, io);
  },
};

export async function inspect(args: InspectArgs, io: CommandIO): Promise<number> {
  const limit = args.lines;
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--lines must be a whole number ≥ 1 / --lines 必须是不小于 1 的整数');
  const nginxFormat = nginxFormatOption(args['nginx-format'], io.cwd);
  if (nginxFormat.note) io.stderr.write(`salvage: note: ${nginxFormat.note}\n`);
  const path = checkScanArgs(args.file, args.tz, args.format, args['max-line-bytes'], io.cwd, nginxFormat.parsers);
  const out: string[] = [];
  const w = (s: string) => out.push(s);
  let events = 0;
  let rejects = 0;
  let blanks = 0;
  let header: string[] = [];

  const scan = await scanFile(path, args.file, {
    tz: args.tz,
    maxLineBytes: args['max-line-bytes'],
    ...(args.format !== undefined ? { format: args.format } : {}),
    parsers: nginxFormat.parsers,
    onStart(s) {
      header = formatHeader(s);
    },
    onItem(item) {
      if (item.t === 'blank') {
        blanks++;
        return true;
      }
      if (item.t === 'reject') {
        rejects++;
        w('');
        w(`✗ line ${item.line}  rejected: ${item.reason}`);
        w(`    text  ${showValue(item.head)}`);
        return rejects < limit;
      }
      events++;
      const ev = item.ev;
      w('');
      w(`#${events}  ${lineSpan(ev)}  ${eventTime(ev)}  (offset ${ev.offset})`);
      const { body, ...rest } = ev.fields;
      const shown: Record<string, string> = rest;
      if (body !== undefined) shown.body = `(${body.split('\n').length} continuation line(s)) ${body}`;
      out.push(...keyValues('fields', shown));
      // The parameters rules see: the parser's own, else the decoded query string and body.
      const params = paramsOf(ev);
      if (Object.keys(params).length > 0) out.push(...keyValues('params', params));
      return events < limit;
    },
  });

  const head: string[] = [];
  head.push(`file        ${args.file}`);
  if (scan.read) head.push(`gzip        ${scan.read.compressed ? 'yes' : 'no'}`);
  head.push(...header);
  if (nginxFormat.name !== undefined) head.push(`log_format  ${nginxFormat.name} (--nginx-format, as ${nginxFormat.parsers[0]!.id})`);
  head.push(`time zone   ${args.tz} (for times written without an offset)`);
  const tail: string[] = [''];
  if (scan.stopped) {
    tail.push(
      events >= limit
        ? `stopped after ${events} entries (--lines ${limit}); ${scan.lines} lines read, ${rejects} rejected, ${blanks} blank`
        : `stopped after ${rejects} rejected lines; ${scan.lines} lines read, ${events} entries parsed`,
    );
  } else {
    tail.push(`end of file: ${scan.lines} lines, ${events} entries, ${rejects} rejected, ${blanks} blank`);
    if (scan.unterminatedLastLine) tail.push('the last line has no newline: it may have been cut short / 最后一行没有换行符，可能被截断');
  }
  if (scan.read?.damage) tail.push(`damage: ${scan.read.damage}`);
  if (scan.readError) tail.push(`read error: ${scan.readError} / 读取失败`);
  if (events === 0 && rejects === 0 && !scan.readError) tail.push('(no entries)');
  io.stdout.write([...head, ...out, ...tail].join('\n') + '\n');
  return scan.readError ? EXIT_DAMAGED : EXIT_OK;
}
