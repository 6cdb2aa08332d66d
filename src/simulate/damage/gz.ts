// Damage to rotated .gz files: truncated compressed bytes, corrupted bytes mid-stream, and duplicated copies.
import { gunzipSync } from 'node:zlib';
import type { OutFile } from '../files';
import type { Rng } from '../prng';
import type { DamageLog } from './log';

/** Cuts the compressed bytes of `f` to a fraction in [lo, hi) of their length. */
export function truncateGz(f: OutFile, lo: number, hi: number, rng: Rng, log: DamageLog): void {
  const full = f.bytes!;
  f.intactBytes ??= full;
  const keep = Math.max(24, Math.floor(full.length * rng.range(lo, hi)));
  f.bytes = Buffer.from(full.subarray(0, keep));
  f.size = keep;
  f.byteDamaged = true;
  log.add({
    type: 'truncated_gz',
    file: f.path,
    detail: `compressed stream cut from ${full.length} to ${keep} bytes (no gzip trailer); lines after the cut are lost`,
    extra: { original_bytes: full.length, kept_bytes: keep },
  });
}

function gunzipFails(b: Buffer): boolean {
  try {
    gunzipSync(b);
    return false;
  } catch {
    return true;
  }
}

/** Overwrites 16 bytes in the middle of the deflate stream; retries until gunzip really fails. */
export function corruptGz(f: OutFile, rng: Rng, log: DamageLog): void {
  const src = f.bytes!;
  f.intactBytes ??= src;
  for (let attempt = 0; attempt < 20; attempt++) {
    const b = Buffer.from(src);
    const len = 16;
    const off = Math.max(20, Math.floor(b.length * rng.range(0.35, 0.65)));
    rng.bytes(len).copy(b, off);
    if (gunzipFails(b)) {
      f.bytes = b;
      f.size = b.length;
      f.byteDamaged = true;
      f.corruptAt = off;
      log.add({
        type: 'corrupted_gz',
        file: f.path,
        detail: `${len} bytes overwritten at compressed offset ${off}; decompression fails there and nothing after it is recoverable by a plain decoder`,
        extra: { offset: off, length: len },
      });
      return;
    }
  }
}

/**
 * A second copy of a rotated file under another name (downloaded twice / backed up by hand).
 * `bytesOf` gives a file's current bytes (read back from disk once it has been written).
 */
export function duplicateFile(files: OutFile[], rng: Rng, log: DamageLog, bytesOf: (f: OutFile) => Buffer = (f) => f.bytes!): void {
  const rotated = files.filter((f) => f.gzip && !f.copyOf);
  if (rotated.length === 0) return;
  const damaged = rotated.filter((f) => f.byteDamaged);
  const src = damaged.length > 0 && rng.chance(0.5) ? rng.pick(damaged) : rng.pick(rotated);
  const path = src.path.replace(/\.log\.gz$/, '_copy.log.gz');
  const bytes = src.intactBytes ?? bytesOf(src);
  const copy: OutFile = { ...src, path, copyOf: src.path, bytes, size: bytes.length, byteDamaged: false };
  delete copy.intactBytes;
  delete copy.corruptAt;
  files.push(copy);
  log.add({
    type: 'duplicate_file',
    file: path,
    detail: `byte-identical copy of ${src.path}${src.intactBytes ? ' as it was before that file was damaged' : ''}`,
    extra: { source: src.path },
  });
}
