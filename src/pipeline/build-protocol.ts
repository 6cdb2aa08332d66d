import type { MessagePort } from 'node:worker_threads';

// What crosses between the main thread and a builder thread (build-pool.ts, build-worker.ts).
// Evidence crosses as the JSON text it already is; records come back as text too.

export interface BuilderSetup {
  /** The builder's end of its channel: everything both ways goes through it. */
  port: MessagePort;
  /** [0] counts messages the builder has posted (the main thread sleeps on it at the end of the
   *  run); [1] counts evidence items it has parked (the main thread sleeps on it when too far ahead). */
  shared: Int32Array;
  spillParent?: string;
}

/** `park`: orders leaving the main thread's memory, in a flat form (order i has `counts[i]` of `items`, its record is built when `build[i]`); `corrections`, when present, are the clock corrections known so far from now on. */
export type ToBuilder =
  | { t: 'park'; corrections?: [string, number][]; ids: string[]; counts: number[]; build: boolean[]; items: string[] }
  | { t: 'settle'; corrections: [string, number][]; open: [string, readonly string[]][]; retracted: [string, string[]][] };

/** One settled order as it crosses: the record's JSON and the checks' view of its evidence as JSON. */
export interface WireSettled {
  id: string;
  text: string;
  checked: string;
  dropped: number;
  kept: boolean;
}

export type FromBuilder =
  | { t: 'settled'; batch: WireSettled[] }
  | { t: 'end'; bytes: number }
  /** `code` and `path` of a system error (a full disk, say), so the main thread reports it as the write error it is. */
  | { t: 'fatal'; message: string; code?: string; path?: string };

/** Which builder holds an order: the same one for all of its evidence, whatever thread read it. */
export function laneOf(id: string, lanes: number): number {
  if (lanes <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}
