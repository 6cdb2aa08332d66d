import { closeSync, fsyncSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { OUTPUT_MARKER } from '../sources/discover';
import { lockHolderAlive, ownStartTicks } from './process-liveness';

// The folder given as --out, owned by one run at a time. A run never writes beside the previous
// outputs: it writes into a private folder of its own inside --out (outputs in `staging`, spill
// files in `scratch`) and only when everything is written and flushed are the outputs renamed
// into place, report.json last. So a killed run leaves the previous outputs whole, and a
// report.json, when present, always belongs to a complete set.
//
// The commit is a few renames, not one. To keep "report.json present ⇒ set complete" even if
// the process dies among them, a journal naming the staged files is written first and the old
// report.json removed; the next run finds the journal and finishes the renames (roll forward).

/** Names inside --out that belong to salvage itself (all hidden: never taken for outputs or inputs). */
export const LOCK_FILE = '.salvage-lock';
/** Held (created exclusively) by the one run replacing a stale lock: see replaceStaleLock. */
const TAKEOVER_FILE = '.salvage-lock-takeover';
/** A takeover file older than this was left by a run killed in the middle of a takeover. */
const TAKEOVER_STALE_MS = 10_000;
/** How long a run waits for another's takeover (or for a lock that keeps changing) before refusing. */
const LOCK_WAIT_MS = 5_000;
const RUN_PREFIX = '.salvage-run-';
const JOURNAL = '.salvage-commit';
/** Spill folders that older versions made directly inside --out. */
const LEGACY_SCRATCH = /^salvage-(orders|records|review|keyless|creations|joins)-/;

/** A problem writing the outputs (disk full, no permission, …): the inputs are untouched. */
export class OutputWriteError extends Error {
  override name = 'OutputWriteError';
  constructor(readonly path: string, readonly code: string, detail: string) {
    super(`cannot write ${path}: ${detail} / 无法写入输出：${WRITE_REASONS_ZH[code] ?? code}`);
  }
}

/** Another live run holds --out. */
export class OutputLockedError extends Error {
  override name = 'OutputLockedError';
}

const WRITE_REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full (ENOSPC)',
  EDQUOT: 'the disk quota is used up (EDQUOT)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  EROFS: 'the file system is read-only (EROFS)',
  EEXIST: 'a file is in the way (EEXIST)',
  ENOTDIR: 'a file is in the way where a folder should be (ENOTDIR)',
  EISDIR: 'a folder is in the way where a file should be (EISDIR)',
  EIO: 'an input/output error from the device (EIO)',
  EMFILE: 'too many open files (EMFILE)',
  EFBIG: 'the file is too large for the file system (EFBIG)',
};
const WRITE_REASONS_ZH: Record<string, string> = {
  ENOSPC: '磁盘已满', EDQUOT: '磁盘配额用尽', EACCES: '权限不足', EPERM: '不允许的操作', EROFS: '文件系统只读',
  EEXIST: '目标位置已有文件', ENOTDIR: '应为目录处有文件', EISDIR: '应为文件处有目录', EIO: '设备读写错误',
  EMFILE: '打开文件过多', EFBIG: '文件过大',
};

/** A system error met while writing outputs or spill files, as a one-line OutputWriteError; anything else unchanged. */
export function asWriteError(e: unknown, fallbackPath = 'the output folder (--out) or its scratch files'): unknown {
  if (e instanceof OutputWriteError) return e;
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err.code !== 'string' || !(err.code in WRITE_REASONS)) return e;
  return new OutputWriteError(err.path ?? fallbackPath, err.code, WRITE_REASONS[err.code]!);
}

function wrapWrite<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asWriteError(e, path);
  }
}

/** `start_ticks` tells the lock's process from a later one given the same pid (absent in old locks). */
interface LockContent { pid: number; host: string; started: string; start_ticks?: string }

function readLock(path: string): LockContent | null {
  const raw = readFileSafe(path);
  return raw === null ? null : parseLock(raw);
}

