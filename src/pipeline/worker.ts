import { parentPort, workerData } from 'node:worker_threads';
import type { Reject } from '../model/types';
import { emptyBatch, pushEvidence } from '../model/evidence-batch';
import { RuleEngine } from '../../rules/engine/engine';
import { ZoneClock } from '../../parsers/time';
import { processFile } from './process-file';
import { customNginxParsers } from '../../parsers/nginx/log-format';
import { type FromWorker, type ToWorker, type WorkerSetup } from './worker-protocol';
import { READING } from '../settings';

// A worker thread reads whole files and sends back only what survives the rule stage (evidence
// and rejects) in batches, so the main thread's share of the work stays small. It may read a
// few files at once, taking turns chunk by chunk: the main thread pauses any that runs ahead
// in time, so logs of the same hours are read together.

const BATCH = READING.batchItems;
const MAX_IN_FLIGHT = READING.batchesInFlight;

const setup = workerData as WorkerSetup;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);

let inFlight = 0;
const held = new Set<string>();
/** Readers waiting for a credit or to be let go. */
let waiting: { file: string; go: () => void }[] = [];
const mayRead = (file: string) => inFlight < MAX_IN_FLIGHT && !held.has(file);
const wake = () => {
  const still: typeof waiting = [];
  for (const w of waiting) (mayRead(w.file) ? w.go() : still.push(w));
  waiting = still;
};
const paceFor = (file: string) => (): Promise<void> | undefined =>
  mayRead(file) ? undefined : new Promise<void>((go) => waiting.push({ file, go }));

let engine: RuleEngine;
let parsers: ReturnType<typeof customNginxParsers>;
try {
  engine = new RuleEngine(setup.rules, { keys: setup.keys, clock: new ZoneClock(setup.tz), revealCardKeys: setup.revealCardKeys, ...(setup.vocabulary ? { vocabulary: setup.vocabulary } : {}) });
  parsers = customNginxParsers(setup.nginxFormat);
} catch (e) {
  send({ t: 'fatal', message: (e as Error).message });
  process.exit(1);
}

async function readFile(path: string, display: string, format: string | undefined): Promise<void> {
  let ev = emptyBatch();
  let rej: Reject[] = [];
  const flush = () => {
    if (ev.json.length === 0) return;
    inFlight++;
    send({ t: 'ev', file: display, batch: ev });
    ev = emptyBatch();
  };
  try {
    const report = await processFile(
      path,
      display,
      engine,
      {
        evidence(e) {
          pushEvidence(ev, e);
          if (ev.json.length >= BATCH) flush();
        },
        reject(r) {
          rej.push(r);
          if (rej.length >= BATCH) {
            send({ t: 'rej', items: rej });
            rej = [];
          }
        },
      },
      {
        tz: setup.tz,
        maxLineBytes: setup.maxLineBytes,
        ...(format ? { format } : {}),
        parsers,
        progressBytes: READING.progressBytes,
        // The evidence read so far goes first, so the time reported is never ahead of it.
        onProgress: (bytes, lines, reachedMs, disk) => {
          flush();
          send({ t: 'progress', file: display, bytes, lines, reachedMs, disk });
        },
        pace: paceFor(display),
      },
    );
    flush();
    if (rej.length) send({ t: 'rej', items: rej });
    send({ t: 'done', report });
  } catch (e) {
    send({ t: 'fatal', message: `${display}: ${(e as Error).stack ?? (e as Error).message}` });
  } finally {
    held.delete(display);
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'ack':
      inFlight--;
      wake();
      break;
    case 'hold':
      if (m.on) held.add(m.file);
      else held.delete(m.file);
      wake();
      break;
    case 'exit':
      port.close();
      break;
    case 'file':
      stallForTests(m.display);
      void readFile(m.path, m.display, m.format);
      break;
  }
});

/**
 * For the stall-watch test only (test/e2e/worker-stall.test.ts): a file whose name contains
 * SALVAGE_TEST_STALL_FILE makes this thread hang as a stuck parser would. Inert when unset.
 */
function stallForTests(display: string): void {
  const needle = process.env.SALVAGE_TEST_STALL_FILE;
  if (!needle || !display.includes(needle)) return;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
}
