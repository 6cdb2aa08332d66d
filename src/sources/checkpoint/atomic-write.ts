import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

// A checkpoint is only worth something if what it says is on disk survives the kill (or power
// cut) that makes it needed: each file is written whole to a temporary name, flushed, renamed
// over the old one and the folder flushed, so a reader finds the old version or the new one.

export function writeFileAtomic(path: string, data: string | Buffer, mode: number): void {
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w', mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(temp, path);
  fsyncFolder(dirname(path));
}

/** Makes a rename in `dir` durable. */
export function fsyncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
