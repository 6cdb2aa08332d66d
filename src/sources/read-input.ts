import { createHash } from 'node:crypto';
import type { FileReport } from '../model/types';
import { createReadStream } from 'node:fs';
import { createGunzip, type Gunzip } from 'node:zlib';
import { splitMemberPath } from './bundle/member-path';
import { readMember } from './bundle/read-member';
import { INFLATE_OPTIONS, INFLATE_PIECE } from './bundle/inflate-pieces';

// Reads one input file as a stream of decompressed chunks. The file is opened read-only and
// hashed as it is read, so the run report can name exactly which bytes were examined.
// Damage in a gzip stream is a value in the result, not an exception: everything decoded
// before the damage has already been delivered.

export interface InputReadResult {
  bytes: number;
  sha256: string;
  compressed: boolean;
  decompressedBytes: number;
  /** Present when the file could not be read to its end. */
  damage?: string;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
/**
 * Compressed input goes to the inflater in pieces of this size, at the same offsets however the
 * file arrives (read in chunks from disk, or from inside a bundle). Where a damaged gzip stops
 * giving up text depends on these pieces, so it is the same in every run and for a member as for
 * the same file on its own.
 */
const GZ_PIECE = INFLATE_PIECE;

/**
 * `signal`, when given, stops the reading early (a preview that has seen enough): no chunk is
 * delivered after it is aborted, and the result then describes only the bytes read so far
 * (`bytes`, `sha256` and `decompressedBytes` cover a prefix of the file).
 */
export async function readInput(
  path: string,
  /** `diskBytes`: bytes of the file itself read so far (ahead of the chunk for gzip). */
  onChunk: (chunk: Buffer, diskBytes: number) => void,
  chunkBytes = 1 << 20,
  signal?: AbortSignal,
  /** Called after each chunk read; when it returns a promise, reading waits for it (backpressure from later stages). */
  pace?: () => Promise<void> | undefined,
): Promise<InputReadResult> {
  const hash = createHash('sha256');
  // A bundle member (`b.tar.gz!/x.log`) is read in place; its bytes are the input, hashed and
  // counted like a file's, and damage to the bundle around it is damage to this input.
  const ref = splitMemberPath(path);
  let bundleDamage: string | undefined;
  const rs: AsyncIterable<Buffer> = ref ? memberChunks(ref.bundle, ref.member, signal, (d) => { bundleDamage = d; }) : createReadStream(path, { flags: 'r', highWaterMark: chunkBytes });
  let bytes = 0;
  let decompressed = 0;
  let compressed: boolean | undefined;
  let gz: Gunzip | undefined;
  let gzError: Error | undefined;
  /** Settles the piece being inflated, when the inflater fails on it instead of taking it. */
  let pieceFailed: (() => void) | undefined;
  let gzDone: Promise<void> | undefined;
  /** Compressed bytes handed to the inflater so far. */
  let fed = 0;
  let compressedAtError = 0;
  /** Compressed bytes not yet a whole piece (see GZ_PIECE). */
  let carry = Buffer.alloc(0);

  const deliver = (c: Buffer) => {
    if (signal?.aborted) return;
    decompressed += c.length;
    onChunk(c, bytes);
  };

  // One piece to the inflater; resolves once it has taken all of it and handed on what it
  // decoded (or failed on it). The inflater is never paused: a paused inflater that then meets
  // damage drops what it held, so how much a damaged file gave up would depend on timing.
  const inflate = (piece: Buffer) =>
    new Promise<void>((resolve) => {
      fed += piece.length;
      pieceFailed = resolve;
      gz!.write(piece, () => resolve());
    });

  const feed = async (chunk: Buffer, last: boolean) => {
    let buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    while (buf.length >= GZ_PIECE || (last && buf.length > 0)) {
      if (gzError || signal?.aborted) break;
      await inflate(buf.subarray(0, GZ_PIECE));
      buf = buf.subarray(Math.min(GZ_PIECE, buf.length));
      // Waiting between pieces rather than between read chunks: one chunk inflates to many times
      // its size, and a paced reader would run megabytes past where it was asked to wait.
      const wait = pace?.();
      if (wait) await wait;
    }
    carry = gzError ? Buffer.alloc(0) : Buffer.from(buf);
  };

  for await (const raw of rs) {
    if (signal?.aborted) break;
    const chunk = raw as Buffer;
    hash.update(chunk);
    bytes += chunk.length;
    if (compressed === undefined) {
      compressed = chunk.length >= 2 && chunk[0] === GZIP_MAGIC_0 && chunk[1] === GZIP_MAGIC_1;
      if (compressed) {
        gz = createGunzip(INFLATE_OPTIONS);
        gz.on('data', deliver);
        gzDone = new Promise<void>((resolve) => {
          gz!.on('end', resolve);
          gz!.on('close', resolve);
          gz!.on('error', (e) => {
            if (!gzError) {
              gzError = e;
              compressedAtError = fed;
            }
            pieceFailed?.();
            resolve();
          });
        });
      }
    }
    if (!compressed) {
      deliver(chunk);
      const wait = pace?.();
      if (wait) await wait;
    } else if (!gzError) {
      // After a gzip error the rest of the file is still read, so that the hash covers it.
      await feed(chunk, false);
    }
  }
  if (gz && !gzError && !signal?.aborted) await feed(Buffer.alloc(0), true);
  if (signal?.aborted) {
    if (!ref) (rs as ReturnType<typeof createReadStream>).destroy();
    gz?.destroy();
  } else if (gz && !gzError) gz.end();
  if (gzDone) await gzDone;

  const result: InputReadResult = {
    bytes,
    sha256: hash.digest('hex'),
    compressed: compressed === true,
    decompressedBytes: decompressed,
  };
  if (bundleDamage) {
    result.damage = `bundle damaged: ${bundleDamage}; ${bytes} bytes of this member were read / 归档包已损坏，已读取该成员可读的部分`;
  } else if (gzError) {
    const lost = Math.max(0, bytes - compressedAtError);
    result.damage =
      `gzip stream damaged (${gzError.message}); ${decompressed} bytes were recovered before the damage` +
      (lost > 0 ? `, about ${lost} compressed bytes after it could not be read` : '') +
      ' / gzip 文件已损坏，已恢复损坏前的内容';
  }
  return result;
}

/** The member's chunks as an iterable, so that it is read like a file; damage goes to `onDamage`. */
async function* memberChunks(bundle: string, member: string, signal: AbortSignal | undefined, onDamage: (d: string) => void): AsyncGenerator<Buffer> {
  // readMember pushes; the consumer pulls at its own pace, so each chunk waits until taken.
  const queue: Buffer[] = [];
  let wake: (() => void) | undefined;
  let taken: (() => void) | undefined;
  let over = false;
  let quit = false;
  const done = readMember(bundle, member, (c) => quit ? undefined : new Promise<void>((resolve) => {
    queue.push(c);
    taken = resolve;
    wake?.();
  }), signal).then((end) => {
    if (!end.found) onDamage(end.damage ? `member not reached (${end.damage})` : 'member not found in the bundle');
    else if (end.damage) onDamage(end.damage);
  }, (e: Error) => onDamage(e.message)).finally(() => {
    over = true;
    wake?.();
  });
  try {
    for (;;) {
      if (queue.length > 0) {
        const c = queue.shift()!;
        const t = taken;
        taken = undefined;
        yield c;
        t?.();
        continue;
      }
      if (over) break;
      await new Promise<void>((resolve) => { wake = resolve; });
      wake = undefined;
    }
  } finally {
    // Stopped early (a preview that has seen enough): let the member reader run out and stop.
    quit = true;
    const t = taken;
    taken = undefined;
    t?.();
    if (!over) await done;
  }
}

/** Copy what reading found (size, hash, compression, damage) into a file's report. */
export function noteRead(report: FileReport, read: InputReadResult | undefined): void {
  if (!read) return;
  report.bytes = read.bytes;
  report.sha256 = read.sha256;
  report.compressed = read.compressed;
  if (read.damage) {
    report.damaged = true;
    report.errors.push(read.damage);
  }
}
