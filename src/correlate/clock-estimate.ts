import type { Evidence } from '../model/types';
import { MIN_CORRECT_S, SkewEstimator, sourceOf, type SkewEstimate } from './clock-skew';
import { chooseReference, fitIsConvincing, GatewayTimeAgreement, HostSkewEstimator } from './host-skew';
import type { Names } from './names';
import type { OrderKeys } from './order-keys';

// How far each source's clock is off, from what reading kept: callback times and the buyer's
// flow steps per order (in OrderKeys), and here the few counts the host-to-host estimate needs
// besides. Records built while reading use the corrections known so far; the end of the run
// estimates once more from everything.

export class ClockEstimate {
  private callbacks = 0;
  /** Each file's web source (0: not a web log), so a file is looked at once. */
  private readonly fileWebSource = new Map<string, number>();
  /** Evidence lines per web source: the fallback reference is the busier host. */
  private readonly webLines = new Map<number, number>();
  /** Callbacks against the gateway's own payment times, per web source. */
  private readonly gatewayTimes = new GatewayTimeAgreement();
  private latest: { at: number; map: Map<string, number> } = { at: 0, map: new Map() };

  constructor(
    private readonly keys: OrderKeys,
    private readonly names: Names,
  ) {}

  /** A callback with a time was read (its time is kept in OrderKeys). */
  callback(): void {
    this.callbacks++;
  }

  /** A web line of the buyer's flow from this source (its step is kept in OrderKeys). */
  webLine(source: number): void {
    this.webLines.set(source, (this.webLines.get(source) ?? 0) + 1);
  }

  /** A callback logged at `loggedMs` by web source `source` says the gateway was paid at `gatewayMs`. */
  gatewayTime(source: number, loggedMs: number, gatewayMs: number): void {
    this.gatewayTimes.note(source, loggedMs, gatewayMs);
  }

  /** The web source of line `i` of a batch (0 when not a web log); the line is parsed (`whole`) once per file when the file is known. */
  webSource(file: string | undefined, i: number, whole: (i: number) => Evidence): number {
    if (file !== undefined) {
      const got = this.fileWebSource.get(file);
      if (got !== undefined) return got;
    }
    const line = whole(i);
    const code = line.format.startsWith('nginx') ? this.names.sourceCode(sourceOf(line)) : 0;
    if (file !== undefined) this.fileWebSource.set(file, code);
    return code;
  }

  /** Clock corrections from the callbacks seen so far; worked out again only as more arrive. */
  corrections(): Map<string, number> {
    if (this.callbacks > this.latest.at * 1.2 + 100) {
      this.latest = { at: this.callbacks, map: SkewEstimator.corrections(this.estimate()) };
    }
    return this.latest.map;
  }

  /** Every source's offset that could be measured, against the application log or another host. */
  estimate(): SkewEstimate[] {
    const skew = new SkewEstimator();
    const hosts = new HostSkewEstimator();
    const sources = this.names.sources;
    // Sources are numbered as first seen, which depends on which file was read first: the host
    // estimate numbers them by name instead, so each pair is always measured the same way round.
    const byName = sources.map((_, i) => i + 1).sort((a, b) => (sources[a - 1]! < sources[b - 1]! ? -1 : 1));
    const rank = new Map(byName.map((code, i) => [code, i + 1]));
    for (let row = 0; row < this.keys.size; row++) {
      if (this.keys.hasCallbacks(row)) skew.visitTimes(this.keys.callbackTimes(row, sources));
      if (this.keys.hasSteps(row)) hosts.visit(this.keys.stepSpans(row).map((s) => ({ ...s, source: rank.get(s.source)! })));
    }
    const estimates = skew.finish();
    return estimates.concat(this.hostToHost(hosts, estimates, byName));
  }

  /**
   * Web sources the callbacks could not place against the application log, placed against each
   * other by the order of a buyer's requests split across them (host-skew.ts). A source already
   * measured against the application log anchors the other; when neither is, the reference is
   * the host that agrees with gateway payment times, else the one with more lines.
   */
  private hostToHost(hosts: HostSkewEstimator, known: readonly SkewEstimate[], byName: readonly number[]): SkewEstimate[] {
    const out: SkewEstimate[] = [];
    const placed = new Map<string, SkewEstimate>();
    for (const k of known) if (!placed.has(k.source) || k.corrected) placed.set(k.source, k);
    for (const p of hosts.finish()) {
      const [cx, cy] = [byName[p.x - 1]!, byName[p.y - 1]!];
      const x = this.names.source(cx);
      const y = this.names.source(cy);
      const px = placed.get(x);
      const py = placed.get(y);
      if (px && py) continue;
      const d = p.fit.offset_s; // x's clock − y's clock
      // The bounds' summary, turned to read as the reported source's offset (sign −1: y against x).
      const basis = (sign: 1 | -1, shift: number, tail: string) => {
        const [a, b] = sign === 1 ? [p.fit.from_s, p.fit.to_s] : [-p.fit.to_s, -p.fit.from_s];
        return `order of buyer requests split across hosts: ${p.orders} orders, ${p.bounds} bounds, ${p.fit.violations} disagreeing, consistent range ${a + shift}…${b + shift} s; ${tail}`;
      };
      let est: SkewEstimate;
      if (px || py) {
        // Chain through the measured host: offset against the application log.
        const [src, anchor, sign] = px ? [y, px, -1 as const] : [x, py!, 1 as const];
        const off = anchor.median_offset_s + sign * d;
        est = { source: src, reference: anchor.reference, pairs: p.orders, median_offset_s: off, corrected: false, basis: basis(sign, anchor.median_offset_s, `via ${px ? x : y}`) };
      } else {
        const ref = chooseReference(cx, cy, this.gatewayTimes, (c) => this.webLines.get(c) ?? 0);
        const sign = ref.reference === cx ? -1 : 1;
        const src = ref.reference === cx ? y : x;
        est = { source: src, reference: this.names.source(ref.reference), pairs: p.orders, median_offset_s: sign * d, corrected: false, basis: basis(sign, 0, `reference ${ref.why}`) };
      }
      const convincing = fitIsConvincing(p.fit, p.bounds);
      est.corrected = convincing && Math.abs(est.median_offset_s) >= MIN_CORRECT_S;
      if (!convincing) est.basis += `; NOT applied: ${p.fit.violations} of ${p.bounds} bounds disagree, so these requests do not follow the flow the estimate assumes / 过多约束相互矛盾，未校正`;
      // Reported either way; only a convincing estimate may anchor another host's.
      if (convincing) placed.set(est.source, est);
      out.push(est);
    }
    return out;
  }
}
