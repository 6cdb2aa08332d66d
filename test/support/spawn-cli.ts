import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The real CLI as a user starts it (bin/salvage.js, which re-executes itself with a heap
// budget), for tests about processes: signals, locks, kills.

export const BIN = join(__dirname, '..', '..', '..', 'bin', 'salvage.js');

export interface Spawned {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stderr matches `re` (rejects if the process ends first). */
  waitFor(re: RegExp): Promise<void>;
}

export function spawnCli(args: string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; detached?: boolean; input?: Buffer } = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...opts.env }, stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  if (opts.input) child.stdin!.end(opts.input);
  let err = '';
  let out = '';
  const waiters: { re: RegExp; ok: () => void }[] = [];
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    for (const w of [...waiters]) if (w.re.test(err)) { waiters.splice(waiters.indexOf(w), 1); w.ok(); }
  });
  child.stdout!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    exit,
    waitFor(re) {
      if (re.test(err)) return Promise.resolve();
      return new Promise((ok, fail) => {
        waiters.push({ re, ok });
        void exit.then(() => fail(new Error(`process ended before stderr matched ${re}: ${err}`)));
      });
    },
  };
}

/** Children of a process, from /proc (Linux). */
export function childPids(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(join('/proc', name, 'stat'), 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}
