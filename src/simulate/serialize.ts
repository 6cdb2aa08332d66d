// Line model → file bytes (UTF-8 or GBK, gzip for rotated files).
import * as iconv from 'iconv-lite';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PRELOAD_LINES, preloadTexts } from './events';
import type { Line, OutFile } from './files';

const CHUNK_CHARS = 4 << 20;

/** Encodes lines, each followed by `\n`, handing out large chunks rather than one buffer per line. */
export function encodeLinesTo(lines: readonly Line[], encoding: 'utf8' | 'gbk', put: (chunk: Buffer) => void): void {
  let acc = '';
  const flush = (): void => {
    if (acc === '') return;
    put(encoding === 'gbk' ? iconv.encode(acc, 'gbk') : Buffer.from(acc, 'utf8'));
    acc = '';
  };
  let release = (): void => {};
  for (let i = 0; i < lines.length; i++) {
    if (i % PRELOAD_LINES === 0) {
      release();
      release = preloadTexts(lines, i, Math.min(lines.length, i + PRELOAD_LINES));
    }
    const text = lines[i]!.text;
    if (typeof text === 'string') {
      acc += `${text}\n`;
      if (acc.length >= CHUNK_CHARS) flush();
    } else {
      flush();
      put(text);
      put(Buffer.from('\n'));
    }
  }
  release();
  flush();
}

/** Encodes lines, each followed by `\n`, into one buffer. */
export function encodeLines(lines: readonly Line[], encoding: 'utf8' | 'gbk'): Buffer {
  const parts: Buffer[] = [];
  encodeLinesTo(lines, encoding, (b) => parts.push(b));
  return Buffer.concat(parts);
}

/** Encodes one line's bytes without the newline. */
export function encodeLine(l: Line, encoding: 'utf8' | 'gbk'): Buffer {
  if (typeof l.text !== 'string') return l.text;
  return encoding === 'gbk' ? iconv.encode(l.text, 'gbk') : Buffer.from(l.text, 'utf8');
}

export function decodeText(b: Buffer, encoding: 'utf8' | 'gbk'): string {
  return encoding === 'gbk' ? iconv.decode(b, 'gbk') : b.toString('utf8');
}

/** One file's bytes: plain text, or gzip (level 6, no name, mtime 0: deterministic). */
export function fileBytes(f: OutFile): Buffer {
  const raw = encodeLines(f.lines, f.encoding);
  return f.gzip ? gzipSync(raw, { level: 6 }) : raw;
}

/**
 * Fills `bytes` for every file; or, given a folder, writes each file there instead and keeps only its
 * `size` (a plain file is written chunk by chunk, never whole in memory).
 */
export function serializeFiles(files: readonly OutFile[], dir: string | null = null): void {
  for (const f of files) {
    if (f.bytes || f.size !== undefined) continue;
    if (dir === null) {
      f.bytes = fileBytes(f);
      f.size = f.bytes.length;
      continue;
    }
    const target = join(dir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    const fd = openSync(target, 'w');
    try {
      let size = 0;
      const put = (b: Buffer): void => {
        for (let done = 0; done < b.length; ) done += writeSync(fd, b, done, b.length - done);
        size += b.length;
      };
      if (f.gzip) put(fileBytes(f));
      else encodeLinesTo(f.lines, f.encoding, put);
      f.size = size;
    } finally {
      closeSync(fd);
    }
  }
}
