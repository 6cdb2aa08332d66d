// Whether the process that wrote a lock is still running. `kill(pid, 0)` alone is not enough:
// it succeeds on a zombie (a killed run whose parent died too, waiting to be reaped, which in
// a container whose init never reaps can be forever) and on a new process that reused the pid.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** One letter: R running, S sleeping, Z zombie, X dead, … (proc(5)). */
  state: string;
  /** Start time in clock ticks after boot: with the pid, names one process for the life of the machine. */
  startTicks: string;
}

/**
 * Reads /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state); starttime is field 22, so rest[19].
  const state = rest[0];
  const startTicks = rest[19];
  if (!state || !/^[A-Za-z]$/.test(state) || !startTicks || !/^\d+$/.test(startTicks)) return null;
  return { state, startTicks };
}

function readStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** This process's start ticks, to put in a lock; undefined where there is no /proc. */
export function ownStartTicks(): string | undefined {
  return readStat(process.pid)?.startTicks;
}

/**
 * True while `pid` runs and, when `startTicks` is known, is still the process that took the
 * lock. Zombies and dead entries count as gone. Without /proc, falls back to kill(pid, 0).
 */
export function lockHolderAlive(pid: number, startTicks?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readStat(pid);
  if (!stat) return true; // no /proc (or it just ended): trust kill(0), refusing is the safe side
  if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return false;
  return startTicks === undefined || stat.startTicks === startTicks;
}
