import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import type { FileReport, Reject } from '../model/types';
import { emptyBatch, pushEvidence, type EvidenceBatch } from './evidence-batch';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { ZoneClock } from '../../parsers/time';
import { processFile } from './process-file';
import { customNginxParsers } from '../../parsers/nginx/log-format';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol';

// Spreads input files over worker threads (work is split by file, the unit that can be read
// independently) and funnels their evidence and rejects into the single-threaded stages after.

export interface FileTask {
  path: string;
  display: string;
  format?: string;
  /** The file's first timestamp, when known: files are read in time order (see peek-start). */
  startMs?: number | null;
}

export interface RunSinks {
  /** `file` is the display name of the file the batch came from. */
  evidence(batch: EvidenceBatch, file: string): void;
  reject(items: Reject[]): void;
  progress?(bytes: number, lines: number): void;
  fileDone?(report: FileReport): void;
}

const GZIP_EXPANSION = 6;

/** Bytes to read, roughly: compressed files count for what they will decompress to. */
function estimatedWork(path: string): number {
  try {
    const size = statSync(path).size;
    return path.endsWith('.gz') ? size * GZIP_EXPANSION : size;
  } catch {
    return 0;
  }
}

/**
 * Earliest first, so every input moves through time together and the correlator can finish
 * orders as they go quiet; files whose start is unknown go first, since they hold that back.
 * Among equals, largest first (longest-processing-time scheduling): a big file started last
 * would leave the other workers idle at the end. Reports come back in the callers' order.
 */
export function readingOrder(a: FileTask, b: FileTask): number {
  const sa = a.startMs ?? -Infinity;
  const sb = b.startMs ?? -Infinity;
  if (sa !== sb) return sa < sb ? -1 : 1;
  return estimatedWork(b.path) - estimatedWork(a.path) || (a.display < b.display ? -1 : a.display > b.display ? 1 : 0);
}

export async function runFiles(tasks: FileTask[], setup: WorkerSetup, workers: number, sinks: RunSinks): Promise<FileReport[]> {
  const reports = new Map<string, FileReport>();
  if (workers <= 1 || tasks.length <= 1) {
    const engine = new RuleEngine(loadRules(setup.ruleDirs), { keys: setup.keys, clock: new ZoneClock(setup.tz), revealCardKeys: setup.revealCardKeys });
    const parsers = customNginxParsers(setup.nginxFormat);
    for (const t of [...tasks].sort(readingOrder)) {
      let ev = emptyBatch();
      const rej: Reject[] = [];
      const r = await processFile(t.path, t.display, engine, {
        evidence: (e) => { pushEvidence(ev, e); if (ev.json.length >= 2000) { sinks.evidence(ev, t.display); ev = emptyBatch(); } },
        reject: (x) => { rej.push(x); if (rej.length >= 2000) sinks.reject(rej.splice(0)); },
      }, { tz: setup.tz, maxLineBytes: setup.maxLineBytes, ...(t.format ? { format: t.format } : {}), parsers, onProgress: (b, l) => sinks.progress?.(b, l) });
      if (ev.json.length) sinks.evidence(ev, t.display);
      if (rej.length) sinks.reject(rej);
      reports.set(t.display, r);
      sinks.fileDone?.(r);
    }
    return tasks.map((t) => reports.get(t.display)!);
  }

  const queue = [...tasks].sort(readingOrder);
  const n = Math.min(workers, tasks.length);
  const script = join(__dirname, 'worker.js');
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<void>((resolve, reject) => {
        // A small old generation makes each worker collect garbage early instead of growing: the
        // process's peak memory, not just the main heap's, is what the budget is about.
        const w = new Worker(script, { workerData: setup, resourceLimits: { maxOldGenerationSizeMb: 64 } });
        let current: FileTask | undefined;
        const next = () => {
          current = queue.shift();
          const msg: ToWorker = current ? { t: 'file', path: current.path, display: current.display, ...(current.format ? { format: current.format } : {}) } : { t: 'exit' };
          w.postMessage(msg);
          if (!current) resolve();
        };
        w.on('message', (m: FromWorker) => {
          switch (m.t) {
            case 'ev':
              sinks.evidence(m.batch, current!.display);
              w.postMessage({ t: 'ack' } satisfies ToWorker);
              break;
            case 'rej': sinks.reject(m.items); break;
            case 'progress': sinks.progress?.(m.bytes, m.lines); break;
            case 'done':
              reports.set(m.report.file, m.report);
              sinks.fileDone?.(m.report);
              next();
              break;
            case 'fatal':
              reject(new Error(m.message));
              void w.terminate();
              break;
          }
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (current && !reports.has(current.display)) reject(new Error(`worker stopped (exit ${code}) while reading ${current.display}`));
        });
        next();
      }),
    ),
  );
  return tasks.map((t) => reports.get(t.display)!);
}
