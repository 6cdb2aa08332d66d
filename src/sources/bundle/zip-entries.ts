import { open, type Entry, type ZipFile } from 'yauzl';
import type { EntryVisitor, EntryStream } from './tar-entries';
import { createInflateRaw } from 'node:zlib';
import { normalMemberName } from './member-path';
import { INFLATE_OPTIONS, inflatePieces } from '../inflate-pieces';

// Walks the entries of a zip bundle. A zip has an index at its end (the central directory), so
// yauzl reads entries by file offset from the open file: a member is reached without reading
// (or inflating) those before it, and the bundle is never loaded whole. A zip cut short has lost
// that index, and with it every member: the walk then reports damage. A member whose bytes are
// corrupt spoils only itself: the walk notes the damage and goes on to the next member.

export async function walkZip(path: string, visit: EntryVisitor): Promise<string | undefined> {
  let zip: ZipFile;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) =>
      open(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (e, z) => (e ? reject(e) : resolve(z))),
    );
  } catch (e) {
    return `not a readable zip (${(e as Error).message})`;
  }
  const damage: string[] = [];
  try {
    await new Promise<void>((resolve) => {
      const onEntry = (entry: Entry) => {
        const dir = entry.fileName.endsWith('/');
        const header = { type: dir ? 'directory' : 'file', size: entry.uncompressedSize };
        // Opened only when read: a skipped member costs nothing.
        const stream: EntryStream = {
          resume() {},
          async *[Symbol.asyncIterator]() {
            if (dir) return;
            // The raw bytes, inflated here in fixed pieces: damage stops the member at the same
            // place however its reader is paced (see inflate-pieces).
            const rs = await new Promise<NodeJS.ReadableStream>((ok, bad) => zip.openReadStream(entry, { decodeFileData: false }, (e, r) => (e ? bad(e) : ok(r))));
            if (entry.isEncrypted()) throw new Error('encrypted member: cannot be read without its password');
            let bytes: AsyncIterable<Buffer>;
            if (entry.compressionMethod === 0) bytes = rs as AsyncIterable<Buffer>;
            else if (entry.compressionMethod === 8) bytes = inflatePieces(rs as AsyncIterable<Buffer>, createInflateRaw(INFLATE_OPTIONS));
            else throw new Error(`compression method ${entry.compressionMethod} is not supported (only stored and deflate)`);
            yield* checkedSize(bytes, entry.uncompressedSize);
          },
        };
        visit({ name: normalMemberName(entry.fileName), header, stream }).then(
          (stop) => (stop ? resolve() : zip.readEntry()),
          (e: Error) => {
            damage.push(`${entry.fileName}: ${e.message}`);
            zip.readEntry();
          },
        );
      };
      zip.on('entry', onEntry);
      zip.on('end', () => resolve());
      zip.on('error', (e: Error) => {
        damage.push(e.message);
        resolve();
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return damage.length ? damage.join('; ') : undefined;
}

/** A member's bytes up to the size its header gives; more or fewer is damage, said after the bytes that fit. */
async function* checkedSize(bytes: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let got = 0;
  for await (const b of bytes) {
    if (got + b.length > size) {
      if (size > got) yield b.subarray(0, size - got);
      throw new Error(`the member inflates to more than the ${size} bytes its header gives`);
    }
    got += b.length;
    yield b;
  }
  if (got < size) throw new Error(`the member inflates to ${got} of the ${size} bytes its header gives`);
}
