import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

// Byte-identical inputs (same size, same sha256) are read once. Only files that share their size
// with another are hashed here; every other file is hashed while it is read, as before.

export interface Copy {
  /** The first file (in sorted order) with these bytes: the one that is read. */
  of: string;
  sha256: string;
  bytes: number;
}

function sha256Of(path: string): string | null {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return null; }
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } catch {
    return null; // unreadable here: it is read (and its error reported) like any other file
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Size and sha256 of inputs that are not files of their own (bundle members, hashed as they were listed). */
export type KnownDigests = ReadonlyMap<string, { bytes: number; sha256: string }>;

/** Maps each later copy to the first file with the same bytes. `files` is in reading order. */
export function findCopies(files: string[], known: KnownDigests = new Map()): Map<string, Copy> {
  const bySize = new Map<number, string[]>();
  for (const f of files) {
    let size: number;
    const k = known.get(f);
    if (k) size = k.bytes;
    else try { size = statSync(f).size; } catch { continue; }
    if (size === 0) continue; // empty files hold no lines to double-count
    bySize.set(size, [...(bySize.get(size) ?? []), f]);
  }
  const copies = new Map<string, Copy>();
  for (const [bytes, group] of bySize) {
    if (group.length < 2) continue;
    const firstByHash = new Map<string, string>();
    for (const f of group) {
      const h = known.get(f)?.sha256 ?? sha256Of(f);
      if (h === null) continue;
      const first = firstByHash.get(h);
      if (first === undefined) firstByHash.set(h, f);
      else copies.set(f, { of: first, sha256: h, bytes });
    }
  }
  return copies;
}
