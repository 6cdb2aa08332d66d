import type { LogEvent } from '../model/types';
import type { InputReadResult } from '../sources/read-input';
import { FileAccount } from '../sources/file-account';
import { HEAD_BYTES } from '../sources/line-splitter';
import type { ParserDefinition } from '../../parsers/parser';
import { readLog } from './read-log';
import type { FormatChoice } from './format-sniffer';
import { LineErrors } from './line-errors';

// A file's entries one by one, for commands that show or mine them (`inspect`, `rules test`,
// `rules suggest`): the same read loop as the pipeline's (read-log.ts: splitter, decoder,
// detection and sample), with each line's outcome handed to the caller, who may stop it.

export type ScanItem =
  | { t: 'event'; ev: LogEvent }
  | { t: 'reject'; line: number; offset: number; reason: string; head: string }
  | { t: 'blank'; line: number };

export type ScanStart = FormatChoice;

export interface ScanOptions {
  tz: string;
  format?: string;
  /** Parsers tried before the built-ins (--nginx-format). */
  parsers?: readonly ParserDefinition[];
  maxLineBytes: number;
  /** Called once, when the format is known (before the first item). */
  onStart(s: ScanStart): void;
  /** Each line's outcome, in line order per entry; return false to stop reading. */
  onItem(item: ScanItem): boolean | void;
}

export interface ScanResult {
  read?: InputReadResult;
  readError?: string;
  /** Physical lines seen (all of them unless stopped). */
  lines: number;
  stopped: boolean;
  unterminatedLastLine: boolean;
}

// Small chunks: a preview stops after a few lines, and should not have read megabytes first.
const SCAN_CHUNK = 64 * 1024;

export async function scanFile(path: string, displayName: string, opts: ScanOptions): Promise<ScanResult> {
  const stop = new AbortController();
  const emit = (item: ScanItem) => {
    if (stop.signal.aborted) return;
    if (opts.onItem(item) === false) stop.abort();
  };
  // The counts are the caller's to keep; the report only collects what reading found.
  const account = new FileAccount(displayName);
  const read = await readLog(path, {
    display: displayName,
    sink: {
      event: (ev) => emit({ t: 'event', ev }),
      reject: (line, offset, reason, text) => emit({ t: 'reject', line, offset, reason, head: text.length > HEAD_BYTES ? text.slice(0, HEAD_BYTES) : text }),
      blank: (line) => emit({ t: 'blank', line }),
    },
    account,
    errors: new LineErrors(account.report),
  }, {
    tz: opts.tz,
    maxLineBytes: opts.maxLineBytes,
    chunkBytes: SCAN_CHUNK,
    signal: stop.signal,
    format: opts.format,
    parsers: opts.parsers,
    rejectsInLineOrder: true,
    onStart: (s) => opts.onStart(s),
  });
  return {
    ...(read.read !== undefined ? { read: read.read } : {}),
    ...(read.readError !== undefined ? { readError: read.readError } : {}),
    lines: read.lines,
    // Also stopped while the lines held for detection were parsed, after the last was read.
    stopped: read.stopped || stop.signal.aborted,
    unterminatedLastLine: read.unterminatedLastLine,
  };
}
