import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../model/usage-error';
import { CheckpointError, CheckpointStore } from '../sources/checkpoint/checkpoint-store';
import { checkpointPlaceProblems, globBase } from '../sources/checkpoint/place';
import type { ResultSettings } from '../sources/checkpoint/settings';
import { lockHolderAlive, ownStartTicks } from '../sinks/process-liveness';

export const CHECKPOINT_HELP =
  'record per-file progress in this file (and FILE.files/ beside it); a killed run started again with the same --checkpoint does not read finished files again / 记录每个文件的读取进度；中断后用同一检查点重跑，已读完的文件不再读取';

/** A lock younger than this that cannot be read is being written by a run starting now. */
const FRESH_LOCK_MS = 2000;

/**
 * --checkpoint must not be written among the inputs: refused (exit 2) before anything is
 * written. `named`: inputs named directly; `patterns`: the globs given.
 */
export function checkCheckpointPlace(given: string, cwd: string, named: { path: string; given: string; isDir: boolean }[], patterns: string[]): void {
  const path = resolve(cwd, given);
  let isDir = false;
  try { isDir = statSync(path).isDirectory(); } catch { /* not there yet: started */ }
  if (isDir) throw new UsageError(`--checkpoint ${given} is a folder; give a file name (its results go in ${given}.files beside it) / --checkpoint 应为文件名而不是目录`);
  const place = checkpointPlaceProblems(path, named, patterns.map((p) => ({ base: globBase(p, cwd), given: p })));
  if (place.length) throw new UsageError(place.join('\n') + '\nChoose a --checkpoint outside the inputs. / 请把检查点放在输入之外。');
}

export interface OpenedCheckpoint {
  store: CheckpointStore;
  /** Lets go of the checkpoint's lock. */
  release(): void;
}

/**
 * Takes the checkpoint for this run (one run at a time: `FILE.lock`, taken over when its run is
 * gone) and opens it, or refuses (exit 2) one written for settings that change what is read
 * from each file.
 */
export function openCheckpoint(given: string, cwd: string, settings: ResultSettings): OpenedCheckpoint {
  const path = resolve(cwd, given);
  const release = lock(`${path}.lock`, given);
  try {
    return { store: CheckpointStore.open(path, settings), release };
  } catch (e) {
    release();
    if (e instanceof CheckpointError) throw new UsageError(e.message);
    throw e;
  }
}

function lock(path: string, given: string): () => void {
  const mine = JSON.stringify({ pid: process.pid, start_ticks: ownStartTicks(), started: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, mine, { flag: 'wx', mode: 0o600 });
      return () => {
        // Only our own lock: one taken over meanwhile belongs to the run that took it.
        try {
          if (readFileSync(path, 'utf8') === mine) rmSync(path, { force: true });
        } catch { /* gone already */ }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let held: { pid: number; start_ticks?: string } | null = null;
    try {
      held = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; start_ticks?: string };
    } catch {
      let age = Infinity;
      try { age = Date.now() - statSync(path).mtimeMs; } catch { /* gone meanwhile */ }
      if (age < FRESH_LOCK_MS) break;
    }
    if (held && lockHolderAlive(held.pid, held.start_ticks ?? undefined)) {
      throw new UsageError(`--checkpoint ${given} is in use by another run (pid ${held.pid}); wait for it to end / 检查点正被另一个运行（pid ${held.pid}）使用，请等它结束`);
    }
    // Left by a run that was killed: its progress is in the checkpoint, the lock is stale.
    rmSync(path, { force: true });
  }
  throw new UsageError(`--checkpoint ${given}: another run is taking it right now / 另一个运行正在占用此检查点`);
}
