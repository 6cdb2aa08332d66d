import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import type { FileReport, Reject } from '../model/types';
import { emptyBatch, pushEvidence, type EvidenceBatch } from '../model/evidence-batch';
import { RuleEngine } from '../../rules/engine/engine';
import { ZoneClock } from '../../parsers/time';
import { processFile } from './process-file';
import { customNginxParsers } from '../../parsers/nginx/log-format';
import { type FromWorker, type ToWorker, type WorkerSetup } from './worker-protocol';
import { StallWatch, WorkerStalledError, type StalledFile } from './stall-watch';
import { READING } from '../settings';

// Spreads input files over worker threads (work is split by file, the unit that can be read
// independently) and funnels their evidence and rejects into the single-threaded stages after.
// Files are read in time order and side by side, and a file that runs ahead in time of the
// others is paused (see `holdBack`), so the correlator sees every log's same hours together.

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
  /** Reading `file` has got `bytes` further (decompressed), to `lines` lines and `diskBytes` of the file on disk. */
  progress?(bytes: number, lines: number, file: string, diskBytes: number): void;
  /** How far in time a file has got (the time of its latest line), after its evidence up to there. */
  reached?(file: string, ms: number): void;
  /** Of the files being read, those that have run ahead in time of the rest and should wait. */
  holdBack?(running: ReadonlySet<string>): ReadonlySet<string>;
  fileDone?(report: FileReport): void;
}

const { gzipExpansion: GZIP_EXPANSION, filesPerWorker: FILES_PER_WORKER, filesInProcess: FILES_IN_PROCESS } = READING;

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

/**
 * Without worker threads (`--workers 1`), files are still read side by side, taking turns at
 * each read chunk, and still paced: the same order of reading as with workers, in one thread.
 */
async function readInProcess(tasks: FileTask[], setup: WorkerSetup, sinks: RunSinks, reports: Map<string, FileReport>): Promise<void> {
  const engine = new RuleEngine(setup.rules, { keys: setup.keys, clock: new ZoneClock(setup.tz), revealCardKeys: setup.revealCardKeys, ...(setup.vocabulary ? { vocabulary: setup.vocabulary } : {}) });
  const parsers = customNginxParsers(setup.nginxFormat);
  const queue = [...tasks].sort(readingOrder);
  const running = new Set<string>();
  let held: ReadonlySet<string> = new Set();
  // One wait per held file, shared by every ask: a gzip file asks once per inflated piece as
  // well as per compressed chunk, and each of those asks must be answered when it is let go
  // (a forgotten one left the inflater paused and the run ended silently; issue 10).
  const waiting = new Map<string, { until: Promise<void>; go: () => void }>();
  const waitFor = (file: string): Promise<void> => {
    let w = waiting.get(file);
    if (!w) {
      let go!: () => void;
      const until = new Promise<void>((resolve) => { go = resolve; });
      w = { until, go };
      waiting.set(file, w);
    }
    return w.until;
  };
  const repace = () => {
    if (!sinks.holdBack) return;
    held = sinks.holdBack(running);
    for (const [file, w] of waiting) {
      if (held.has(file)) continue;
      waiting.delete(file);
      w.go();
    }
  };
  const readOne = async (t: FileTask) => {
    let ev = emptyBatch();
    const rej: Reject[] = [];
    const flush = () => {
      if (ev.json.length === 0) return;
      sinks.evidence(ev, t.display);
      ev = emptyBatch();
    };
    const r = await processFile(t.path, t.display, engine, {
      evidence: (e) => { pushEvidence(ev, e); if (ev.json.length >= READING.batchItems) flush(); },
      reject: (x) => { rej.push(x); if (rej.length >= READING.batchItems) sinks.reject(rej.splice(0)); },
    }, {
      tz: setup.tz, maxLineBytes: setup.maxLineBytes, ...(t.format ? { format: t.format } : {}), parsers,
      progressBytes: READING.progressBytes,
      // The evidence read so far goes first, so the time reported is never ahead of it.
      onProgress: (b, l, ms, disk) => {
        flush();
        sinks.progress?.(b, l, t.display, disk);
        if (!Number.isNaN(ms)) sinks.reached?.(t.display, ms);
        repace();
      },
      pace: () => (held.has(t.display) ? waitFor(t.display) : undefined),
    });
    flush();
    if (rej.length) sinks.reject(rej);
    reports.set(t.display, r);
    running.delete(t.display);
    sinks.fileDone?.(r);
    repace();
  };
  const lane = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      running.add(t.display);
      await readOne(t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILES_IN_PROCESS, tasks.length) }, lane));
}

