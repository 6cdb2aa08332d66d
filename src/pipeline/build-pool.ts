import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { Settled } from '../correlate/order-build';
import type { Shelf } from '../correlate/order-shelf';
import type { CheckedEvidence, Transaction } from '../model/types';
import { BUILDING } from '../settings';
import { laneOf, type BuilderSetup, type FromBuilder, type ToBuilder, type WireSettled } from './build-protocol';

// The correlator's shelf on threads of its own (issue 11: the main thread was the bottleneck,
// and most of its time went to parsing evidence, building records and writing scratch files
// for orders that had gone quiet). Each finished order goes, by its order number, to one
// builder thread (build-worker.ts), which parks it and builds its record there; the main
// thread keeps only which orders it has let go of. At the end of the run the builders settle
// their orders and send the records back, each in order-number order, and they are merged into
// one stream in that order: the checks see exactly what they saw when records were built here.
//
// The correlator is synchronous, and so is this: parkings are posted without waiting, and the
// main thread sleeps (Atomics.wait) only when a builder is too far behind, and at the end while
// the records come back (receiveMessageOnPort takes them without the event loop).

interface Lane {
  worker: Worker;
  port: MessagePort;
  shared: Int32Array;
  /** Evidence items posted so far. */
  sent: number;
  /** The parkings gathered for the next message. */
  ids: string[];
  counts: number[];
  build: boolean[];
  items: string[];
  /** The corrections the builder builds with (by identity: the clock estimate hands out one map until it changes). */
  corrections: ReadonlyMap<string, number> | null;
  /** New corrections to send with the next message. */
  newCorrections: [string, number][] | undefined;
  bytes: number;
  failed: Error | null;
}

export class BuildPool implements Shelf<Settled> {
  private readonly lanes: Lane[];
  private bytesParked = 0;

