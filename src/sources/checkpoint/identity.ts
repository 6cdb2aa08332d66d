import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { splitMemberPath } from '../bundle/member-path';
import type { KnownDigests } from '../find-copies';

// What makes a checkpointed file "the same file" on the next run: where it is, its size and the
// sha256 of its first MiB. Reading the first MiB is all a resumed run reads of a finished file,
// so a change past it that keeps the size is not seen (README: checkpoints). A bundle member is
// known by its bundle's identity and its own name, size and sha256, which listing the bundle
// worked out anyway.

/** Bytes hashed at the start of a file. */
export const HEAD_BYTES = 1 << 20;

export interface FileIdentity {
  path: string;
  size: number;
  head_sha256: string;
  /** For a bundle member: the member's name inside the bundle (path and size are the bundle's). */
  member?: string;
  member_size?: number;
  member_sha256?: string;
}

/** The identity of `path` (a file, or `bundle!/member`), or null when it cannot be read. */
export function identityOf(path: string, digests: KnownDigests): FileIdentity | null {
  const ref = splitMemberPath(path);
  const onDisk = ref ? ref.bundle : path;
  let size: number;
  try {
    size = statSync(onDisk).size;
  } catch {
    return null;
  }
  const head = headSha256(onDisk);
  if (head === null) return null;
  const id: FileIdentity = { path: onDisk, size, head_sha256: head };
  if (ref) {
    id.member = ref.member;
    const d = digests.get(path);
    if (d) {
      id.member_size = d.bytes;
      id.member_sha256 = d.sha256;
    }
  }
  return id;
}

/** The ways `now` differs from `was`, in words; empty when it is the same file. */
export function identityChanges(was: FileIdentity, now: FileIdentity): string[] {
  const changes: string[] = [];
  if (was.path !== now.path || was.member !== now.member) changes.push('path');
  if (was.size !== now.size) changes.push(`size ${was.size} → ${now.size}`);
  if (was.head_sha256 !== now.head_sha256) changes.push('first MiB');
  if (was.member_size !== now.member_size || was.member_sha256 !== now.member_sha256) changes.push('bundle member content');
  return changes;
}

function headSha256(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.allocUnsafe(HEAD_BYTES);
    let got = 0;
    while (got < HEAD_BYTES) {
      const n = readSync(fd, buf, got, HEAD_BYTES - got, got);
      if (n === 0) break;
      got += n;
    }
    return createHash('sha256').update(buf.subarray(0, got)).digest('hex');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
