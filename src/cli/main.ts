import yargs from 'yargs';
import { EXIT_USAGE, EXIT_WRITE_FAILED, STDIN_ARG, UsageError, type CommandIO, type SalvageCommand } from './command';
import { commands } from './commands';
import { OutputLockedError, OutputWriteError, asWriteError } from '../sinks/output-folder';
import { reportInternalError } from './internal-error';

/** Parse argv, run one command, return its exit code. Never exits the process itself. */
export async function main(argv: string[], io: CommandIO = defaultIO()): Promise<number> {
  let selected: { cmd: SalvageCommand; args: Record<string, unknown> } | undefined;
  let usageProblem: string | undefined;
  const y = yargs(argv.map((a) => (a === '-' ? STDIN_ARG : a)))
    .scriptName('salvage')
    .usage('salvage <command> [options]\n\nRebuild lost shop transactions from surviving logs.\n从残存日志中重建丢失的发卡网交易记录。')
    .strict()
    .demandCommand(1, 'Name a command (see --help). 请指定一个命令。')
    .help()
    .version(false)
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
          g.command(sub.name, sub.describe, sub.builder, (args) => {
            selected = { cmd: sub, args: args as Record<string, unknown> };
          });
        }
        return g.demandCommand(1, `Name an action: ${subs.map((s) => s.name.split(' ')[0]).join(', ')} (see --help). 请指定操作。`);
      });
      continue;
    }
    y.command(cmd.name, cmd.describe, cmd.builder, (args) => {
      selected = { cmd, args: args as Record<string, unknown> };
    });
  }
  try {
    await y.parseAsync();
  } catch (e) {
    io.stderr.write(`salvage: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (usageProblem !== undefined) {
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