  constructor(threads: number = BUILDING.threads, spillParent?: string) {
    const script = join(__dirname, 'build-worker.js');
    const heapMb = Math.max(64, Math.round(getHeapStatistics().heap_size_limit / (1024 * 1024)));
    this.lanes = Array.from({ length: Math.max(1, threads) }, () => {
      const { port1, port2 } = new MessageChannel();
      const shared = new Int32Array(new SharedArrayBuffer(8));
      const setup: BuilderSetup = { port: port2, shared, ...(spillParent ? { spillParent } : {}) };
      // The builder holds a few numbers per order for the whole run, as the main thread did
      // before it: its heap may grow as far as the main thread's (on the bench corpus the limit
      // made no difference to peak memory: V8 grows a heap by what it holds, not to its limit).
      const worker = new Worker(script, { workerData: setup, transferList: [port2], resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 8 } });
      const lane: Lane = { worker, port: port1, shared, sent: 0, ids: [], counts: [], build: [], items: [], corrections: null, newCorrections: undefined, bytes: 0, failed: null };
      // Heard only while the event loop runs (while files are read): at the end, a builder that
      // stops answering is caught by the stall timeout instead.
      worker.on('error', (e) => { lane.failed ??= e; });
      worker.on('exit', (code) => { lane.failed ??= new Error(`record builder thread stopped (exit ${code}) / 记录构建线程已退出`); });
      // Neither keeps the process alive: a run that fails elsewhere ends without waiting for them.
      worker.unref();
      port1.unref();
      return lane;
    });
  }

  get bytes(): number {
    return this.bytesParked;
  }

  park(id: string, items: readonly string[], corrections: ReadonlyMap<string, number> | null): void {
    const lane = this.lanes[laneOf(id, this.lanes.length)]!;
    if (corrections && corrections !== lane.corrections) {
      // Orders gathered so far are built with the corrections they were finished with.
      this.post(lane);
      lane.corrections = corrections;
      lane.newCorrections = [...corrections];
    }
    lane.ids.push(id);
    lane.counts.push(items.length);
    lane.build.push(corrections !== null);
    for (const l of items) lane.items.push(l);
    if (lane.items.length >= BUILDING.postItems) this.post(lane);
  }

  flush(): void {
    for (const lane of this.lanes) this.post(lane);
  }

  *settle(corrections: ReadonlyMap<string, number>, open: ReadonlyMap<string, readonly string[]>, retracted: ReadonlyMap<string, ReadonlySet<string>>): Generator<Settled> {
    this.flush();
    const n = this.lanes.length;
    const opens: [string, readonly string[]][][] = this.lanes.map(() => []);
    for (const [id, items] of open) opens[laneOf(id, n)]!.push([id, items]);
    const gones: [string, string[]][][] = this.lanes.map(() => []);
    for (const [id, lines] of retracted) gones[laneOf(id, n)]!.push([id, [...lines]]);
    const all = [...corrections];
    this.lanes.forEach((lane, i) => this.send(lane, { t: 'settle', corrections: all, open: opens[i]!, retracted: gones[i]! }));
    // Each builder answers in order-number order; the smallest order number at the heads goes next.
    const streams = this.lanes.map((lane) => this.results(lane));
    const heads = streams.map((s) => s.next());
    for (;;) {
      let best = -1;
      for (let i = 0; i < n; i++) {
        const h = heads[i]!;
        if (!h.done && (best < 0 || h.value.id < (heads[best]!.value as Settled).id)) best = i;
      }
      if (best < 0) break;
      yield heads[best]!.value as Settled;
      heads[best] = streams[best]!.next();
    }
    this.bytesParked = this.lanes.reduce((sum, l) => sum + l.bytes, 0);
  }

  dispose(): void {
    for (const lane of this.lanes) {
      lane.port.close();
      void lane.worker.terminate();
    }
  }

  /** One builder's settled orders as they come back, until it says it is done. */
  private *results(lane: Lane): Generator<Settled> {
    for (;;) {
      const m = this.receive(lane);
      if (m.t === 'fatal') throw builderFailed(m);
      if (m.t === 'end') {
        lane.bytes = m.bytes;
        return;
      }
      for (const w of m.batch) yield settledOf(w);
    }
  }

  /** The builder's next message, sleeping until it comes. */
  private receive(lane: Lane): FromBuilder {
    let quiet = 0;
    for (;;) {
      const seen = Atomics.load(lane.shared, 0);
      const got = receiveMessageOnPort(lane.port);
      if (got) return got.message as FromBuilder;
      if (Atomics.wait(lane.shared, 0, seen, 1000) !== 'timed-out') quiet = 0;
      else if ((quiet += 1) >= BUILDING.stallSeconds) throw this.failure(lane) ?? new Error(`record builder thread said nothing for ${BUILDING.stallSeconds} s / 记录构建线程 ${BUILDING.stallSeconds} 秒无响应`);
    }
  }

  private post(lane: Lane): void {
    if (lane.ids.length === 0) return;
    const m: ToBuilder = { t: 'park', ...(lane.newCorrections ? { corrections: lane.newCorrections } : {}), ids: lane.ids, counts: lane.counts, build: lane.build, items: lane.items };
    this.send(lane, m);
    lane.sent += lane.items.length;
    lane.ids = [];
    lane.counts = [];
    lane.build = [];
    lane.items = [];
    lane.newCorrections = undefined;
    // Backpressure: what waits in the builder's queue is memory; past the bound, wait for it.
    let quiet = 0;
    for (let done = Atomics.load(lane.shared, 1); lane.sent - done > BUILDING.itemsBehind; done = Atomics.load(lane.shared, 1)) {
      if (Atomics.wait(lane.shared, 1, done, 1000) !== 'timed-out') {
        quiet = 0;
        continue;
      }
      const failed = this.failure(lane);
      if (failed) throw failed;
      if ((quiet += 1) >= BUILDING.stallSeconds) throw new Error(`record builder thread said nothing for ${BUILDING.stallSeconds} s / 记录构建线程 ${BUILDING.stallSeconds} 秒无响应`);
    }
  }

  private send(lane: Lane, m: ToBuilder): void {
    const failed = this.failure(lane);
    if (failed) throw failed;
    lane.port.postMessage(m);
  }

  /** Why a builder cannot go on, if it cannot: it said so, or it stopped. */
  private failure(lane: Lane): Error | null {
    // A builder speaks before the end of the run only to say it failed.
    const got = receiveMessageOnPort(lane.port);
    if (got) {
      const m = got.message as FromBuilder;
      lane.failed ??= m.t === 'fatal' ? builderFailed(m) : new Error(`record builder thread answered out of turn (${m.t})`);
    }
    return lane.failed;
  }
}

/** A builder's failure on the main thread; a system error keeps its code and path, so a full
 *  disk under the builder's scratch is reported as a write error (exit 5), not an internal one. */
function builderFailed(m: { message: string; code?: string; path?: string }): Error {
  const e = new Error(`record builder thread failed / 记录构建线程出错: ${m.message}`) as NodeJS.ErrnoException;
  if (m.code) e.code = m.code;
  if (m.path) e.path = m.path;
  return e;
}

function settledOf(w: WireSettled): Settled {
  return { id: w.id, record: JSON.parse(w.text) as Transaction, text: w.text, checked: JSON.parse(w.checked) as CheckedEvidence[], dropped: w.dropped, kept: w.kept };
}
