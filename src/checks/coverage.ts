import { sourceId } from '../sources/source-id';
import type { FileReport } from '../model/types';

// Coverage: an hour in which one source wrote (almost) nothing while the others kept writing is
// a hole in the evidence (a lost log file, a stopped daemon, a rotation gone wrong). Activity is
// counted in evidence lines, not all lines: bots and health checks keep nginx busy at night
// when no one shops, and an app log that is quiet then has lost nothing. Sources are
// grouped by format and folder, so rotated files of one log count as one source.

export interface CoverageGap {
  source: string;
  from: string;
  to: string;
  hours: number;
  /** Entries the other sources wrote in those hours. */
  others_wrote: number;
}

export interface CoverageReport {
  sources: { source: string; files: number; entries: number; busy_hours: number }[];
  gaps: CoverageGap[];
}

const HOUR = 3600000;
const MIN_EXPECTED = 8;

export function sourceOf(f: FileReport): string {
  return sourceId(f.format, f.file);
}

/**
 * `minTypical`: a source whose median busy hour has fewer entries than this is too quiet for
 * an empty hour to mean anything (an app log that only logs exceptions, say).
 */
export function coverageGaps(files: FileReport[], minTypical = 5, formatTime: (ms: number) => string = (ms) => new Date(ms).toISOString()): CoverageReport {
  const bySource = new Map<string, { files: number; hours: Map<number, number> }>();
  const all = new Map<number, number>();
  for (const f of files) {
    if (!f.format) continue;
    const key = sourceOf(f);
    let s = bySource.get(key);
    if (!s) bySource.set(key, (s = { files: 0, hours: new Map() }));
    s.files++;
    for (const [h, c] of Object.entries(f.per_hour ?? {})) {
      const hour = Number(h);
      s.hours.set(hour, (s.hours.get(hour) ?? 0) + c);
      all.set(hour, (all.get(hour) ?? 0) + c);
    }
  }
  const sources: CoverageReport['sources'] = [];
  const gaps: CoverageGap[] = [];
  for (const [source, s] of [...bySource].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const counts = [...s.hours.values()].sort((a, b) => a - b);
    sources.push({ source, files: s.files, entries: counts.reduce((a, b) => a + b, 0), busy_hours: counts.length });
    if (counts.length === 0) continue;
    const median = counts[Math.floor(counts.length / 2)]!;
    if (median < minTypical) continue;
    // How much this source writes for each line the others write: an empty hour is only a hole
    // when the others were busy enough that this source would almost surely have written
    // something (Poisson: expecting 8 lines, the chance of none is below 1 in 2,500). Night
    // hours, when only bots and health checks reach nginx, do not count.
    const mineTotal = counts.reduce((a, b) => a + b, 0);
    let othersTotal = 0;
    for (const [h, c] of all) if (s.hours.has(h)) othersTotal += c - s.hours.get(h)!;
    const ratio = othersTotal > 0 ? mineTotal / othersTotal : 0;
    const first = Math.min(...s.hours.keys());
    const last = Math.max(...s.hours.keys());
    let open: { from: number; to: number; others: number } | null = null;
    const close = () => {
      if (open) {
        gaps.push({
          source,
          from: formatTime(open.from),
          to: formatTime(open.to + HOUR),
          hours: (open.to - open.from) / HOUR + 1,
          others_wrote: open.others,
        });
        open = null;
      }
    };
    for (let h = first; h <= last; h += HOUR) {
      const mine = s.hours.get(h) ?? 0;
      const others = (all.get(h) ?? 0) - mine;
      const expected = others * ratio;
      if (expected >= MIN_EXPECTED && mine <= expected * 0.1) {
        if (open && open.to === h - HOUR) {
          open.to = h;
          open.others += others;
        } else {
          close();
          open = { from: h, to: h, others };
        }
      } else close();
    }
    close();
  }
  return { sources, gaps };
}
