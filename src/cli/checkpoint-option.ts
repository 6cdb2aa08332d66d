import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './command';
import { CheckpointError, CheckpointStore } from '../sources/checkpoint/checkpoint-store';
import { checkpointPlaceProblems, globBase } from '../sources/checkpoint/place';
import type { ResultSettings } from '../sources/checkpoint/settings';

export const CHECKPOINT_HELP =
  'record per-file progress in this file (and FILE.files/ beside it); a killed run started again with the same --checkpoint does not read finished files again / 记录每个文件的读取进度；中断后用同一检查点重跑，已读完的文件不再读取';

/**
 * --checkpoint: refused (exit 2) when it would be written among the inputs, or when it was
 * written for settings that change what is read from each file; otherwise opened or started.
 */
export function openCheckpoint(
  given: string,
  cwd: string,
  named: { path: string; given: string; isDir: boolean }[],
  patterns: string[],
  settings: ResultSettings,
): CheckpointStore {
  const path = resolve(cwd, given);
  let isDir = false;
  try { isDir = statSync(path).isDirectory(); } catch { /* not there yet: started */ }
  if (isDir) throw new UsageError(`--checkpoint ${given} is a folder; give a file name (its results go in ${given}.files beside it) / --checkpoint 应为文件名而不是目录`);
  const place = checkpointPlaceProblems(path, named, patterns.map((p) => ({ base: globBase(p, cwd), given: p })));
  if (place.length) throw new UsageError(place.join('\n') + '\nChoose a --checkpoint outside the inputs. / 请把检查点放在输入之外。');
  try {
    return CheckpointStore.open(path, settings);
  } catch (e) {
    if (e instanceof CheckpointError) throw new UsageError(e.message);
    throw e;
  }
}
