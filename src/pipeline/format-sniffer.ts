import type { TextLines } from '../sources/read-lines';
import type { FileAccount } from '../sources/file-account';
import { detectFormat, parserById, type Detection } from '../../parsers/registry';
import type { LineParser, ParseSink, ParserContext, ParserDefinition } from '../../parsers/parser';
import type { LineErrors } from './line-errors';

// Detect, then parse: the upper half of the read loop for log files. The first lines are held
// while the parsers vote on them (or the format given with --format is taken); then those lines
// and every line after them go to the chosen parser, which folds multi-line entries and hands
// each entry to the reader's sink. A file no parser recognises has its lines rejected.

/** Detection sees the first 64 text lines or 512 KiB of them, whichever comes first. */
const SNIFF_LINES = 64;
const SNIFF_BYTES = 512 * 1024;
/** Lines longer than this vote in detection only when there is nothing shorter: a line of many
 *  megabytes says little about the format and is slow (or out of stack) for a parser's test. */
const SNIFF_LINE_CHARS = 64 * 1024;

/** The format chosen for a file, and how. */
export interface FormatChoice {
  parser: ParserDefinition | null;
  /** The vote over the sample (also taken when the format is forced, for information). */
  detection: Detection;
  /** The parser id or family given with --format, when the format was forced. */
  forced?: string;
  /** Non-blank lines the vote was taken on. */
  sampleLines: number;
}

export interface SniffOptions {
  /** Forced parser id or family (`--format`), else detection. */
  format?: string;
  /** Parsers tried before the built-ins (the user's --nginx-format), for detection and --format. */
  parsers?: readonly ParserDefinition[];
  /** Lines rejected before the format is known wait for their turn, so that everything reaches
   *  the sink in line order (a preview shows it so); otherwise they go at once, which is the
   *  order rejects.ndjson has always had. */
  rejectsInLineOrder?: boolean;
  /** Told once, when the format is known, before the first entry. */
  onStart?: (choice: FormatChoice) => void;
  /** A reader may put a line parser of its own in front of the chosen format's, for lines it
   *  can deal with more cheaply (reconstruct's noise gate, noise-gate.ts); it hands the others on. */
  front?: (format: ParserDefinition, parser: LineParser) => LineParser;
}

/** A line held while sniffing: its text, or (in line order) its reject. */
interface Held {
  text: string;
  lineNo: number;
  offset: number;
  /** Set for a line the loop rejected: `text` is then its printable head. */
  reason?: string;
}

export class FormatSniffer implements TextLines {
  private parser: LineParser | null = null;
  private unknown = false;
  private held: Held[] | null = [];
  private heldTexts = 0;
  private heldBytes = 0;

  constructor(
    private readonly ctx: ParserContext,
    private readonly sink: ParseSink,
    private readonly account: FileAccount,
    private readonly errors: LineErrors,
    private readonly opts: SniffOptions,
  ) {}

  text(text: string, lineNo: number, offset: number, bytes: number): void {
    if (this.parser !== null && this.held === null) {
      // The per-line path, once the format is known.
      try {
        this.parser.line(text, lineNo, offset);
      } catch (e) {
        this.parseFailed(text, lineNo, offset, e);
      }
      return;
    }
    if (this.held !== null) {
      this.held.push({ text, lineNo, offset });
      this.heldTexts++;
      this.heldBytes += bytes;
      if (this.heldTexts >= SNIFF_LINES || this.heldBytes >= SNIFF_BYTES) this.choose();
      return;
    }
    this.handle(text, lineNo, offset);
  }

  reject(lineNo: number, offset: number, reason: string, head: string): void {
    if (this.held !== null && this.opts.rejectsInLineOrder) this.held.push({ text: head, lineNo, offset, reason });
    else this.sink.reject(lineNo, offset, reason, head);
  }

  /** After the last line: the format is chosen if the file was shorter than the sample, and the
   *  entry still open is handed on. `lastLine` is the number of the last line read. */
  end(lastLine: number): void {
    if (this.held !== null) this.choose();
    if (this.parser === null) return;
    try {
      this.parser.end();
    } catch (e) {
      // The entry still open is lost; the accounting check names the file if lines went uncounted.
      this.errors.failed('finish the last entry', lastLine, e);
    }
  }

  private handle(text: string, lineNo: number, offset: number): void {
    if (this.parser !== null) {
      try {
        this.parser.line(text, lineNo, offset);
      } catch (e) {
        this.parseFailed(text, lineNo, offset, e);
      }
    } else if (this.unknown) {
      if (text.trim() === '') this.sink.blank(lineNo);
      else this.sink.reject(lineNo, offset, 'unknown file format / 未知格式', text);
    }
  }

  private parseFailed(text: string, lineNo: number, offset: number, e: unknown): void {
    this.sink.reject(lineNo, offset, `could not be parsed: ${this.errors.failed('parse it', lineNo, e)} / 无法解析`, text);
  }

  private choose(): void {
    const held = this.held!;
    this.held = null;
    const sample: string[] = [];
    for (const h of held) if (h.reason === undefined && h.text.trim() !== '') sample.push(h.text);
    const short = sample.filter((t) => t.length <= SNIFF_LINE_CHARS);
    const voters = short.length > 0 ? short : sample;
    const detection = detectFormat(voters, this.opts.parsers);
    // An empty --format is no format (detection), as it always was.
    const forced = this.opts.format || undefined;
    const report = this.account.report;
    let parser: ParserDefinition | null;
    if (forced !== undefined) {
      parser = parserById(forced, this.opts.parsers) ?? null;
      if (parser === null) this.unknownFormat(`forced ${forced} is unknown`);
      else report.detect_confidence = 1;
    } else {
      parser = detection.parser;
      if (parser === null) this.unknownFormat(detection.votes.map((v) => `${v.id} ${v.confidence.toFixed(2)}`).join(', '));
      else report.detect_confidence = Math.round(detection.confidence * 1000) / 1000;
    }
    if (parser !== null) report.format = parser.id;
    this.opts.onStart?.({ parser, detection, sampleLines: voters.length, ...(forced !== undefined ? { forced } : {}) });
    if (parser !== null) {
      const created = parser.create(this.ctx, this.sink);
      this.parser = this.opts.front ? this.opts.front(parser, created) : created;
    }
    for (const h of held) {
      if (h.reason !== undefined) this.sink.reject(h.lineNo, h.offset, h.reason, h.text);
      else this.handle(h.text, h.lineNo, h.offset);
    }
  }

  private unknownFormat(votes: string): void {
    this.unknown = true;
    this.account.problem(`no parser recognises this file (best guesses: ${votes}); its lines are rejected. Use --format <glob>=<format> if you know it. / 无法识别文件格式`);
  }
}
