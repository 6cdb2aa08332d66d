// Line model → file bytes (UTF-8 or GBK, gzip for rotated files).
import * as iconv from 'iconv-lite';
import { gzipSync } from 'node:zlib';
import type { Line, OutFile } from './files';

const CHUNK_CHARS = 4 << 20;

/** Encodes lines, each followed by `\n`, building large chunks rather than one buffer per line. */
export function encodeLines(lines: readonly Line[], encoding: 'utf8' | 'gbk'): Buffer {
  const parts: Buffer[] = [];
  let acc = '';
  const flush = (): void => {
    if (acc === '') return;
    parts.push(encoding === 'gbk' ? iconv.encode(acc, 'gbk') : Buffer.from(acc, 'utf8'));
    acc = '';
  };
  for (const l of lines) {
    if (typeof l.text === 'string') {
      acc += `${l.text}\n`;
      if (acc.length >= CHUNK_CHARS) flush();
    } else {
      flush();
      parts.push(l.text, Buffer.from('\n'));
    }
  }
  flush();
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

/** Fills `bytes` for every file: plain text, or gzip (level 6, no name, mtime 0: deterministic). */
export function serializeFiles(files: readonly OutFile[]): void {
  for (const f of files) {
    if (f.bytes) continue;
    const raw = encodeLines(f.lines, f.encoding);
    f.bytes = f.gzip ? gzipSync(raw, { level: 6 }) : raw;
  }
}
