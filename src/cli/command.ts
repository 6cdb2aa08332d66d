import type { Argv } from 'yargs';

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** The run finished, but some input was damaged or some records failed to reach a sink. */
export const EXIT_DAMAGED = 1;
/** Usage or configuration error: nothing useful was done. */
export const EXIT_USAGE = 2;

/** Thrown for broken usage or configuration; main() prints it and exits 2. Record-level problems are values, never this. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Streams a command writes to, injected so tests can run commands in-process. */
export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * One CLI command per file under src/cli/commands/. `builder` declares options on yargs;
 * `run` does the work and returns the exit code (it never calls process.exit).
 */
export interface SalvageCommand<A = Record<string, unknown>> {
  name: string;
  describe: string;
  builder: (y: Argv) => Argv;
  run: (args: A, io: CommandIO) => Promise<number>;
}

/** A command with actions of its own (`salvage rules test …`, `salvage rules suggest …`): each
 *  action is a SalvageCommand in its own file, and the group only names them. */
export interface CommandGroup {
  name: string;
  describe: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  subcommands: SalvageCommand<any>[];
}
