import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Real public log samples live beside the repository, in ../shared/realdata (see its
// SOURCES.md). Tests run from dist/test/..., and CI clones the repository to another folder,
// so the path is found from the repository root (the nearest folder above this file with a
// package.json), never from an absolute path.

/** The repository root: the nearest ancestor of `from` that holds a package.json. */
export function repoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

/** `<repo>/../shared/realdata`. Throws (so the tests fail, not skip) when it is missing. */
export function realdataDir(): string {
  const dir = path.resolve(repoRoot(), '..', 'shared', 'realdata');
  if (!existsSync(path.join(dir, 'SOURCES.md'))) {
    throw new Error(`real-data samples not found at ${dir}: check out shared/ beside the repository`);
  }
  return dir;
}

/** Absolute path of a file under realdata, e.g. `realdataPath('elastic-examples', 'nginx_logs')`. */
export function realdataPath(...parts: string[]): string {
  return path.join(realdataDir(), ...parts);
}

export function readRealdata(...parts: string[]): Buffer {
  return readFileSync(realdataPath(...parts));
}

export interface RawLine {
  /** 1-based line number. */
  lineNo: number;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** End of the line's content (exclusive): before its `\n`, and before a `\r` ahead of it. */
  end: number;
  /** The line's bytes as latin1 text (one char per byte), without `\n` or a trailing `\r`. */
  text: string;
}

/** Split a whole file on `\n` the simple way, keeping byte offsets. A final empty piece is not a line. */
export function rawLines(buf: Buffer): RawLine[] {
  const out: RawLine[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < buf.length) {
    let nl = buf.indexOf(0x0a, start);
    if (nl < 0) nl = buf.length;
    let end = nl;
    if (end > start && buf[end - 1] === 0x0d) end--;
    out.push({ lineNo: ++lineNo, offset: start, end, text: buf.toString('latin1', start, end) });
    start = nl + 1;
  }
  return out;
}
