import type { Evidence, FileReport, LogEvent } from '../model/types';
import type { FileAccount } from '../sources/file-account';
import { sortedCounts } from '../sources/file-account';
import type { ParseSink } from '../../parsers/parser';
import { isoWithOffset } from '../../parsers/time';
import type { RuleEngine } from '../../rules/engine/engine';
import { NoiseMentionTally, type RequestMentions } from '../audit/noise-mentions';
import type { LineErrors } from './line-errors';
import { SeenOrders } from './seen-orders';

// What reconstruct does with a log file's entries: each goes through the rules and becomes
// evidence or noise, and is counted where it went (by rule, by hour, the file's time span,
// repeats collapsed, the noise that names order numbers). The read loop (read-log.ts) hands the
// entries here; everything about bytes, lines and formats stays there.

export class FileEvidence implements ParseSink {
  /** The parser family of the file, known once the format is (rules match on it). */
  family = '';
  /** The time of the latest entry read (NaN if none yet): how far in time the file has got. */
  latestMs = NaN;
  private readonly byRule = new Map<string, number>();
  private readonly perHour = new Map<number, number>();
  private readonly seenFirst = new SeenOrders(200_000);
  // Noise lines that name order-number-shaped tokens, for the mentions audit (src/audit/).
  private readonly mentions = new NoiseMentionTally();
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private firstOff = 0;
  private lastOff = 0;
  private readonly report: FileReport;

  constructor(
    private readonly engine: RuleEngine,
    private readonly account: FileAccount,
    private readonly errors: LineErrors,
    private readonly out: (e: Evidence) => void,
  ) {
    this.report = account.report;
  }

  event(ev: LogEvent): void {
    const report = this.report;
    const span = ev.lines ?? ev.lineEnd - ev.line + 1;
    report.parsed += span;
    this.dated(ev.tsMs, ev.tzOffsetMin);
    let m: ReturnType<RuleEngine['match']>;
    try {
      m = this.engine.match(ev, this.family);
    } catch (e) {
      // Counted as noise (it was parsed), and named in the file's errors.
      this.errors.failed('apply the rules to it', ev.line, e);
      m = null;
    }
    if (m === null) {
      report.noise += span;
      try {
        this.mentions.add(ev, span);
      } catch {
        /* the audit of noise is best effort: a line it cannot read is not tallied */
      }
      return;
    }
    report.evidence_lines += span;
    this.byRule.set(m.rule, (this.byRule.get(m.rule) ?? 0) + span);
    if (!Number.isNaN(ev.tsMs)) {
      const hour = Math.floor(ev.tsMs / 3600000);
      this.perHour.set(hour, (this.perHour.get(hour) ?? 0) + 1);
    }
    // A repeat is dropped before its evidence is finished: most repeats are status polls, and
    // they can outnumber everything else.
    if (this.engine.firstOnly.has(m.rule) && m.fields.order_id !== undefined && this.seenFirst.repeated(m.rule, String(m.fields.order_id))) {
      report.collapsed_repeats++;
      return;
    }
    let e: Evidence;
    try {
      e = this.engine.evidence(m);
    } catch (err) {
      this.errors.failed('build evidence from it', ev.line, err);
      return;
    }
    report.evidence_items++;
    this.out(e);
  }

  /**
   * A line the noise gate (noise-gate.ts) has found to be noise without parsing it: counted as
   * event() counts a noise event of one line with this time and request, and the status at
   * `statusAt` in `text`.
   */
  gatedNoise(line: number, offset: number, tsMs: number, tzOffsetMin: number, request: RequestMentions, text: string, statusAt: number): void {
    const report = this.report;
    report.parsed++;
    this.dated(tsMs, tzOffsetMin);
    report.noise++;
    try {
      request.add(line, offset, text, statusAt, 1);
    } catch {
      /* best effort, as in event() */
    }
  }

  /** The mentions audit's share for one request, for the noise gate. */
  requestMentions(method: string, path: string, query: string): RequestMentions {
    return this.mentions.request(method, path, query);
  }

  private dated(tsMs: number, tzOffsetMin: number): void {
    if (Number.isNaN(tsMs)) return;
    if (tsMs < this.firstMs) { this.firstMs = tsMs; this.firstOff = tzOffsetMin; }
    if (tsMs > this.lastMs) { this.lastMs = tsMs; this.lastOff = tzOffsetMin; }
    this.latestMs = tsMs;
  }

  reject(lineNo: number, offset: number, reason: string, text: string): void {
    this.account.reject(lineNo, offset, reason, text);
  }

  blank(): void {
    this.account.noise();
  }

  /** The tallies into the file's report, once it has been read. */
  finish(report: FileReport): void {
    sortedCounts(report.by_rule, this.byRule);
    for (const [h, c] of [...this.perHour].sort((a, b) => a[0] - b[0])) report.per_hour[String(h * 3600000)] = c;
    if (this.firstMs !== Infinity) report.first_ts = isoWithOffset(this.firstMs, this.firstOff);
    if (this.lastMs !== -Infinity) report.last_ts = isoWithOffset(this.lastMs, this.lastOff);
    const tally = this.mentions.result();
    if (tally !== undefined) report.noise_mentions = tally;
  }
}
