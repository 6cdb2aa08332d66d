import { createHash } from 'node:crypto';
import { walkBundle } from './walk-bundle';

// Plans the reading of a bundle: one streaming pass over it lists its members and sorts them
// into logs (read like files) and the rest (BT panel backups hold site images, SQL dumps and
// binaries next to the logs), each skipped member with its reason. Nothing is unpacked.

export interface BundleMember {
  name: string;
  size: number;
  /** Of the member's bytes, when the listing read them whole (not for a member the damage falls in). */
  sha256?: string;
}

export interface BundleListing {
  members: BundleMember[];
  skipped: { name: string; reason: string }[];
  /** Why the bundle could not be listed to its end: the members after that point are unknown. */
  damage?: string;
}

const SNIFF = 4096;

const NOT_LOGS: [RegExp, string][] = [
  [/\.sql(\.gz)?$/i, 'a database dump (SQL), not a log / 数据库转储（SQL），不是日志'],
  [/\.(tar|tgz|tar\.gz|zip|rar|7z|bz2|xz)$/i, 'an archive inside the bundle: not opened; unpack the outer bundle to read it / 包内的压缩包：不打开'],
  [/\.(png|jpe?g|gif|webp|bmp|ico|svg|mp4|mp3|pdf|woff2?|ttf|eot)$/i, 'an image or media file, not a log / 图片或媒体文件，不是日志'],
  [/\.(exe|so|dll|bin|db|sqlite3?|frm|ibd|myd|myi|pyc|class|jar)$/i, 'a binary or database file, not a log / 二进制或数据库文件，不是日志'],
];

/** Why a member is not read as a log, or null when it is read. `head` is its first bytes. */
export function notALog(name: string, head: Buffer): string | null {
  for (const [re, why] of NOT_LOGS) if (re.test(name)) return why;
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  // A gzip member is judged by its name (it is read like a .gz file). NUL bytes alone do not make
  // a binary: a log damaged by a crash holds runs of them, or junk before its first line, and is
  // still read (as the same file outside a bundle is), its bad lines rejected and counted.
  if (!gzip && head.includes(0) && !hasTextLine(head)) return 'binary content (NUL bytes, no line of text), not a log / 二进制内容（含 NUL 字节且无文本行），不是日志';
  return null;
}

const MIN_TEXT_LINE = 20;

/**
 * Whether the head holds a whole line that reads as text (NUL bytes left out): at least
 * MIN_TEXT_LINE bytes, no control bytes but tab, CR and ESC, half of them or more printable ASCII
 * (log lines in Chinese still carry ASCII times and keys). Random bytes seldom pass.
 */
export function hasTextLine(head: Buffer): boolean {
  let len = 0;
  let ascii = 0;
  let clean = true;
  for (const b of head) {
    if (b === 0) continue;
    if (b === 0x0a) {
      if (clean && len >= MIN_TEXT_LINE && ascii * 2 >= len) return true;
      len = 0;
      ascii = 0;
      clean = true;
      continue;
    }
    len++;
    if (b >= 0x20 && b < 0x7f) ascii++;
    else if (b < 0x20 ? b !== 0x09 && b !== 0x0d && b !== 0x1b : b === 0x7f) clean = false;
  }
  return false;
}

const KIND_REASON: Record<string, string> = {
  symlink: 'a symbolic link inside the bundle: not followed / 包内的符号链接：不跟随',
  link: 'a hard link inside the bundle: its target is read under its own name / 包内的硬链接：按其目标读取',
};

export async function listBundle(path: string): Promise<BundleListing> {
  const listing: BundleListing = { members: [], skipped: [] };
  const damage = await walkBundle(path, async ({ name, header, stream }) => {
    const type: string = header.type ?? 'file';
    // Directories and format bookkeeping hold no log bytes.
    if (type === 'directory' || type.startsWith('pax-') || type.startsWith('gnu-')) {
      stream.resume();
      return;
    }
    if (type !== 'file' && type !== 'contiguous-file') {
      listing.skipped.push({ name, reason: KIND_REASON[type] ?? `a ${type} entry, not a regular file / 不是普通文件` });
      stream.resume();
      return;
    }
    let head = Buffer.alloc(0);
    let size = 0;
    let cut: unknown;
    // Hashed on the way past, so that byte-identical members are read once, as copies of a file are.
    const hash = createHash('sha256');
    try {
      for await (const c of stream) {
        const b = c as Buffer;
        if (head.length < SNIFF) head = Buffer.concat([head, b.subarray(0, SNIFF - head.length)]);
        size += b.length;
        hash.update(b);
      }
    } catch (e) {
      cut = e;
    }
    // A member the damage falls inside is still listed: its readable part is read, and marked damaged.
    const why = notALog(name, head);
    if (why) listing.skipped.push({ name, reason: why });
    else if (cut === undefined) listing.members.push({ name, size, sha256: hash.digest('hex') });
    else if (size > 0) listing.members.push({ name, size });
    if (cut !== undefined) throw cut;
  });
  if (damage) listing.damage = damage;
  return listing;
}
