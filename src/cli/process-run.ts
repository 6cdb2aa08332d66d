import { EXIT_UNFINISHED, SIGNAL_EXIT_CODES, type CommandIO, type StopSignal } from './command';
import { explainFailure, main } from './main';

// salvage as an operating-system process: the one place that listens to signals and to errors
// nothing else caught, and the one place that ends the process. Commands only register what
// must be undone if they are stopped (their private scratch and staging, their lock); the
// previous outputs are never touched by a stop, because a run only moves its outputs into
// place at the very end.

const STOP_SIGNALS = Object.keys(SIGNAL_EXIT_CODES) as StopSignal[];

export function runAsProcess(argv: string[]): void {
  const undoers = new Set<() => void>();
  let stopping = false;
  const undoAll = () => {
    for (const undo of [...undoers].reverse()) {
      try {
        undo();
      } catch { /* best effort: the rest must still run */ }
    }
    undoers.clear();
  };
  const stop = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    undoAll();
    process.stderr.write(`\nsalvage: ${why}; stopped. Scratch and unfinished outputs were removed; the previous outputs in --out, if any, are kept. / 已停止：临时文件与未完成的输出已删除，之前的输出（如有）保持不变。\n`);
    process.exit(code);
  };
  for (const sig of STOP_SIGNALS) process.on(sig, () => stop(`received ${sig}`, SIGNAL_EXIT_CODES[sig]));
  // Started by bin/salvage.js over an IPC channel: if the launcher dies (even by SIGKILL) the
  // channel closes, and this process must not go on writing as an orphan.
  if (process.channel) {
    process.channel.unref();
    process.on('disconnect', () => stop('the launching process went away (hang-up)', SIGNAL_EXIT_CODES.SIGHUP));
  }
  const fatal = (e: unknown) => {
    if (stopping) return;
    stopping = true;
    undoAll();
    process.exit(explainFailure(e, { stderr: process.stderr }));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);

  // `salvage evaluate --json | head` closes the pipe early: that is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      // Scratch files of the command (export's staging copy) go, as on any other early stop.
      undoAll();
      process.exit(process.exitCode ?? 0);
    }
    fatal(e);
  });
  const io: CommandIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    // A getter: process.stdin is only opened when a command reads it (`-` as an input).
    get stdin() {
      return process.stdin;
    },
    onStop: (undo) => {
      undoers.add(undo);
      return () => undoers.delete(undo);
    },
  };
  let settled = false;
  // If nothing is left to wait for but the command has not finished, a promise was dropped
  // somewhere: say so and end with a code of its own, never a silent 0.
  process.on('beforeExit', () => {
    if (settled || stopping) return;
    stopping = true;
    undoAll();
    process.stderr.write('salvage: internal error: the run ended before it had finished (nothing was left to wait for); outputs were not written. Please report it. / 内部错误：运行在完成前意外结束，未写出输出，请报告。\n');
    process.exit(EXIT_UNFINISHED);
  });
  main(argv, io).then(
    (code) => {
      settled = true;
      process.exitCode = code;
    },
    (e) => {
      settled = true;
      fatal(e);
    },
  );
}