function parseLock(raw: string): LockContent | null {
  try {
    const v = JSON.parse(raw) as Partial<LockContent>;
    if (typeof v.pid === 'number' && typeof v.host === 'string') {
      const lock: LockContent = { pid: v.pid, host: v.host, started: String(v.started ?? '?') };
      if (typeof v.start_ticks === 'string') lock.start_ticks = v.start_ticks;
      return lock;
    }
  } catch { /* unreadable or half written: treated as stale below */ }
  return null;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface OpenedOutput {
  folder: OutputFolder;
  /** What was found and put right on the way in (stale lock, leftovers): for the user, one line each. */
  notes: string[];
}

export class OutputFolder {
  private released = false;

  private constructor(readonly dir: string, readonly runDir: string, readonly staging: string, readonly scratch: string) {}

  /**
   * Takes --out for this run: creates it owner-only if missing, takes the lock (or refuses),
   * finishes a commit a killed run left half done, removes what killed runs left behind, marks
   * the folder as salvage output, and makes this run's private folder.
   */
  static open(dir: string): OpenedOutput {
    const notes: string[] = [];
    let st;
    try {
      st = statSync(dir);
    } catch {
      wrapWrite(dir, () => mkdirSync(dir, { recursive: true, mode: 0o700 }));
      st = statSync(dir);
    }
    if (!st.isDirectory()) throw new OutputWriteError(dir, 'EEXIST', `--out names a file, not a folder (EEXIST)`);
    takeLock(dir, notes);
    try {
      const journal = join(dir, JOURNAL);
      if (exists(journal)) {
        const names = finishCommit(dir, journal);
        notes.push(`finished writing the outputs of a run that was killed while moving them into place (${names} file(s)) / 已完成上次被中断的输出提交`);
      }
      const left = readdirSync(dir).filter((n) => n.startsWith(RUN_PREFIX) || LEGACY_SCRATCH.test(n));
      if (left.length) {
        let bytes = 0;
        for (const n of left) bytes += sizeOf(join(dir, n));
        for (const n of left) wrapWrite(join(dir, n), () => rmSync(join(dir, n), { recursive: true, force: true }));
        notes.push(`removed ${left.length} staging/scratch folder(s) left by an interrupted run (${(bytes / 1048576).toFixed(1)} MB) / 已清理中断运行遗留的临时目录`);
      }
      wrapWrite(dir, () => {
        const marker = join(dir, OUTPUT_MARKER);
        if (!exists(marker)) writeWhole(marker, JSON.stringify({ tool: 'salvage', note: 'salvage output folder: never read as input / salvage 输出目录，不会被当作输入读取' }) + '\n', 0o600);
      });
      const runDir = wrapWrite(dir, () => mkdtempSync(join(dir, RUN_PREFIX)));
      const staging = join(runDir, 'staging');
      const scratch = join(runDir, 'scratch');
      wrapWrite(runDir, () => {
        mkdirSync(staging, { mode: 0o700 });
        mkdirSync(scratch, { mode: 0o700 });
      });
      return { folder: new OutputFolder(dir, runDir, staging, scratch), notes };
    } catch (e) {
      releaseLock(dir);
      throw e;
    }
  }

  staged(name: string): string {
    return join(this.staging, name);
  }

  /**
   * Flushes the staged files to disk and moves them into --out, report.json last. Synchronous
   * on purpose: a signal handler (JavaScript) cannot run in the middle of it.
   */
  commit(names: string[], last = 'report.json'): void {
    const ordered = [...names.filter((n) => n !== last), last];
    wrapWrite(this.staging, () => {
      for (const n of ordered) fsyncPath(this.staged(n));
      fsyncPath(this.staging);
      const journal = join(this.dir, JOURNAL);
      writeWhole(journal, JSON.stringify({ from: this.staging, files: ordered }) + '\n', 0o600);
      fsyncPath(this.dir);
    });
    finishCommit(this.dir, join(this.dir, JOURNAL));
  }

  /** Removes this run's private folder and lets go of --out. Idempotent, synchronous (safe in a signal handler). */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      rmSync(this.runDir, { recursive: true, force: true });
    } finally {
      releaseLock(this.dir);
    }
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function sizeOf(p: string): number {
  try {
    const st = lstatSync(p);
    if (!st.isDirectory()) return st.size;
    return readdirSync(p).reduce((s, n) => s + sizeOf(join(p, n)), 0);
  } catch {
    return 0;
  }
}

function writeWhole(path: string, text: string, mode: number): void {
  const fd = openSync(path, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Moves the files a journal names into place, report.json last, then drops the journal. Returns how many. */
function finishCommit(dir: string, journal: string): number {
  return wrapWrite(dir, () => {
    const j = JSON.parse(readFileSync(journal, 'utf8')) as { from: string; files: string[] };
    const last = j.files[j.files.length - 1]!;
    // Whatever happens below, an old report.json must not stand beside new files.
    if (exists(join(j.from, last))) rmSync(join(dir, last), { force: true });
    for (const n of j.files) {
      const from = join(j.from, n);
      if (exists(from)) renameSync(from, join(dir, n));
    }
    fsyncPath(dir);
    unlinkSync(journal);
    fsyncPath(dir);
    return j.files.length;
  });
}

function takeLock(dir: string, notes: string[]): void {
  const path = join(dir, LOCK_FILE);
  const mine: LockContent = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const ticks = ownStartTicks();
  if (ticks !== undefined) mine.start_ticks = ticks;
  const giveUp = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      writeExclusive(path, JSON.stringify(mine) + '\n');
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw asWriteError(e, path);
    }
    if (Date.now() > giveUp) {
      throw new OutputLockedError(`--out ${dir}: could not take the lock ${path} (another run keeps taking it) / 无法获得输出目录的锁`);
    }
    const raw = readFileSafe(path);
    if (raw === null) continue; // released meanwhile: try again
    const held = parseLock(raw);
    if (held && held.host !== mine.host) {
      throw new OutputLockedError(`--out ${dir} is in use by salvage on host ${held.host} (pid ${held.pid}, since ${held.started}). If no run is going on there, delete ${path}. / 输出目录正被另一台主机上的 salvage 使用；若确认没有运行，请删除锁文件`);
    }
    // A lock just being written by a run that started this instant reads as empty: not stale yet.
    if (!held && Date.now() - mtimeMs(path) < 5000) {
      throw new OutputLockedError(`--out ${dir} is being taken by another salvage run (${path} was just created); try again in a moment. / 另一个 salvage 正在占用该输出目录，请稍后重试`);
    }
    if (held && lockHolderAlive(held.pid, held.start_ticks)) {
      throw new OutputLockedError(`--out ${dir} is in use by another salvage run (pid ${held.pid}, since ${held.started}); wait for it to finish or choose another --out. / 另一个 salvage 正在写入该输出目录（pid ${held.pid}），请等待其结束或换一个 --out`);
    }
    // Stale: its process is gone (or a zombie, or the pid now belongs to another process).
    const took = replaceStaleLock(dir, path, raw);
    if (took === 'busy') pause(25);
    if (took !== 'removed') continue;
    notes.push(held
      ? `took over a stale lock left by salvage pid ${held.pid} (started ${held.started}), which is no longer running / 接管了已退出进程（pid ${held.pid}）遗留的锁`
      : `took over an unreadable lock file / 接管了无法读取的锁文件`);
  }
}

/**
 * Removes the stale lock `raw`, if it is still the lock. Two runs started together may both
 * judge it stale; checking the content and then removing it are two steps, so without a guard
 * the slower one could remove the lock the faster one had just taken, and both would run. The
 * guard is a takeover file created exclusively: only its holder checks and removes, and the
 * other run waits, then finds a live lock and refuses. A takeover file left by a run killed
 * right here is removed once it is TAKEOVER_STALE_MS old.
 */
function replaceStaleLock(dir: string, path: string, raw: string): 'removed' | 'changed' | 'busy' {
  const guard = join(dir, TAKEOVER_FILE);
  try {
    writeExclusive(guard, `${process.pid}\n`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw asWriteError(e, guard);
    if (Date.now() - mtimeMs(guard) > TAKEOVER_STALE_MS) rmSync(guard, { force: true });
    return 'busy';
  }
  try {
    if (readFileSafe(path) !== raw) return 'changed';
    // For tests only: widens the window between the check above and the removal below, where
    // two unguarded runs would both take the lock over (test/e2e/out-lock.test.ts).
    const testPause = Number(process.env.SALVAGE_TEST_TAKEOVER_PAUSE_MS);
    if (testPause > 0) pause(testPause);
    rmSync(path, { force: true });
    return 'removed';
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Sleeps without returning to the event loop (the lock is taken synchronously). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function mtimeMs(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function readFileSafe(p: string): string | null {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

function writeExclusive(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function releaseLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  // Only our own lock: a run that was refused must not remove the holder's.
  if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
}
