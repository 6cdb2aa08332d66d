import { FileAccount } from '../sources/file-account';
import type { ParserDefinition } from '../../parsers/parser';
import { readLog } from './read-log';
import { LineErrors } from './line-errors';

// The first timestamp of a file, from its first few hundred kilobytes. Files are then read in
// time order, so the correlator can tell when an order has gone quiet (every input has read
// past it). A guess that is wrong costs only memory and time, never a different result.
// It is read by the same loop as the file itself will be (read-log.ts), stopped early.

export interface PeekOptions {
  tz: string;
  format?: string;
  parsers?: readonly ParserDefinition[];
  /** Decompressed bytes looked at, at most. */
  maxBytes?: number;
}

/** The earliest time among the entries of the first this many lines. */
const PEEK_LINES = 200;
/** Longer lines are not a place to learn the time from (they are skipped, not held). */
const PEEK_LINE_BYTES = 64 * 1024;
const PEEK_CHUNK = 64 * 1024;

export async function peekStart(path: string, opts: PeekOptions): Promise<number | null> {
  let first = Infinity;
  const account = new FileAccount(path);
  const read = await readLog(path, {
    display: path,
    sink: {
      event(e) { if (e.tsMs < first) first = e.tsMs; },
      reject() {},
      blank() {},
    },
    account,
    errors: new LineErrors(account.report),
  }, {
    tz: opts.tz,
    format: opts.format,
    parsers: opts.parsers,
    maxLineBytes: PEEK_LINE_BYTES,
    chunkBytes: PEEK_CHUNK,
    maxLines: PEEK_LINES,
    maxBytes: opts.maxBytes ?? 256 * 1024,
  });
  if (read.readError !== undefined) return null; // unreadable: the real read reports why
  return Number.isFinite(first) ? first : null;
}

/** The first timestamps of many files, a few read at a time (an archive can hold thousands). */
export async function peekStarts(files: readonly { path: string; opts: PeekOptions }[], concurrency = 8): Promise<(number | null)[]> {
  const out: (number | null)[] = new Array(files.length).fill(null);
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const i = next++;
      out[i] = await peekStart(files[i]!.path, files[i]!.opts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, lane));
  return out;
}
