import { LineSplitter } from '../sources/line-splitter';
import { decodeLine } from '../sources/decode-line';
import { readInput } from '../sources/read-input';
import { detectFormat, parserById } from '../../parsers/registry';
import type { ParserDefinition } from '../../parsers/parser';
import { ZoneClock } from '../../parsers/time';

// The first timestamp of a file, from its first few hundred kilobytes. Files are then read in
// time order, so the correlator can tell when an order has gone quiet (every input has read
// past it). A guess that is wrong costs only memory and time, never a different result.

export interface PeekOptions {
  tz: string;
  format?: string;
  parsers?: readonly ParserDefinition[];
  /** Decompressed bytes looked at, at most. */
  maxBytes?: number;
}

const PEEK_LINES = 200;

export async function peekStart(path: string, opts: PeekOptions): Promise<number | null> {
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  const texts: string[] = [];
  const stop = new AbortController();
  let seen = 0;
  const splitter = new LineSplitter(
    {
      line(buf, start, end) {
        if (texts.length >= PEEK_LINES) return;
        const d = decodeLine(buf, start, end);
        if (d.ok && d.text.trim() !== '') texts.push(d.text);
      },
      overlong() { /* not a place to learn the time from */ },
    },
    64 * 1024,
  );
  try {
    await readInput(path, (chunk) => {
      seen += chunk.length;
      splitter.push(chunk);
      if (seen >= maxBytes || texts.length >= PEEK_LINES) stop.abort();
    }, 64 * 1024, stop.signal);
  } catch {
    return null; // unreadable: the real read reports why
  }
  // Only lines whose newline was read are taken: the one cut where reading stopped is not.
  if (texts.length === 0) return null;
  const def = opts.format ? parserById(opts.format, opts.parsers) : detectFormat(texts.slice(0, 64), opts.parsers).parser;
  if (!def) return null;
  let first = Infinity;
  const parser = def.create({ file: path, clock: new ZoneClock(opts.tz) }, {
    event(e) { if (e.tsMs < first) first = e.tsMs; },
    reject() {},
    blank() {},
  });
  texts.forEach((t, i) => parser.line(t, i + 1, 0));
  parser.end();
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
