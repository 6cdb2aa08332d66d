import { open, type Entry, type ZipFile } from 'yauzl';
import type { EntryVisitor, EntryStream } from './tar-entries';
import { normalMemberName } from './member-path';

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
            const rs = await new Promise<NodeJS.ReadableStream>((ok, bad) => zip.openReadStream(entry, (e, r) => (e ? bad(e) : ok(r))));
            yield* rs as AsyncIterable<unknown>;
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
