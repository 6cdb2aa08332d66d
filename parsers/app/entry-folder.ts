import type { LogEvent } from '../../src/model/types';
import type { ParseSink } from '../parser';
import { readDump } from './php-dump';

// Application logs write one entry per header line, followed by lines that belong to it (a
// stack trace, a dumped array). The folder keeps the entry that is open, attaches continuation
// lines to it (bounded), and counts every physical line exactly once: blank lines between
// entries are blanks, blank lines inside an entry belong to it, and a continuation with no
// entry above it is rejected.

/** The part every folded entry has; parsers add their own header fields. */
export interface OpenEntry {
  line: number;
  lineEnd: number;
  /** Physical lines this entry consumed: fewer than the span when a line inside it was rejected
   *  before reaching the parser (undecodable, overlong). */
  lines: number;
  offset: number;
  tsMs: number;
  tzOffsetMin: number;
  message: string;
  more: string[];
  moreChars: number;
}

/** Continuation text kept per entry: enough for a stack trace's head, bounded for memory. */
export const MAX_ENTRY_CHARS = 64 * 1024;

export function openEntry<E extends object>(line: number, offset: number, tsMs: number, tzOffsetMin: number, message: string, extra: E): OpenEntry & E {
  return { line, lineEnd: line, lines: 1, offset, tsMs, tzOffsetMin, message, more: [], moreChars: 0, ...extra };
}

export class EntryFolder<O extends OpenEntry> {
  private open: O | null = null;
  /** Blank lines seen since the last non-blank line of the open entry. */
  private readonly blanks: number[] = [];

  constructor(
    private readonly sink: ParseSink,
    /** Turns a finished entry into its event (the parser knows its fields). */
    private readonly finish: (o: O) => LogEvent,
  ) {}

  get hasOpen(): boolean {
    return this.open !== null;
  }

  /** A header line: the entry before it is finished, and this one is open. */
  begin(entry: O): void {
    this.close();
    this.open = entry;
  }

  blank(lineNo: number): void {
    if (this.open === null) this.sink.blank(lineNo);
    else this.blanks.push(lineNo);
  }

  /** A line that belongs to the open entry; rejected with `orphanReason` when none is open. */
  continuation(text: string, lineNo: number, offset: number, orphanReason: string): void {
    const o = this.open;
    if (o === null) {
      this.sink.reject(lineNo, offset, orphanReason, text);
      return;
    }
    if (o.moreChars < MAX_ENTRY_CHARS) {
      // Blank lines inside an entry belong to it.
      for (let i = 0; i < this.blanks.length; i++) o.more.push('');
      // A continuation line of many megabytes is kept only up to the budget, like the lines after it.
      const room = MAX_ENTRY_CHARS - o.moreChars;
      o.more.push(text.length > room ? text.slice(0, room) : text);
      o.moreChars += Math.min(text.length, room) + 1;
    }
    o.lines += this.blanks.length + 1;
    this.blanks.length = 0;
    o.lineEnd = lineNo;
  }

  /**
   * A line that is not a header: a blank, a header cut short (it matches `damaged`: rejected,
   * since it belongs to no entry), or a continuation of the open entry.
   */
  nonHeader(text: string, lineNo: number, offset: number, damaged: { looks: RegExp; reason: string }, orphanReason: string): void {
    if (text.trim() === '') this.blank(lineNo);
    else if (damaged.looks.test(text)) {
      this.close();
      this.sink.reject(lineNo, offset, damaged.reason, text);
    } else this.continuation(text, lineNo, offset, orphanReason);
  }

  /** Finish the open entry (if any) and count pending blank lines as blanks. */
  close(): void {
    if (this.open !== null) this.sink.event(this.finish(this.open));
    this.open = null;
    for (const n of this.blanks) this.sink.blank(n);
    this.blanks.length = 0;
  }
}

/** The event of a finished entry: its provenance and times, with the parser's fields. */
export function entryEvent(format: string, file: string, o: OpenEntry, fields: Record<string, string>): LogEvent {
  return { format, file, line: o.line, lineEnd: o.lineEnd, lines: o.lines, offset: o.offset, tsMs: o.tsMs, tzOffsetMin: o.tzOffsetMin, fields };
}

/**
 * The event of an entry whose message may carry a dump (`message {"json":…}`, or print_r /
 * var_export over the continuation lines): continuation lines become `body`, and a readable
 * dump becomes the event's params, with the message cut to the text before it.
 */
export function dumpedEntryEvent(format: string, file: string, o: OpenEntry, fields: Record<string, string>): LogEvent {
  if (o.more.length > 0) fields.body = o.more.join('\n');
  const ev = entryEvent(format, file, o, fields);
  const dump = readDump(o.more.length > 0 ? [o.message, ...o.more] : [o.message]);
  if (dump !== undefined) {
    ev.params = dump.params;
    if (dump.head !== undefined) fields.message = dump.head;
  }
  return ev;
}
