import type { Argv } from 'yargs';
import type { CommandHelp } from './help';

export { EXIT_OK, EXIT_DAMAGED, EXIT_USAGE, EXIT_WRITE_FAILED, EXIT_INTERNAL, EXIT_UNFINISHED, SIGNAL_EXIT_CODES, type StopSignal } from '../model/exit-codes';

export { STDIN_ARG } from '../sources/stdin-arg';

export { UsageError } from '../model/usage-error';

/**
 * What a command must undo, synchronously, if the process is stopped from outside (a signal,
 * or the launcher that started it going away). Returns a function that withdraws the hook.
 */
export type OnStop = (undo: () => void) => () => void;

/** Streams a command writes to, injected so tests can run commands in-process. */
export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Standard input, read only when an input is given as `-`. */
  stdin?: NodeJS.ReadableStream;
  /** Present when the command runs as the salvage process (not in-process in a test). */
  onStop?: OnStop;
}

/**
 * One CLI command per file under src/cli/commands/. `builder` declares options on yargs;
 * `run` does the work and returns the exit code (it never calls process.exit).
 */
export interface SalvageCommand<A = Record<string, unknown>> {
  name: string;
  describe: string;
  builder: (y: Argv) => Argv;
  /** Examples, exit codes and environment variables shown at the end of its --help. */
  help?: CommandHelp;
  run: (args: A, io: CommandIO) => Promise<number>;
}

/** A command with actions of its own (`salvage rules test …`, `salvage rules suggest …`): each
 *  action is a SalvageCommand in its own file, and the group only names them. */
export interface CommandGroup {
  name: string;
  describe: string;
  help?: CommandHelp;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  subcommands: SalvageCommand<any>[];
}
