import type { Transform } from 'node:stream';
import { constants, type ZlibOptions } from 'node:zlib';

// Inflates compressed bytes so that damage stops the text at the same place in every run. The
// inflater is given fixed pieces at fixed offsets, one at a time, and what it makes of each is
// taken from it at once and handed on from here: an inflater left holding output while its
// reader waits drops that output when it meets damage, and how much a damaged member gave up
// would then depend on whether its reader was being held back (issue 14).

/** Compressed bytes per piece; the same as plain .gz files are read with (see read-input). */
export const INFLATE_PIECE = 16 * 1024;

/**
 * Each piece is inflated with a sync flush: everything it decodes to comes out with it, so a
 * stream cut short or spoilt gives up all the text before the damage, not all but the part the
 * inflater was still holding.
 */
export const INFLATE_OPTIONS: ZlibOptions = { chunkSize: 256 * 1024, flush: constants.Z_SYNC_FLUSH };

/** Yields the inflated bytes; on damage, yields everything made before it and then throws. */
export async function* inflatePieces(raw: AsyncIterable<Buffer>, inflater: Transform): AsyncGenerator<Buffer> {
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
        await settle((done) => inflater.write(piece, () => done()));
        yield* takeMade();
      }
      if (failed) break;
      carry = Buffer.from(buf);
    }
    if (!failed && carry.length) {
      const last = carry;
      await settle((done) => inflater.write(last, () => done()));
      yield* takeMade();
    }
    if (!failed) await settle((done) => { if (ended) done(); else inflater.end(); });
    yield* takeMade();
    if (failed) throw failed;
  } finally {
    inflater.destroy();
  }
}
