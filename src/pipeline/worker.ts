import { parentPort, workerData } from 'node:worker_threads';
import type { Reject } from '../model/types';
import { emptyBatch, pushEvidence } from './evidence-batch';
import { loadRules } from '../../rules/engine/load-packs';
import { RuleEngine } from '../../rules/engine/engine';
import { ZoneClock } from '../../parsers/time';
import { processFile } from './process-file';
import { customNginxParsers } from '../../parsers/nginx/log-format';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol';

// A worker thread reads whole files, one at a time, and sends back only what survives the rule
// stage (evidence and rejects) in batches, so the main thread's share of the work stays small.

const BATCH = 2000;
// Batches in flight before reading pauses: bounds memory when the main thread is the slower side.
const MAX_IN_FLIGHT = 4;
let inFlight = 0;
let resume: (() => void) | null = null;
const pace = (): Promise<void> | undefined =>
  inFlight < MAX_IN_FLIGHT ? undefined : new Promise<void>((r) => { resume = r; });
const setup = workerData as WorkerSetup;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);

let engine: RuleEngine;
let parsers: ReturnType<typeof customNginxParsers>;
try {
  engine = new RuleEngine(loadRules(setup.ruleDirs), { keys: setup.keys, clock: new ZoneClock(setup.tz), revealCardKeys: setup.revealCardKeys });
  parsers = customNginxParsers(setup.nginxFormat);
} catch (e) {
  send({ t: 'fatal', message: (e as Error).message });
  process.exit(1);
}

port.on('message', async (m: ToWorker) => {
  if (m.t === 'ack') {
    inFlight--;
    if (resume && inFlight < MAX_IN_FLIGHT) {
      const r = resume;
      resume = null;
      r();
    }
    return;
  }
  if (m.t === 'exit') {
    port.close();
    return;
  }
  let ev = emptyBatch();
  let rej: Reject[] = [];
  try {
    const report = await processFile(
      m.path,
      m.display,
      engine,
      {
        evidence(e) {
          pushEvidence(ev, e);
          if (ev.json.length >= BATCH) {
            inFlight++;
            send({ t: 'ev', batch: ev });
            ev = emptyBatch();
          }
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
        ...(m.format ? { format: m.format } : {}),
        parsers,
        onProgress: (bytes, lines) => send({ t: 'progress', bytes, lines }),
        pace,
      },
    );
    if (ev.json.length) {
      inFlight++;
      send({ t: 'ev', batch: ev });
    }
    if (rej.length) send({ t: 'rej', items: rej });
    send({ t: 'done', report });
  } catch (e) {
    send({ t: 'fatal', message: `${m.display}: ${(e as Error).stack ?? (e as Error).message}` });
  }
});
