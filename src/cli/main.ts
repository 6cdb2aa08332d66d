import yargs from 'yargs';
import { EXIT_UNFINISHED, EXIT_USAGE, EXIT_WRITE_FAILED, STDIN_ARG, UsageError, type CommandIO, type SalvageCommand } from './command';
import { commands } from './commands';
import { OutputLockedError, OutputWriteError, asWriteError } from '../sinks/output-folder';
import { reportInternalError } from './internal-error';
import { WorkerStalledError } from '../pipeline/stall-watch';
import { TOP_HELP, withHelp } from './help';
import { packageRoot } from '../util/package-root';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** yargs' own messages, each in English with Chinese beside it (its built-in locales are one language at a time). */
export const YARGS_STRINGS: Record<string, string | { one: string; other: string }> = {
  'Missing required argument: %s': { one: 'Missing required argument / 缺少必需参数: %s', other: 'Missing required arguments / 缺少必需参数: %s' },
  'Unknown argument: %s': { one: 'Unknown argument / 未知参数: %s', other: 'Unknown arguments / 未知参数: %s' },
  'Unknown command: %s': { one: 'Unknown command / 未知命令: %s', other: 'Unknown commands / 未知命令: %s' },
  'Did you mean %s?': 'Did you mean / 您是不是想输入: %s?',
  'Not enough arguments following: %s': 'Not enough arguments following / 以下选项缺少参数值: %s',
  'Invalid values:': 'Invalid values / 无效的值:',
  'Argument: %s, Given: %s, Choices: %s': 'Argument / 参数: %s, Given / 给定: %s, Choices / 可选: %s',
  'Not enough non-option arguments: got %s, need at least %s': { one: 'Not enough non-option arguments / 位置参数不足: got %s, need at least %s', other: 'Not enough non-option arguments / 位置参数不足: got %s, need at least %s' },
  'Show help': 'Show help / 显示帮助',
  'Show version number': 'Show version number / 显示版本号',
  'Commands:': 'Commands / 命令:',
  'Options:': 'Options / 选项:',
  'Examples:': 'Examples / 示例:',
  'Positionals:': 'Positionals / 位置参数:',
  required: 'required 必需',
  'default:': 'default 默认:',
  'choices:': 'choices 可选:',
  'aliases:': 'aliases 别名:',
};

function salvageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Parse argv, run one command, return its exit code. Never exits the process itself. */
export async function main(argv: string[], io: CommandIO = defaultIO()): Promise<number> {
  let selected: { cmd: SalvageCommand; args: Record<string, unknown> } | undefined;
  let usageProblem: string | undefined;
  const y = yargs(argv.map((a) => (a === '-' ? STDIN_ARG : a)))
    .scriptName('salvage')
    .usage('salvage <command> [options]\n\nRebuild lost shop transactions from surviving logs.\n从残存日志中重建丢失的发卡网交易记录。')
    .strict()
    .demandCommand(1, 'Name a command (see --help). 请指定一个命令。')
    .updateStrings(YARGS_STRINGS as unknown as Record<string, string>)
    .help()
    .alias('h', 'help')
    .version(salvageVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      usageProblem = msg;
    });
  for (const cmd of commands) {
    if ('subcommands' in cmd) {
      const subs = cmd.subcommands;
      y.command(cmd.name, cmd.describe, (g) => {
        for (const sub of subs) {
          g.command(sub.name, sub.describe, (gg) => withHelp(sub.builder(gg), sub.help), (args) => {
            selected = { cmd: sub, args: args as Record<string, unknown> };
          });
        }
        withHelp(g, cmd.help);
        return g.demandCommand(1, `Name an action: ${subs.map((s) => s.name.split(' ')[0]).join(', ')} (see --help). 请指定操作。`);
      });
      continue;
    }
    y.command(cmd.name, cmd.describe, (g) => withHelp(cmd.builder(g), cmd.help), (args) => {
      selected = { cmd, args: args as Record<string, unknown> };
    });
  }
  withHelp(y, TOP_HELP);
  try {
    await y.parseAsync();
  } catch (e) {
    io.stderr.write(`salvage: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (usageProblem !== undefined) {
    const hint = suggestCommand(argv[0], commands.map((c) => c.name.split(' ')[0]));
    if (hint) usageProblem += `\nDid you mean ${hint}? / 您是不是想输入 ${hint}？`;
    io.stderr.write(`salvage: ${usageProblem}\nRun \`salvage --help\` for usage. 运行 \`salvage --help\` 查看用法。\n`);
    return EXIT_USAGE;
  }
  if (!selected) return 0; // --help was printed
  try {
    return await selected.cmd.run(selected.args, io);
  } catch (e) {
    return explainFailure(e, io);
  }
}

/** Every way a command can fail, as one line on stderr and its exit code: never a bare stack trace. */
export function explainFailure(e: unknown, io: Pick<CommandIO, 'stderr'>): number {
  if (e instanceof UsageError || e instanceof OutputLockedError) {
    io.stderr.write(`salvage: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof WorkerStalledError) {
    io.stderr.write(`salvage: ${e.message}\n`);
    return EXIT_UNFINISHED;
  }
  const w = asWriteError(e);
  if (w instanceof OutputWriteError) {
    io.stderr.write(`salvage: ${w.message}\nThe inputs were not changed; the previous outputs, if any, are kept. / 输入未被改动，之前的输出（如有）已保留。\n`);
    return EXIT_WRITE_FAILED;
  }
  return reportInternalError(e, io);
}

function defaultIO(): CommandIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** The known command closest to a mistyped first word (edit distance ≤ 2), if the word is not a command. */
export function suggestCommand(word: string | undefined, names: string[]): string | undefined {
  if (!word || word.startsWith('-') || names.includes(word)) return undefined;
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = editDistance(word, name);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
