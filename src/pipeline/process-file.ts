import { isAscii } from 'node:buffer';
import { statSync } from 'node:fs';
import { emptyFileReport } from '../model/file-report';
import type { Evidence, FileReport, LogEvent, Reject } from '../model/types';
import { LineSplitter, HEAD_BYTES } from '../sources/line-splitter';
import { decodeLine, printableHead } from '../sources/decode-line';
import { readInput, noteRead } from '../sources/read-input';
import { splitMemberPath } from '../sources/bundle/member-path';
import { detectFormat, parserById } from '../../parsers/registry';
import type { LineParser, ParserDefinition } from '../../parsers/parser';
import { ZoneClock, isoWithOffset } from '../../parsers/time';
import type { RuleEngine } from '../../rules/engine/engine';
import { NoiseMentionTally } from '../audit/noise-mentions';
import { OutputWriteError } from '../sinks/output-folder';
import { READING } from '../settings';

// One input file, end to end as far as evidence: bytes → lines → text → events → evidence.
// Every physical line ends in exactly one of: evidence, noise, rejected. The counts are kept
// here, next to the decisions, so the report cannot drift from what was done.

export interface FileSinks {
  evidence(e: Evidence): void;
  reject(r: Reject): void;
}

export interface ProcessOptions {
  tz: string;
  maxLineBytes: number;
  /** Forced parser id or family for this file (`--format`), else detection. */
  format?: string;
  /** Parsers tried before the built-ins (the user's --nginx-format), for detection and --format. */
  parsers?: readonly ParserDefinition[];
  /** Called every `progressBytes` of input: bytes since the last call, lines so far, the
   *  time of the latest event read (NaN if none yet), which is how far in time the file has got,
   *  and the on-disk bytes of the file read so far. */
  onProgress?: (bytesRead: number, lines: number, reachedMs: number, diskBytes: number) => void;
  progressBytes?: number;
  /** Backpressure: reading waits while this returns a promise. */
  pace?: () => Promise<void> | undefined;
}

const SNIFF_LINES = 64;
const READ_CHUNK = READING.chunkBytes;
const SNIFF_BYTES = 512 * 1024;
/** Lines longer than this vote in detection only when there is nothing shorter: a line of many
 *  megabytes says little about the format and is slow (or out of stack) for a parser's test. */
const SNIFF_LINE_CHARS = 64 * 1024;
/** Notes per file about lines a stage could not handle (each line is also counted where it went). */
const MAX_LINE_ERRORS = 20;

interface Pending {
  text: string;
  lineNo: number;
  offset: number;
}

/** Orders already seen per rule, for `repeat: first`. Bounded: when full it starts again empty,
 *  after which a repeat is emitted again, which is harmless. */
class SeenOrders {
  private readonly byRule = new Map<string, Set<string>>();
  private size = 0;

  constructor(private readonly limit: number) {}

  /** True when this rule has seen this order before; otherwise remembers it. */
  repeated(rule: string, orderId: string): boolean {
    let seen = this.byRule.get(rule);
    if (seen === undefined) this.byRule.set(rule, (seen = new Set()));
    else if (seen.has(orderId)) return true;
    if (this.size >= this.limit) {
      this.byRule.clear();
      this.byRule.set(rule, (seen = new Set()));
      this.size = 0;
    }
    seen.add(orderId);
    this.size++;
    return false;
  }
}