export async function runFiles(tasks: FileTask[], setup: WorkerSetup, workers: number, sinks: RunSinks, stallSeconds: number = READING.stallSeconds): Promise<FileReport[]> {
  const reports = new Map<string, FileReport>();
  if (workers <= 1 || tasks.length <= 1) {
    await readInProcess(tasks, setup, sinks, reports);
    return tasks.map((t) => reports.get(t.display)!);
  }

  const queue = [...tasks].sort(readingOrder);
  const n = Math.min(workers, tasks.length);
  const script = join(__dirname, 'worker.js');
  /** Files being read, and the worker reading each. */
  const running = new Map<string, Worker>();
  const heldNow = new Set<string>();
  const watch = new StallWatch<Worker>(stallSeconds * 1000);
  /** How far each file being read has got, for the message when its worker goes quiet. */
  const reached = new Map<string, StalledFile>();
  // Pause files that have run ahead in time, let go those the others have caught up with.
  const repace = () => {
    if (!sinks.holdBack) return;
    const want = sinks.holdBack(new Set(running.keys()));
    for (const [file, w] of running) {
      const on = want.has(file);
      if (on === heldNow.has(file)) continue;
      if (on) heldNow.add(file);
      else {
        heldNow.delete(file);
        // Silence while held was on purpose: the clock starts again when the file is let go.
        watch.heardFrom(w);
      }
      w.postMessage({ t: 'hold', file, on } satisfies ToWorker);
    }
  };
  const pool = Array.from({ length: n }, () => ({
    // A small old generation makes each worker collect garbage early instead of growing: the
    // process's peak memory, not just the main heap's, is what the budget is about.
    w: new Worker(script, { workerData: setup, resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 } }),
    active: 0,
    exitIfIdle: () => {},
  }));
  /** Bytes still to read per file (estimated), for dealing each file to the least loaded worker. */
  const left = new Map<string, number>();
  const loadOf = (slot: (typeof pool)[number]) => {
    let sum = 0;
    for (const [file, w] of running) if (w === slot.w) sum += left.get(file) ?? 0;
    return sum;
  };
  // Each file goes to the worker with a free place and the least left to read, so files of the
  // same hours (which must move together) end up spread over the workers.
  const dealOut = () => {
    for (;;) {
      const free = pool.filter((p) => p.active < FILES_PER_WORKER);
      if (free.length === 0 || queue.length === 0) return;
      const slot = free.reduce((a, b) => (loadOf(b) < loadOf(a) ? b : a));
      const t = queue.shift()!;
      slot.active++;
      running.set(t.display, slot.w);
      reached.set(t.display, { file: t.display, bytes: 0, lines: 0 });
      watch.heardFrom(slot.w);
      left.set(t.display, estimatedWork(t.path));
      slot.w.postMessage({ t: 'file', path: t.path, display: t.display, ...(t.format ? { format: t.format } : {}) } satisfies ToWorker);
    }
  };
  const finished = pool.map(
    (slot) =>
      new Promise<void>((resolve, reject) => {
        const w = slot.w;
        let exited = false;
        slot.exitIfIdle = () => {
          if (exited || slot.active > 0 || queue.length > 0) return;
          exited = true;
          w.postMessage({ t: 'exit' } satisfies ToWorker);
          resolve();
        };
        w.on('message', (m: FromWorker) => {
          watch.heardFrom(w);
          switch (m.t) {
            case 'ev':
              sinks.evidence(m.batch, m.file);
              w.postMessage({ t: 'ack' } satisfies ToWorker);
              repace();
              break;
            case 'rej': sinks.reject(m.items); break;
            case 'progress': {
              const r = reached.get(m.file);
              if (r) { r.bytes += m.bytes; r.lines = m.lines; }
              left.set(m.file, Math.max(0, (left.get(m.file) ?? 0) - m.bytes));
              sinks.progress?.(m.bytes, m.lines, m.file, m.disk);
              if (!Number.isNaN(m.reachedMs)) sinks.reached?.(m.file, m.reachedMs);
              repace();
              break;
            }
            case 'done':
              reports.set(m.report.file, m.report);
              running.delete(m.report.file);
              heldNow.delete(m.report.file);
              left.delete(m.report.file);
              reached.delete(m.report.file);
              slot.active--;
              sinks.fileDone?.(m.report);
              dealOut();
              repace();
              for (const p of pool) p.exitIfIdle();
              break;
            case 'fatal':
              reject(new Error(m.message));
              void w.terminate();
              break;
          }
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (slot.active > 0) reject(new Error(`worker stopped (exit ${code}) while reading ${[...running].filter(([, x]) => x === w).map(([f]) => f).join(', ')}`));
        });
      }),
  );
  let stopWatching = () => {};
  const stalled = new Promise<never>((_, reject) => {
    const timer = setInterval(() => {
      for (const slot of pool) {
        const mine = [...running].filter(([, x]) => x === slot.w).map(([f]) => f);
        if (slot.active === 0 || mine.every((f) => heldNow.has(f)) || !watch.isStalled(slot.w)) continue;
        // Every file of that thread is named: which one it is stuck in cannot be seen from here.
        reject(new WorkerStalledError(mine.map((f) => reached.get(f) ?? { file: f, bytes: 0, lines: 0 }), stallSeconds));
        return;
      }
    }, Math.min(5000, stallSeconds * 250));
    timer.unref();
    stopWatching = () => clearInterval(timer);
  });
  stalled.catch(() => {});
  dealOut();
  for (const slot of pool) slot.exitIfIdle();
  try {
    await Promise.race([Promise.all(finished), stalled]);
    stopWatching();
  } catch (e) {
    stopWatching();
    // One worker failed: the run is over, so the others stop too rather than read on.
    await Promise.all(pool.map((p) => p.w.terminate()));
    throw e;
  }
  return tasks.map((t) => reports.get(t.display)!);
}
