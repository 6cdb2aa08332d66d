// What the simulated shop writes, before it becomes files: one event per log entry, bucketed by sink.

export interface SimEvent {
  /** True time of the write (epoch ms); sinks are sorted by ts, keeping emission order for ties. */
  ts: number;
  /** One physical line, or several for multi-line entries (Laravel exceptions). A single-line event
   *  doubles as its own file line (see files.ts), so it carries the Line fields too. */
  text: string | string[];
  /** Index of the order whose payment this entry's first line shows, if any. */
  pay?: number;
  /** Index of a forged-callback record this entry belongs to, if any. */
  forged?: number;
  /** Damage actions that want to know where this entry's first line ends up. */
  marks?: number[];
  /** `--vocabulary` runs: index of the order this operator line is about, and which buyer fields it
   *  carries (render.ts LOGGED_* bits), for the truth's `logged`. */
  about?: number;
  logged?: number;
}

/** Collects events per sink (e.g. `nginx/web1`, `app/laravel`), dropping what falls outside the window. */
export class EventBus {
  readonly sinks = new Map<string, SimEvent[]>();

  constructor(
    readonly startMs: number,
    readonly endMs: number,
  ) {}

  inWindow(ts: number): boolean {
    return ts >= this.startMs && ts < this.endMs;
  }

  emit(sink: string, ts: number, text: string | string[], extra?: { pay?: number; forged?: number }): SimEvent | undefined {
    if (!this.inWindow(ts)) return undefined;
    const ev: SimEvent = { ts: Math.floor(ts), text };
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
