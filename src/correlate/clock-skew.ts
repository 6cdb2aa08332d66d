import { sourceId } from '../sources/source-id';
import type { Evidence } from '../model/types';

// Clock skew between sources, estimated from events that appear in two of them: the same
// callback for the same order, seen in an nginx log and in the application log. The median
// difference per pair of sources is robust to the odd retry matched with the wrong copy.
// The application log is the reference (it writes the order's own events); a web source that
// is off by at least MIN_CORRECT_S is corrected before records are built.

export interface SkewEstimate {
  source: string;
  reference: string;
  pairs: number;
  median_offset_s: number;
  /** True when evidence from `source` had `median_offset_s` taken off its times. */
  corrected: boolean;
  /** How it was measured, when not from callbacks paired with the application log (host-skew.ts). */
  basis?: string;
}

export const MIN_CORRECT_S = 2;

export const sourceOf = (e: Pick<Evidence, 'format' | 'source'>) => sourceId(e.format, e.source.file);

/** One callback's time, and where it was logged: all the estimator needs of it. */
export interface CallbackTime {
  source: string;
  /** Logged by the web server (else by the application, the reference clock). */
  web: boolean;
  tsMs: number;
}

export function callbackTime(e: Pick<Evidence, 'format' | 'source' | 'tsMs'>, source = sourceOf(e)): CallbackTime {
  return { source, web: e.format.startsWith('nginx'), tsMs: e.tsMs };
}

/** Collects, order by order, the time differences between copies of the same callback. */
export class SkewEstimator {
  private readonly diffs = new Map<string, number[]>();

  visit(list: Evidence[]): void {
    this.visitTimes(list.filter((e) => e.kind === 'payment_notified').map((e) => callbackTime(e)));
  }

  /** One order's callbacks. */
  visitTimes(list: readonly CallbackTime[]): void {
    const times = list.filter((c) => !Number.isNaN(c.tsMs));
    const app = times.filter((c) => !c.web);
    const web = times.filter((c) => c.web);
    if (app.length === 0 || web.length === 0) return;
    for (const w of web) {
      // The app-log copy nearest in time is the same request.
      let best: CallbackTime | undefined;
      // Ties go by source, then time, never by which line was seen first (that depends on reading order).
      for (const a of app) if (!best || nearer(a, best, w.tsMs)) best = a;
      if (!best || Math.abs(best.tsMs - w.tsMs) > 600_000) continue;
      const key = `${w.source}\u0000${best.source}`;
      let d = this.diffs.get(key);
      if (!d) this.diffs.set(key, (d = []));
      d.push((w.tsMs - best.tsMs) / 1000);
    }
  }

  finish(minPairs = 5): SkewEstimate[] {
    const out: SkewEstimate[] = [];
    for (const [key, d] of this.diffs) {
      if (d.length < minPairs) continue;
      d.sort((a, b) => a - b);
      const [source, reference] = key.split('\u0000') as [string, string];
      const median = d[Math.floor(d.length / 2)]!;
      out.push({ source, reference, pairs: d.length, median_offset_s: median, corrected: false });
    }
    out.sort((a, b) => (a.source !== b.source ? (a.source < b.source ? -1 : 1) : a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
    // One correction per source: the one backed by the most pairs (equal counts: the first reference by name).
    const seen = new Set<string>();
    for (const k of [...out].sort((a, b) => b.pairs - a.pairs)) {
      if (seen.has(k.source)) continue;
      seen.add(k.source);
      if (Math.abs(k.median_offset_s) >= MIN_CORRECT_S) k.corrected = true;
    }
    return out;
  }

  /** Offsets in seconds to subtract from each corrected source's times. */
  static corrections(estimates: SkewEstimate[]): Map<string, number> {
    return new Map(estimates.filter((k) => k.corrected).map((k) => [k.source, k.median_offset_s]));
  }
}

export function estimateSkew(evidenceByOrder: Map<string, Evidence[]>, minPairs = 5): SkewEstimate[] {
  const s = new SkewEstimator();
  for (const list of evidenceByOrder.values()) s.visit(list);
  return s.finish(minPairs);
}

/** Whether app-log callback `a` is the better match than `b` for a web callback at `at`. */
function nearer(a: CallbackTime, b: CallbackTime, at: number): boolean {
  const da = Math.abs(a.tsMs - at);
  const db = Math.abs(b.tsMs - at);
  if (da !== db) return da < db;
  if (a.source !== b.source) return a.source < b.source;
  return a.tsMs < b.tsMs;
}
