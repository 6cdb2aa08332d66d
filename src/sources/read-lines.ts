import { isAscii } from 'node:buffer';
import { statSync } from 'node:fs';
import { LineSplitter } from './line-splitter';
import { decodeLine, printableHead } from './decode-line';
import { readInput, type InputReadResult } from './read-input';
import { splitMemberPath } from './bundle/member-path';

// The lower half of the one read loop: a path becomes decoded text lines. It opens the input
// read-only (hashing it, inflating gzip), splits it into lines with the max-line guard, and
// decodes each line. A line that cannot be decoded, or is too long, is handed on as a reject
// with its reason; every other line is handed on as text. Which format the text is and what
// its entries mean is for the reader given the lines: a log file's (src/pipeline/read-log.ts)
// or a merchant statement's (statements/read-statement.ts).

/** What the loop hands on, line by line, in line order. Called synchronously, once per line. */
export interface TextLines {
  text(text: string, lineNo: number, offset: number, bytes: number): void;
  /** A line the loop could not make text of: `head` is its first bytes, printable. */
  reject(lineNo: number, offset: number, reason: string, head: string): void;
}

export interface ReadLinesOptions {
  maxLineBytes: number;
  /** How the user raises the limit, said in an overlong line's reason (the command's option). */
  maxLineHint?: string;
  /** Bytes per read from disk: small for a preview that stops after a few lines. */
  chunkBytes: number;
  /** Stops reading: no line is handed on after it is aborted. */
  signal?: AbortSignal;
  /** Reading stops after this many lines (those after are not handed on) … */
  maxLines?: number;
  /** … or once this many decompressed bytes have been split (checked after each chunk). */
  maxBytes?: number;
  /** Backpressure: reading waits while this returns a promise. */
  pace?: () => Promise<void> | undefined;
  /** Called every `progressBytes` of decompressed input: bytes since the last call, lines so
   *  far, and the on-disk bytes of the file read so far. */
  onProgress?: (bytes: number, lines: number, diskBytes: number) => void;
  progressBytes?: number;
  /** Told at once when reading fails, before the line in progress is handed on. */
  onReadError?: (message: string) => void;
}

export interface LinesRead {
  /** Size, hash, compression and damage of what was read; absent when reading failed. */
  read?: InputReadResult;
  /** Why reading failed part way (the lines before it were handed on). */
  readError?: string;
  /** Physical lines handed on (all of them unless stopped). */
  lines: number;
  /** True when reading stopped early (signal, maxLines or maxBytes). */
  stopped: boolean;
  /** The input did not end with a newline (false when stopped). */
  unterminatedLastLine: boolean;
  /** Some line was GBK, not UTF-8. */
  gbk: boolean;
}

/** Why an input cannot be read at all, or undefined. A bundle member has no path of its own:
 *  the bundle is opened when it is read. */
export function cannotOpen(path: string): string | undefined {
  if (splitMemberPath(path)) return undefined;
  try {
    statSync(path);
    return undefined;
  } catch (e) {
    return `cannot open: ${(e as Error).message}`;
  }
}

export async function readLines(path: string, to: TextLines, opts: ReadLinesOptions): Promise<LinesRead> {
  const halt = new AbortController();
  let stopped = false;
  const stop = () => {
    stopped = true;
    halt.abort();
  };
  if (opts.signal?.aborted) stop();
  else opts.signal?.addEventListener('abort', stop, { once: true });
  const maxLines = opts.maxLines ?? Infinity;
  const maxBytes = opts.maxBytes ?? Infinity;
  const hint = opts.maxLineHint ?? '';
  let lines = 0;
  let gbk = false;
  // The chunk being split, and whether it is all ASCII: one native scan per chunk rather than one
  // per line. Lines joined across chunks come in another buffer and are scanned on their own.
  let chunk: Buffer | undefined;
  let chunkAscii = false;
  const splitter = new LineSplitter(
    {
      line(buf, start, end, lineNo, offset) {
        if (stopped) return;
        if (lineNo > maxLines) return stop();
        lines = lineNo;
        const d = decodeLine(buf, start, end, chunkAscii && buf === chunk);
        if (!d.ok) {
          to.reject(lineNo, offset, d.reason, printableHead(buf, start, end));
          return;
        }
        if (d.encoding === 'gbk') gbk = true;
        to.text(d.text, lineNo, offset, end - start);
      },
      overlong(head, length, lineNo, offset) {
        if (stopped) return;
        if (lineNo > maxLines) return stop();
        lines = lineNo;
        to.reject(lineNo, offset, `line too long: ${length} bytes (limit ${opts.maxLineBytes}${hint}) / 行过长`, printableHead(head, 0, head.length));
      },
    },
    opts.maxLineBytes,
  );

  const out: LinesRead = { lines: 0, stopped: false, unterminatedLastLine: false, gbk: false };
  let split = 0;
  let sinceProgress = 0;
  const progressBytes = opts.progressBytes ?? 8 << 20;
  try {
    out.read = await readInput(path, (c, disk) => {
      chunk = c;
      chunkAscii = isAscii(c);
      splitter.push(c);
      chunk = undefined;
      split += c.length;
      if (split >= maxBytes) stop();
      sinceProgress += c.length;
      if (opts.onProgress && sinceProgress >= progressBytes) {
        opts.onProgress(sinceProgress, lines, disk);
        sinceProgress = 0;
      }
    }, opts.chunkBytes, halt.signal, opts.pace);
  } catch (e) {
    out.readError = (e as Error).message;
    opts.onReadError?.(out.readError);
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
  // Stopped early, the line cut where reading stopped is not taken.
  if (!stopped) {
    const stats = splitter.end();
    out.unterminatedLastLine = stats.unterminatedLastLine && stats.lines > 0;
  }
  out.lines = lines;
  out.stopped = stopped;
  out.gbk = gbk;
  return out;
}
