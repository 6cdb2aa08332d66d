import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';

/** An entry's bytes (a streamx stream): iterate it, or resume() it to skip. */
export interface EntryStream extends AsyncIterable<unknown> { resume(): unknown }
import { normalMemberName } from './member-path';

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

/** Resolves with the damage found, if any (undefined when the bundle was read to its end or stopped early). */
export async function walkTar(path: string, visit: EntryVisitor): Promise<string | undefined> {
  const gz = await startsWithGzip(path);
  const source = createReadStream(path, { flags: 'r', highWaterMark: 256 * 1024 });
  const ex = extract();
  let stopped = false;
  let damage: string | undefined;
  const finished = new Promise<void>((resolve) => {
    const done = (e?: Error | null) => {
      if (e && !stopped && !damage) damage = e.message;
      resolve();
    };
    if (gz) pipeline(source, createGunzip(), ex, done);
    else pipeline(source, ex, done);
  });
  ex.on('entry', (header: Header, stream: EntryStream, next: (e?: Error | null) => void) => {
    if (stopped) {
      stream.resume();
      return;
    }
    visit({ name: normalMemberName(header.name), header, stream }).then(
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
  await finished;
  // A tar that ends without its closing blocks is cut short even when no error was raised.
  return damage;
}
