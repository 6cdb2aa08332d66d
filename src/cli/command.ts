import type { Argv } from 'yargs';
import type { CommandHelp } from './help';

/** Exit codes shared by every command (the README has the table). */
export const EXIT_OK = 0;
/** The run finished, but some input was damaged or some records failed to reach a sink. */
export const EXIT_DAMAGED = 1;
/** Usage or configuration error: nothing useful was done. */
export const EXIT_USAGE = 2;
/** The outputs could not be written (disk full, no permission, a file in the way); the inputs are untouched. */
export const EXIT_WRITE_FAILED = 5;
/** An unexpected internal error: one line on stderr, the full trace in a file it names. */
export const EXIT_INTERNAL = 6;
/** The event loop ran dry before the command had finished (a bug): said, never a silent 0. */
export const EXIT_UNFINISHED = 7;
/** Stopped by a signal: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * `-` on the command line (standard input). yargs drops a lone `-` from positionals, so main()
 * hands it to commands as this token instead.
 */
export const STDIN_ARG = 'salvage:stdin:-';

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
