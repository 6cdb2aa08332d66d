import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';

/** An entry's bytes (a streamx stream): iterate it, or resume() it to skip. */
export interface EntryStream extends AsyncIterable<unknown> { resume(): unknown }
import { normalMemberName } from './member-path';
import { INFLATE_OPTIONS, inflatePieces } from '../inflate-pieces';

// Walks the entries of a tar or tar.gz bundle as a stream: nothing is unpacked to disk and the
// bundle is opened read-only. Damage (a truncated download, a corrupt gzip) ends the walk with a
// value, after every entry before it has been seen.

export interface TarEntry {
  name: string;
  /** Entry kind as tar-stream names it ('file', 'directory', 'symlink', …) and its size. */
  header: { type?: string | null; size?: number | null };
  /** The entry's bytes; the visitor must read it to its end (or resume() it) to go on. */
  stream: EntryStream;
}

/** The visitor returns true to stop the walk early (the rest of the bundle is not read). */
export type EntryVisitor = (entry: TarEntry) => Promise<boolean | void>;

async function startsWithGzip(path: string): Promise<boolean> {
  const rs = createReadStream(path, { start: 0, end: 1 });
  let head = Buffer.alloc(0);
  for await (const c of rs) head = Buffer.concat([head, c as Buffer]);
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The last bytes of the tar stream (uncompressed), by offset: what a member cut by damage still had in buffers. */
class RecentBytes {
  private parts: { at: number; buf: Buffer }[] = [];
  private held = 0;
  constructor(private readonly keep: number) {}
  add(at: number, buf: Buffer): void {
    this.parts.push({ at, buf });
    this.held += buf.length;
    while (this.parts.length > 1 && this.held - this.parts[0]!.buf.length >= this.keep) this.held -= this.parts.shift()!.buf.length;
  }
  /** Bytes [from, to), or null when they are no longer held. */
  slice(from: number, to: number): Buffer | null {
    if (to <= from) return Buffer.alloc(0);
    const first = this.parts[0];
    if (!first || first.at > from) return null;
    const out: Buffer[] = [];
    for (const { at, buf } of this.parts) {
      const a = Math.max(from, at);
      const b = Math.min(to, at + buf.length);
      if (a < b) out.push(buf.subarray(a - at, b - at));
    }
    return Buffer.concat(out);
  }
}

/** More than the tar reader and an entry can hold between them while the entry's reader waits. */
const RECENT_BYTES = 4 << 20;

/** Resolves with the damage found, if any (undefined when the bundle was read to its end or stopped early). */
export async function walkTar(path: string, visit: EntryVisitor): Promise<string | undefined> {
  const gz = await startsWithGzip(path);
  const source = createReadStream(path, { flags: 'r', highWaterMark: 256 * 1024 });
  const ex = extract();
  let stopped = false;
  let damage: string | undefined;
  /** Uncompressed bytes handed to the tar reader, and where they ended once the input ran out or broke. */
  let produced = 0;
  let endAt: number | undefined;
  const recent = new RecentBytes(RECENT_BYTES);
  /** The entry being visited: the walk ends only once its visitor has had every byte handed on. */
  let visiting: Promise<unknown> = Promise.resolve();
  const finished = new Promise<void>((resolve) => {
    ex.on('finish', resolve);
    ex.on('close', resolve);
    ex.on('error', (e: Error) => {
      if (!stopped && !damage) damage = e.message;
      resolve();
    });
  });
  ex.on('entry', (header: Header, stream: EntryStream, next: (e?: Error | null) => void) => {
    if (stopped) {
      stream.resume();
      return;
    }
    visiting = visit({ name: normalMemberName(header.name), header, stream: wholeUpToCut(header, stream) }).then(
      (stop) => {
        if (stop) {
          stopped = true;
          source.destroy();
          ex.destroy();
          return;
        }
        next();
      },
      (e: Error) => {
        if (!damage) damage = e.message;
        stopped = true;
        source.destroy();
        ex.destroy();
      },
    );
  });

  // An entry the input ends inside: when the tar reader gives up, the bytes it and the entry
  // still held are handed on from `recent`, so the entry gives up every byte that was there,
  // not as many as its reader happened to have taken (issue 14).
  function wholeUpToCut(header: Header, stream: EntryStream): EntryStream {
    const dataStart = (header as { byteOffset?: number }).byteOffset;
    const size = header.size ?? 0;
    return {
      resume: () => stream.resume(),
      async *[Symbol.asyncIterator]() {
        let got = 0;
        try {
          for await (const c of stream) {
            got += (c as Buffer).length;
            yield c;
          }
        } catch (e) {
          if (endAt === undefined || dataStart === undefined || stopped) throw e;
        }
        if (endAt === undefined || dataStart === undefined || got >= size) return;
        const rest = recent.slice(dataStart + got, Math.min(endAt, dataStart + size));
        if (rest && rest.length) yield rest;
      },
    };
  }

  const feed = async () => {
    const bytes: AsyncIterable<Buffer> = gz ? inflatePieces(source, createGunzip(INFLATE_OPTIONS)) : source;
    try {
      for await (const b of bytes) {
        if (stopped || ex.destroyed) break;
        recent.add(produced, b);
        produced += b.length;
        if (!ex.write(b)) {
          await new Promise<void>((resolve) => {
            const go = () => { ex.off('drain', go); ex.off('close', go); resolve(); };
            ex.on('drain', go);
            ex.on('close', go);
          });
        }
      }
    } catch (e) {
      // Reading stopped on purpose (the member was found) closes the input under this loop: not damage.
      if (!damage && !stopped) damage = (e as Error).message;
    }
    endAt = produced;
    // A tar that ends inside an entry or without its closing blocks is reported by the tar reader.
    if (!stopped && !ex.destroyed) ex.end(null);
  };
  await Promise.all([feed(), finished]);
  await visiting;
  source.destroy();
  return damage;
}
