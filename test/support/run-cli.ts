import { Writable } from 'node:stream';
import { main } from '../../src/cli/main';
import type { CommandIO } from '../../src/cli/command';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(chunks: string[]): Writable {
  return new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
}

/** Run the CLI in-process with captured output (no process spawn, no process.exit). */
export async function runCli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { stdout: sink(out), stderr: sink(err), env, cwd };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}
