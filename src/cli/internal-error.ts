import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_INTERNAL, type CommandIO } from './command';

// An error salvage did not expect is a bug: the user gets one line with the cause and the path
// of a file holding the full trace (owner-only: a trace can quote input), not a stack on screen.

export function reportInternalError(e: unknown, io: Pick<CommandIO, 'stderr'>): number {
  const err = e instanceof Error ? e : new Error(String(e));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(tmpdir(), `salvage-error-${stamp}-${process.pid}.txt`);
  let where: string;
  try {
    writeFileSync(path, `${err.stack ?? err.message}\n`, { mode: 0o600 });
    where = `full trace in ${path} / 完整堆栈见该文件`;
  } catch {
    where = 'the trace could not be written to a file / 无法写出堆栈文件';
  }
  io.stderr.write(`salvage: internal error: ${err.message.split('\n')[0]} (${where}). Please report it. / 内部错误，请报告。\n`);
  return EXIT_INTERNAL;
}
