import { esc } from './escape';
import { bucketOf, linearScale, niceTicks } from './scales';

// The report's charts as inline SVG strings: no library, no network, nothing to load. Each data
// point is an element with class `pt` and data-series / data-x / data-v attributes, so the
// browser test can read back what was drawn and compare it with report.json. Text from the logs
// (source names) is escaped here like everywhere else.

/** A text in both languages; the page shows one (CSS on the `en` / `zh` classes). */
export interface Label { en: string; zh: string }

export const PALETTE = ['#2f6fb0', '#e08a1e', '#3a9a5b', '#c04848', '#7b5ea7', '#8c6d46', '#d16fb4', '#6f7f8f', '#1fa3a3', '#a3a31f'];

const W = 960;

function bi(l: Label): string {
  return `<tspan class="en">${esc(l.en)}</tspan><tspan class="zh">${esc(l.zh)}</tspan>`;
}

function titleOf(text: string): string {
  return `<title>${esc(text)}</title>`;
}

/** Indices of at most `max` evenly spaced x-axis labels among n buckets. */
export function labelEvery(n: number, max: number): number {
  return Math.max(1, Math.ceil(n / Math.max(1, max)));
}

export interface TimelineInput {
  starts: number[];
  bucketMs: number;
  lanes: { source: string; counts: number[]; total: number }[];
  gaps: { source: string; from_ms: number; to_ms: number; from: string; to: string }[];
  tick: (ms: number) => string;
  holeLabel: Label;
}

