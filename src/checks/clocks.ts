import { dirname } from 'node:path';
import type { Evidence } from '../model/types';

// Clock skew between sources, estimated from events that appear in two of them: the same
// callback for the same order, seen in an nginx log and in the application log. The median
// difference per pair of sources is robust to the odd retry matched with the wrong copy.

export interface SkewEstimate {
  source: string;
  reference: string;
  pairs: number;
  median_offset_s: number;
}

const sourceOf = (e: Evidence) => `${e.format}@${dirname(e.source.file)}`;

/** Collects, order by order, the time differences between copies of the same callback. */
export class SkewEstimator {
  private readonly diffs = new Map<string, number[]>();

  visit(list: Evidence[]): void {
    const notifies = list.filter((e) => e.kind === 'payment_notified' && !Number.isNaN(e.tsMs));
    const app = notifies.filter((e) => !e.format.startsWith('nginx'));
    const web = notifies.filter((e) => e.format.startsWith('nginx'));
    if (app.length === 0 || web.length === 0) return;
    for (const w of web) {
      // The app-log copy nearest in time is the same request.
      let best: Evidence | undefined;
      for (const a of app) if (!best || Math.abs(a.tsMs - w.tsMs) < Math.abs(best.tsMs - w.tsMs)) best = a;
      if (!best || Math.abs(best.tsMs - w.tsMs) > 600_000) continue;
      const key = `${sourceOf(w)}\u0000${sourceOf(best)}`;
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
      out.push({ source, reference, pairs: d.length, median_offset_s: d[Math.floor(d.length / 2)]! });
    }
    return out.sort((a, b) => (a.source < b.source ? -1 : 1));
  }
}

export function estimateSkew(evidenceByOrder: Map<string, Evidence[]>, minPairs = 5): SkewEstimate[] {
  const s = new SkewEstimator();
  for (const list of evidenceByOrder.values()) s.visit(list);
  return s.finish(minPairs);
}