export async function processFile(path: string, displayName: string, engine: RuleEngine, sinks: FileSinks, opts: ProcessOptions): Promise<FileReport> {
  const report: FileReport = emptyFileReport(displayName);
  const byRule = new Map<string, number>();
  const seenFirst = new SeenOrders(200_000);
  const perHour = new Map<number, number>();
  // Noise lines that name order-number-shaped tokens, for the mentions audit (src/audit/).
  const mentions = new NoiseMentionTally();
  try {
    // A bundle member has no path of its own: the bundle is opened when it is read.
    if (!splitMemberPath(path)) statSync(path);
  } catch (e) {
    report.damaged = true;
    report.errors.push(`cannot open: ${(e as Error).message}`);
    return report;
  }
  const clock = new ZoneClock(opts.tz);
  let firstMs = Infinity;
  let lastMs = -Infinity;
  let latestMs = NaN;
  let firstOff = 0;
  let lastOff = 0;

  const reject = (lineNo: number, offset: number, reason: string, head: string) => {
    report.rejected++;
    sinks.reject({ file: displayName, line: lineNo, offset, reason, head: head.length > HEAD_BYTES ? head.slice(0, HEAD_BYTES) : head });
  };

  let family = '';
  const onEvent = (ev: LogEvent) => {
    const span = ev.lines ?? ev.lineEnd - ev.line + 1;
    report.parsed += span;
    if (!Number.isNaN(ev.tsMs)) {
      if (ev.tsMs < firstMs) { firstMs = ev.tsMs; firstOff = ev.tzOffsetMin; }
      if (ev.tsMs > lastMs) { lastMs = ev.tsMs; lastOff = ev.tzOffsetMin; }
      latestMs = ev.tsMs;
    }
    let m: ReturnType<RuleEngine['match']>;
    try {
      m = engine.match(ev, family);
    } catch (e) {
      // Counted as noise (it was parsed), and named in the file's errors.
      lineFailed('apply the rules to it', ev.line, e);
      m = null;
    }
    if (m === null) {
      report.noise += span;
      try {
        mentions.add(ev, span);
      } catch {
        /* the audit of noise is best effort: a line it cannot read is not tallied */
      }
    } else {
      report.evidence_lines += span;
      byRule.set(m.rule, (byRule.get(m.rule) ?? 0) + span);
      if (!Number.isNaN(ev.tsMs)) {
        const hour = Math.floor(ev.tsMs / 3600000);
        perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
      }
      // A repeat is dropped before its evidence is finished: most repeats are status polls, and
      // they can outnumber everything else.
      if (engine.firstOnly.has(m.rule) && m.fields.order_id !== undefined && seenFirst.repeated(m.rule, String(m.fields.order_id))) {
        report.collapsed_repeats++;
        return;
      }
      let e: Evidence;
      try {
        e = engine.evidence(m);
      } catch (err) {
        lineFailed('build evidence from it', ev.line, err);
        return;
      }
      report.evidence_items++;
      sinks.evidence(e);
    }
  };

  let parser: LineParser | null = null;
  let unknownFormat = false;
  let sawGbk = false;
  let sniffing: Pending[] | null = [];
  let sniffBytes = 0;
  const sink = {
    event: onEvent,
    reject: (lineNo: number, offset: number, reason: string, text: string) => reject(lineNo, offset, reason, text),
    blank: () => {
      report.parsed++;
      report.noise++;
    },
  };

  const startParser = (def: ParserDefinition | null, confidence: number, votes: string) => {
    if (def === null) {
      unknownFormat = true;
      report.errors.push(`no parser recognises this file (best guesses: ${votes}); its lines are rejected. Use --format <glob>=<format> if you know it. / 无法识别文件格式`);
      report.damaged = true;
    } else {
      report.format = def.id;
      report.detect_confidence = Math.round(confidence * 1000) / 1000;
      family = def.family;
      parser = def.create({ file: displayName, clock }, sink);
    }
  };

  // Errors are values at line level: a line a parser cannot handle (a regex out of stack on a
  // line of many megabytes, say) is rejected with the reason, and the file is read on. Without
  // this the exception ended the file's reading, and its remaining lines went uncounted.
  // System errors (a full disk under the evidence spill, say) are the run's, not the line's:
  // they go on up.
  let lineErrors = 0;
  const lineFailed = (what: string, lineNo: number, e: unknown): string => {
    if (typeof (e as NodeJS.ErrnoException)?.code === 'string' || e instanceof OutputWriteError) throw e;
    const why = e instanceof RangeError ? `${(e as Error).message} (the line is too large or too deeply nested to ${what})` : `internal error: ${(e as Error)?.message ?? String(e)}; please report it`;
    if (lineErrors++ < MAX_LINE_ERRORS) report.errors.push(`line ${lineNo}: could not ${what}: ${why} / 第 ${lineNo} 行无法处理`);
    report.damaged = true;
    return why;
  };
  const handleText = (text: string, lineNo: number, offset: number) => {
    if (parser !== null) {
      try {
        (parser as LineParser).line(text, lineNo, offset);
      } catch (e) {
        reject(lineNo, offset, `could not be parsed: ${lineFailed('parse it', lineNo, e)} / 无法解析`, text);
      }
    } else if (unknownFormat) {
      if (text.trim() === '') sink.blank();
      else reject(lineNo, offset, 'unknown file format / 未知格式', text);
    }
  };

  const endSniff = () => {
    const pending = sniffing!;
    sniffing = null;
    if (opts.format) {
      const def = parserById(opts.format, opts.parsers);
      startParser(def ?? null, 1, `forced ${opts.format} is unknown`);
    } else {
      const sample = pending.map((p) => p.text).filter((t) => t.trim() !== '');
      const short = sample.filter((t) => t.length <= SNIFF_LINE_CHARS);
      const d = detectFormat(short.length > 0 ? short : sample, opts.parsers);
      startParser(d.parser, d.confidence, d.votes.map((v) => `${v.id} ${v.confidence.toFixed(2)}`).join(', '));
    }
    for (const p of pending) handleText(p.text, p.lineNo, p.offset);
  };

  let lines = 0;
  // The chunk being split, and whether it is all ASCII: one native scan per chunk rather than one
  // per line. Lines joined across chunks come in another buffer and are scanned on their own.
  let chunk: Buffer | undefined;
  let chunkAscii = false;
  const splitter = new LineSplitter(
    {
      line(buf, start, end, lineNo, offset) {
        lines = lineNo;
        const d = decodeLine(buf, start, end, chunkAscii && buf === chunk);
        if (!d.ok) {
          reject(lineNo, offset, d.reason, printableHead(buf, start, end));
          return;
        }
        if (d.encoding === 'gbk') sawGbk = true;
        if (sniffing !== null) {
          sniffing.push({ text: d.text, lineNo, offset });
          sniffBytes += end - start;
          if (sniffing.length >= SNIFF_LINES || sniffBytes >= SNIFF_BYTES) endSniff();
          return;
        }
        handleText(d.text, lineNo, offset);
      },
      overlong(head, length, lineNo, offset) {
        lines = lineNo;
        reject(lineNo, offset, `line too long: ${length} bytes (limit ${opts.maxLineBytes}; raise it with --max-line-bytes) / 行过长`, printableHead(head, 0, head.length));
      },
    },
    opts.maxLineBytes,
  );

  let sinceProgress = 0;
  const read = await readInput(path, (c, disk) => {
    chunk = c;
    chunkAscii = isAscii(c);
    splitter.push(c);
    chunk = undefined;
    sinceProgress += c.length;
    if (opts.onProgress && sinceProgress >= (opts.progressBytes ?? 8 << 20)) {
      opts.onProgress(sinceProgress, lines, latestMs, disk);
      sinceProgress = 0;
    }
  }, READ_CHUNK, undefined, opts.pace).catch((e: Error) => {
    report.damaged = true;
    report.errors.push(`read error: ${e.message} / 读取失败`);
    return undefined;
  });
  const stats = splitter.end();
  if (sniffing !== null) endSniff();
  if (parser !== null) {
    try {
      (parser as LineParser).end();
    } catch (e) {
      // The entry still open is lost; the accounting check names the file if lines went uncounted.
      lineFailed('finish the last entry', lines, e);
    }
  }

  report.lines_total = stats.lines;
  noteRead(report, read);
  if (stats.unterminatedLastLine && stats.lines > 0) {
    report.errors.push('the last line has no newline: it may have been cut short / 最后一行没有换行符，可能被截断');
  }
  if (report.rejected > 0) report.damaged = true;
  if (sawGbk) report.encoding = 'gbk';
  for (const [r, c] of [...byRule].sort((a, b) => (a[0] < b[0] ? -1 : 1))) report.by_rule[r] = c;
  for (const [h, c] of [...perHour].sort((a, b) => a[0] - b[0])) report.per_hour[String(h * 3600000)] = c;
  if (firstMs !== Infinity) report.first_ts = isoWithOffset(firstMs, firstOff);
  if (lastMs !== -Infinity) report.last_ts = isoWithOffset(lastMs, lastOff);
  const tally = mentions.result();
  if (tally !== undefined) report.noise_mentions = tally;
  return report;
}
