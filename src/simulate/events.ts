// What the simulated shop writes, before it becomes files: one event per log entry, bucketed by sink.
// The text itself goes to a TextStore as it is written; events keep only its number.
import type { TextStore } from './text-store';

/**
 * One physical line whose text is kept in a store and read back when someone asks for it. Damage
 * may replace the text (a line cut short); the replacement is then kept here. It has the fields of
 * files.ts' Line, so a single-line event doubles as its own file line.
 */
export class StoredLine {
  /** Set only on the few lines damage rewrites (declared, so other lines carry no slot for it). */
  declare private own?: string | Buffer;
  declare pay?: number;
  declare forged?: number;
  declare damaged?: boolean;
  declare marks?: number[];
  declare about?: number;
  declare logged?: number;
  declare parts?: number;
  declare head?: StoredLine;

  constructor(
    readonly store: TextStore,
    /** The text's number in the store; a multi-line entry's lines have consecutive numbers. */
    readonly ref: number,
  ) {}

  get text(): string | Buffer {
    return this.own ?? this.store.get(this.ref);
  }

  set text(t: string | Buffer) {
    this.own = t;
  }
}

/** Lines are read in runs of this many, each run's texts read ahead together. */
export const PRELOAD_LINES = 32_768;

/**
 * Reads ahead the stored texts of the lines in `lines[from, to)` (other entries are skipped), so that
 * reading them one by one does not cost a read each. Returns the function that lets them go.
 */
export function preloadTexts(lines: readonly unknown[], from: number, to: number): () => void {
  let store: TextStore | null = null;
  const refs: number[] = [];
  for (let i = from; i < to; i++) {
    const l = lines[i];
    if (l instanceof StoredLine) {
      store ??= l.store;
      refs.push(l.ref);
    }
  }
  if (store === null) return () => {};
  store.preload(refs);
  return () => store!.forget();
}

export class SimEvent extends StoredLine {
  constructor(
    store: TextStore,
    ref: number,
    /** True time of the write (epoch ms); sinks are sorted by ts, keeping emission order for ties. */
    readonly ts: number,
    /** Physical lines of the entry (several for multi-line entries such as Laravel exceptions). */
    readonly lineCount: number,
  ) {
    super(store, ref);
  }
}

/** Where a bus that streams hands its events over, every `every` events (event-runs.ts). */
export interface RunSink {
  every: number;
  /** Takes every sink's events, each list sorted by time; the bus then lets them go. */
  addRun(sinks: ReadonlyMap<string, readonly SimEvent[]>): void;
}

/**
 * Collects events per sink (e.g. `nginx/web1`, `app/laravel`), dropping what falls outside the window.
 * Given a RunSink, it holds at most a run's worth of events: the rest wait on disk, and `sinks`
 * holds only the events since the last hand-over.
 */
export class EventBus {
  readonly sinks = new Map<string, SimEvent[]>();
  private held = 0;

  constructor(
    readonly startMs: number,
    readonly endMs: number,
    readonly store: TextStore,
    private readonly runs: RunSink | null = null,
  ) {}

  /** Hands the events held so far to the RunSink as one run and forgets them (and their text). */
  handOver(): void {
    if (this.runs === null || this.held === 0) return;
    this.sortAll();
    this.runs.addRun(this.sinks);
    for (const list of this.sinks.values()) list.length = 0;
    this.held = 0;
    this.store.close();
  }

  inWindow(ts: number): boolean {
    return ts >= this.startMs && ts < this.endMs;
  }

  emit(sink: string, ts: number, text: string | string[], extra?: { pay?: number; forged?: number }): SimEvent | undefined {
    if (!this.inWindow(ts)) return undefined;
    // at the next event, not after this one: its writer may still add marks to the event it gets back
    if (this.runs !== null && this.held >= this.runs.every) this.handOver();
    this.held++;
    let ev: SimEvent;
    if (typeof text === 'string') ev = new SimEvent(this.store, this.store.put(text), Math.floor(ts), 1);
    else {
      const first = this.store.put(text[0]!);
      for (let i = 1; i < text.length; i++) this.store.put(text[i]!);
      ev = new SimEvent(this.store, first, Math.floor(ts), text.length);
    }
    if (extra?.pay !== undefined) ev.pay = extra.pay;
    if (extra?.forged !== undefined) ev.forged = extra.forged;
    let list = this.sinks.get(sink);
    if (!list) {
      list = [];
      this.sinks.set(sink, list);
    }
    list.push(ev);
    return ev;
  }

  /** Sorts every sink by time; Array#sort is stable, so equal times keep emission order. */
  sortAll(): void {
    for (const list of this.sinks.values()) list.sort((a, b) => a.ts - b.ts);
  }
}
