import { createHash } from 'node:crypto';
import type { FileReport } from '../model/types';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { splitMemberPath } from './bundle/member-path';
import { readMember } from './bundle/read-member';
import { INFLATE_OPTIONS, inflatePieces, type InflateCount } from './inflate-pieces';

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
 * `signal`, when given, stops the reading early (a preview that has seen enough): no chunk is
 * delivered after it is aborted, and the result then describes only the bytes read so far
 * (`bytes`, `sha256` and `decompressedBytes` cover a prefix of the file).
 *
 * Compressed input is inflated by inflatePieces, in the fixed pieces that make a damaged
 * stream give up the same text in every run and for a bundle member as for the same file on
 * its own (see inflate-pieces.ts).
 */
export async function readInput(
  path: string,
  /** `diskBytes`: bytes of the file itself read so far (ahead of the chunk for gzip). */
  onChunk: (chunk: Buffer, diskBytes: number) => void,
  chunkBytes = 1 << 20,
  signal?: AbortSignal,
  /** Called after each chunk delivered (for gzip, after each piece inflated); when it returns a
   *  promise, reading waits for it (backpressure from later stages). */
  pace?: () => Promise<void> | undefined,
): Promise<InputReadResult> {
  // A bundle member (`b.tar.gz!/x.log`) is read in place; its bytes are the input, hashed and
  // counted like a file's, and damage to the bundle around it is damage to this input.
  const ref = splitMemberPath(path);
  let bundleDamage: string | undefined;
  const rs: AsyncIterable<Buffer> = ref ? memberChunks(ref.bundle, ref.member, signal, (d) => { bundleDamage = d; }) : createReadStream(path, { flags: 'r', highWaterMark: chunkBytes });
  const disk = new HashedChunks(rs);
  let decompressed = 0;
  let compressed = false;
  let gzError: Error | undefined;
  const count: InflateCount = { fed: 0 };

  const deliver = async (c: Buffer) => {
    decompressed += c.length;
    onChunk(c, disk.bytes);
    const wait = pace?.();
    if (wait) await wait;
  };

  try {
    const first = signal?.aborted ? undefined : await disk.next();
    compressed = first !== undefined && first.length >= 2 && first[0] === GZIP_MAGIC_0 && first[1] === GZIP_MAGIC_1;
    if (first !== undefined && !compressed) {
      await deliver(first);
      for (;;) {
        if (signal?.aborted) break;
        const c = await disk.next();
        if (c === undefined || signal?.aborted) break;
        await deliver(c);
      }
    } else if (first !== undefined) {
      try {
        // Waiting between pieces rather than between read chunks: one chunk inflates to many
        // times its size, and a paced reader would run megabytes past where it was asked to wait.
        for await (const c of inflatePieces(disk.from(first), createGunzip(INFLATE_OPTIONS), count)) {
          if (signal?.aborted) break;
          await deliver(c);
        }
      } catch (e) {
        if (e === disk.failure) throw e;
        gzError = e as Error;
      }
      // After a gzip error the rest of the file is still read, so that the hash covers it.
      if (gzError && !signal?.aborted) while ((await disk.next()) !== undefined);
    }
  } finally {
    await disk.close();
  }

  const bytes = disk.bytes;
  const result: InputReadResult = {
    bytes,
    sha256: disk.sha256(),
    compressed,
    decompressedBytes: decompressed,
  };
  if (bundleDamage) {
    result.damage = `bundle damaged: ${bundleDamage}; ${bytes} bytes of this member were read / 归档包已损坏，已读取该成员可读的部分`;
  } else if (gzError) {
    const lost = Math.max(0, bytes - count.fed);
    result.damage =
      `gzip stream damaged (${gzError.message}); ${decompressed} bytes were recovered before the damage` +
      (lost > 0 ? `, about ${lost} compressed bytes after it could not be read` : '') +
      ' / gzip 文件已损坏，已恢复损坏前的内容';
  }
  return result;
}

/** The file's chunks, hashed and counted as they are taken. */
class HashedChunks {
  bytes = 0;
  /** The error reading the file failed with, told apart from damage to what it holds. */
  failure: unknown;
  private readonly hash = createHash('sha256');
  private readonly it: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  async next(): Promise<Buffer | undefined> {
    let r: IteratorResult<Buffer>;
    try {
      r = await this.it.next();
    } catch (e) {
      this.failure = e;
      throw e;
    }
    if (r.done) return undefined;
    this.hash.update(r.value);
    this.bytes += r.value.length;
    return r.value;
  }

  /** `first`, then the chunks not yet taken. The view has no return(): a reader that stops
   *  early (the inflater, on damage) leaves the file open, for the rest still to be hashed. */
  from(first: Buffer): AsyncIterable<Buffer> {
    let pending: Buffer | undefined = first;
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<Buffer>> => {
          const c = pending ?? (await this.next());
          pending = undefined;
          return c === undefined ? { done: true, value: undefined } : { done: false, value: c };
        },
      }),
    };
  }

  sha256(): string {
    return this.hash.digest('hex');
  }

  /** Stops reading (a no-op once the file has been read to its end). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
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
        // `taken` stays set while the chunk is out, so that a reader that stops there (return()
        // at the yield) still lets the member reader go on, in the finally below.
        yield queue.shift()!;
        const t = taken;
        taken = undefined;
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