/** One lane per source: lines per bucket (each lane scaled to its own busiest bucket), holes hatched. */
export function timelineSvg(inp: TimelineInput): string {
  const n = inp.starts.length;
  const left = 250;
  const right = 10;
  const laneH = 34;
  const top = 6;
  const h = top + inp.lanes.length * laneH + 26;
  const x = linearScale(0, Math.max(1, n), left, W - right);
  const bw = Math.max(1, (W - left - right) / Math.max(1, n) - 0.6);
  const parts: string[] = [];
  parts.push(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#c04848" opacity="0.45"/></pattern></defs>`);
  inp.lanes.forEach((lane, i) => {
    const y0 = top + i * laneH;
    const base = y0 + laneH - 6;
    const max = Math.max(1, ...lane.counts);
    const y = linearScale(0, max, base, y0 + 3);
    parts.push(`<rect x="${left}" y="${y0 + 2}" width="${W - left - right}" height="${laneH - 6}" fill="#f4f6f8"/>`);
    parts.push(`<text x="${left - 6}" y="${y0 + laneH / 2}" text-anchor="end" class="lane">${esc(shorten(lane.source, 38))}${titleOf(`${lane.source}: ${lane.total}`)}</text>`);
    parts.push(`<text x="${left - 6}" y="${y0 + laneH / 2 + 11}" text-anchor="end" class="small">max ${max}/h · ${lane.total}</text>`);
    lane.counts.forEach((c, b) => {
      if (c <= 0) return;
      const yy = y(c);
      parts.push(`<rect class="pt" data-series="${esc(lane.source)}" data-x="${inp.starts[b]}" data-v="${c}" x="${r1(x(b))}" y="${r1(yy)}" width="${r1(bw)}" height="${r1(Math.max(0.8, base - yy))}" fill="${PALETTE[i % PALETTE.length]}">${titleOf(`${inp.tick(inp.starts[b]!)} · ${c}`)}</rect>`);
    });
    for (const g of inp.gaps) {
      if (g.source !== lane.source || n === 0) continue;
      const b0 = Math.max(0, bucketOf(g.from_ms, inp.starts[0]!, inp.bucketMs));
      const b1 = Math.min(n, Math.max(b0 + 1, Math.ceil((g.to_ms - inp.starts[0]!) / inp.bucketMs)));
      parts.push(`<rect class="hole" data-source="${esc(g.source)}" data-from="${g.from_ms}" data-to="${g.to_ms}" x="${r1(x(b0))}" y="${y0 + 2}" width="${r1(Math.max(2, x(b1) - x(b0)))}" height="${laneH - 6}" fill="url(#hatch)" stroke="#c04848" stroke-width="1">${titleOf(`${g.from} – ${g.to}`)}</rect>`);
    }
  });
  const axisY = top + inp.lanes.length * laneH + 14;
  const every = labelEvery(n, 10);
  for (let b = 0; b < n; b += every) parts.push(`<text x="${r1(x(b))}" y="${axisY}" class="small">${esc(inp.tick(inp.starts[b]!))}</text>`);
  parts.push(`<rect x="${W - 170}" y="${axisY + 2}" width="14" height="8" fill="url(#hatch)" stroke="#c04848"/><text x="${W - 152}" y="${axisY + 10}" class="small">${bi(inp.holeLabel)}</text>`);
  return `<svg class="chart" data-chart="coverage" viewBox="0 0 ${W} ${axisY + 12}" role="img" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

export interface BarsInput {
  chart: string;
  starts: number[];
  series: { name: string; values: number[] }[];
  tick: (ms: number) => string;
  yLabel: Label;
  format?: (v: number) => string;
}

/** Bars per bucket, the series stacked (channels). */
export function stackedBarsSvg(inp: BarsInput): string {
  const n = inp.starts.length;
  const left = 60;
  const right = 10;
  const top = 24;
  const plotH = 170;
  const fmt = inp.format ?? ((v: number) => String(v));
  const totals = inp.starts.map((_, b) => inp.series.reduce((s, se) => s + (se.values[b] ?? 0), 0));
  const ticks = niceTicks(Math.max(0, ...totals), 4);
  const y = linearScale(0, ticks[ticks.length - 1]!, top + plotH, top);
  const x = linearScale(0, Math.max(1, n), left, W - right);
  const bw = Math.max(1, (W - left - right) / Math.max(1, n) - 0.8);
  const parts: string[] = [];
  for (const t of ticks) parts.push(`<line x1="${left}" x2="${W - right}" y1="${r1(y(t))}" y2="${r1(y(t))}" stroke="#e3e6ea"/><text x="${left - 5}" y="${r1(y(t)) + 4}" text-anchor="end" class="small">${esc(fmt(t))}</text>`);
  parts.push(`<text x="${left}" y="12" class="small">${bi(inp.yLabel)}</text>`);
  for (let b = 0; b < n; b++) {
    let acc = 0;
    inp.series.forEach((se, i) => {
      const v = se.values[b] ?? 0;
      if (v <= 0) return;
      const y1 = y(acc + v);
      const y0 = y(acc);
      acc += v;
      parts.push(`<rect class="pt" data-series="${esc(se.name)}" data-x="${inp.starts[b]}" data-v="${v}" x="${r1(x(b))}" y="${r1(y1)}" width="${r1(bw)}" height="${r1(Math.max(0.5, y0 - y1))}" fill="${PALETTE[i % PALETTE.length]}">${titleOf(`${inp.tick(inp.starts[b]!)} · ${se.name} · ${fmt(v)}`)}</rect>`);
    });
  }
  const every = labelEvery(n, 10);
  for (let b = 0; b < n; b += every) parts.push(`<text x="${r1(x(b))}" y="${top + plotH + 14}" class="small">${esc(inp.tick(inp.starts[b]!))}</text>`);
  let lx = left;
  inp.series.forEach((se, i) => {
    parts.push(`<rect x="${lx}" y="${top + plotH + 22}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${lx + 14}" y="${top + plotH + 31}" class="small">${esc(se.name)}</text>`);
    lx += 24 + 7 * Math.min(20, se.name.length);
  });
  return `<svg class="chart" data-chart="${esc(inp.chart)}" viewBox="0 0 ${W} ${top + plotH + 38}" role="img" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

/** Records per confidence bin over [0, 1]; the 0.9 line marks what restore.sql and review.csv split on. */
export function histogramSvg(bins: number[], yLabel: Label): string {
  const w = 460;
  const left = 50;
  const right = 10;
  const top = 24;
  const plotH = 170;
  const n = bins.length;
  const ticks = niceTicks(Math.max(0, ...bins), 4);
  const y = linearScale(0, ticks[ticks.length - 1]!, top + plotH, top);
  const x = linearScale(0, 1, left, w - right);
  const parts: string[] = [];
  for (const t of ticks) parts.push(`<line x1="${left}" x2="${w - right}" y1="${r1(y(t))}" y2="${r1(y(t))}" stroke="#e3e6ea"/><text x="${left - 5}" y="${r1(y(t)) + 4}" text-anchor="end" class="small">${t}</text>`);
  parts.push(`<text x="${left}" y="12" class="small">${bi(yLabel)}</text>`);
  bins.forEach((c, i) => {
    const lo = i / n;
    const hi = (i + 1) / n;
    if (c <= 0) return;
    parts.push(`<rect class="pt" data-series="confidence" data-x="${lo.toFixed(2)}" data-v="${c}" x="${r1(x(lo)) + 0.5}" y="${r1(y(c))}" width="${r1(x(hi) - x(lo) - 1)}" height="${r1(Math.max(0.5, top + plotH - y(c)))}" fill="${lo >= 0.9 ? '#3a9a5b' : lo >= 0.5 ? '#e08a1e' : '#c04848'}">${titleOf(`${lo.toFixed(2)}–${hi.toFixed(2)}${i === n - 1 ? ']' : ')'} · ${c}`)}</rect>`);
  });
  parts.push(`<line x1="${r1(x(0.9))}" x2="${r1(x(0.9))}" y1="${top}" y2="${top + plotH}" stroke="#333" stroke-dasharray="3 3"/>`);
  for (const t of [0, 0.25, 0.5, 0.75, 0.9, 1]) parts.push(`<text x="${r1(x(t))}" y="${top + plotH + 14}" text-anchor="middle" class="small">${t}</text>`);
  return `<svg class="chart half" data-chart="confidence" viewBox="0 0 ${w} ${top + plotH + 22}" role="img" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

export interface CalibrationPoint { label: string; mean_confidence: number | null; fraction_correct: number | null; claims: number }

/** Mean confidence against the share that was right, per bin: on the diagonal is well calibrated. */
export function calibrationSvg(points: CalibrationPoint[], labels: { x: Label; y: Label }): string {
  const size = 220;
  const left = 44;
  const top = 14;
  const x = linearScale(0, 1, left, left + size);
  const y = linearScale(0, 1, top + size, top);
  const parts: string[] = [`<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="#f8f9fa" stroke="#ccc"/>`, `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#999" stroke-dasharray="4 3"/>`];
  for (const t of [0, 0.5, 1]) parts.push(`<text x="${x(t)}" y="${top + size + 14}" text-anchor="middle" class="small">${t}</text><text x="${left - 5}" y="${y(t) + 4}" text-anchor="end" class="small">${t}</text>`);
  for (const p of points) {
    if (p.mean_confidence === null || p.fraction_correct === null || p.claims === 0) continue;
    const rad = Math.min(12, 3 + Math.sqrt(p.claims) / 3);
    parts.push(`<circle class="pt" data-series="calibration" data-x="${p.mean_confidence.toFixed(4)}" data-v="${p.fraction_correct.toFixed(4)}" cx="${r1(x(p.mean_confidence))}" cy="${r1(y(p.fraction_correct))}" r="${r1(rad)}" fill="#2f6fb0" fill-opacity="0.7">${titleOf(`${p.label}: ${p.claims} · ${p.mean_confidence.toFixed(3)} → ${p.fraction_correct.toFixed(3)}`)}</circle>`);
  }
  parts.push(`<text x="${left + size / 2}" y="${top + size + 30}" text-anchor="middle" class="small">${bi(labels.x)}</text>`);
  parts.push(`<text x="12" y="${top + size / 2}" transform="rotate(-90 12 ${top + size / 2})" text-anchor="middle" class="small">${bi(labels.y)}</text>`);
  return `<svg class="chart square" data-chart="calibration" viewBox="0 0 ${left + size + 20} ${top + size + 38}" role="img" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function r1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Long source names keep their end (the host folder is what tells lanes apart). */
export function shorten(s: string, max: number): string {
  return s.length <= max ? s : '…' + s.slice(s.length - max + 1);
}
