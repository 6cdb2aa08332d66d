import type { Transform } from 'node:stream';
import { constants, type ZlibOptions } from 'node:zlib';

// Inflates compressed bytes so that damage stops the text at the same place in every run. The
// inflater is given fixed pieces at fixed offsets, one at a time, and what it makes of each is
// taken from it at once and handed on from here: an inflater left holding output while its
// reader waits drops that output when it meets damage, and how much a damaged member gave up
// would then depend on whether its reader was being held back (issue 14). Plain .gz inputs
// (read-input) and the members of tar.gz and zip bundles all go through here, so a damaged
// member gives up the same text as the same file on its own.

/** Compressed bytes per piece, at the same offsets however the compressed bytes arrive. */
export const INFLATE_PIECE = 16 * 1024;

/**
 * Each piece is inflated with a sync flush: everything it decodes to comes out with it, so a
 * stream cut short or spoilt gives up all the text before the damage, not all but the part the
 * inflater was still holding.
 */
export const INFLATE_OPTIONS: ZlibOptions = { chunkSize: 256 * 1024, flush: constants.Z_SYNC_FLUSH };

/** Compressed bytes handed to the inflater so far, including the piece it failed on. */
export interface InflateCount {
  fed: number;
}

/**
 * Yields the inflated bytes; on damage, yields everything made before it and then throws the
 * inflater's error. A reader that waits between yields waits between pieces, never inside one.
 * An error thrown by `raw` itself goes on up as it is.
 */
export async function* inflatePieces(raw: AsyncIterable<Buffer>, inflater: Transform, count: InflateCount = { fed: 0 }): AsyncGenerator<Buffer> {
  let made: Buffer[] = [];
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  let ended = false;
  inflater.on('data', (b: Buffer) => made.push(b));
  inflater.on('error', (e: Error) => {
    failed ??= e;
    wake?.();
  });
  inflater.on('end', () => {
    ended = true;
    wake?.();
  });
  const inflate = (piece: Buffer) => {
    count.fed += piece.length;
    return settle((done) => inflater.write(piece, () => done()));
  };
  const settle = (start: (done: () => void) => void) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      start(resolve);
    });
  const takeMade = () => {
    const out = made;
    made = [];
    return out;
  };
  try {
    let carry = Buffer.alloc(0);
    for await (const chunk of raw) {
      let buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      while (buf.length >= INFLATE_PIECE && !failed) {
        const piece = buf.subarray(0, INFLATE_PIECE);
        buf = buf.subarray(INFLATE_PIECE);
        await inflate(piece);
        yield* takeMade();
      }
      if (failed) break;
      carry = Buffer.from(buf);
    }
    if (!failed && carry.length) {
      await inflate(carry);
      yield* takeMade();
    }
    if (!failed) await settle((done) => { if (ended) done(); else inflater.end(); });
    yield* takeMade();
    if (failed) throw failed;
  } finally {
    inflater.destroy();
  }
}
