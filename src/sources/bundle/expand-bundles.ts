import type { Discovered } from '../discover';
import { isBundleName, memberPath } from './member-path';
import { listBundle } from './list-bundle';
import { findCopies, type KnownDigests } from '../find-copies';

// Replaces each bundle among the inputs by its log members (`b.tar.gz!/x.log`), which are then
// read like files. Skipped members and damage are put where the run reports inputs.

export interface Expanded {
  files: string[];
  /** Each member's size and sha256 from the listing: byte-identical members are then read once. */
  digests: KnownDigests;
}

export async function expandBundles(files: string[], found: Pick<Discovered, 'skipped' | 'problems'>, show: (p: string) => string): Promise<Expanded> {
  const out: string[] = [];
  const digests = new Map<string, { bytes: number; sha256: string }>();
  // A bundle with the same bytes as an earlier one would count its members' lines twice.
  const copies = findCopies(files.filter(isBundleName));
  for (const f of files) {
    if (!isBundleName(f)) {
      out.push(f);
      continue;
    }
    const copy = copies.get(f);
    if (copy) {
      found.skipped.push({ path: f, reason: `the same bytes as ${show(copy.of)} (sha256 ${copy.sha256.slice(0, 12)}…): its members are read once / 与 ${show(copy.of)} 内容相同，成员只读取一次`, kind: 'repeat-bundle' });
      continue;
    }
    const l = await listBundle(f);
    // In name order, as files in a folder are taken: the report, and the rejects written in input
    // order, are then the same whichever order the archiver (tar, zip, a panel's backup) stored them in.
    for (const m of [...l.members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      out.push(memberPath(f, m.name));
      if (m.sha256 !== undefined) digests.set(memberPath(f, m.name), { bytes: m.size, sha256: m.sha256 });
    }
    for (const s of l.skipped) found.skipped.push({ path: memberPath(f, s.name), reason: s.reason, kind: 'not-a-log' });
    if (l.damage) {
      found.problems.push({
        input: show(f),
        message: `bundle ${show(f)} is damaged (${l.damage}): its ${l.members.length} readable members are read, the members after the damage cannot be listed / 归档包已损坏：读取其中 ${l.members.length} 个可读成员，损坏处之后的成员无法列出`,
      });
    }
  }
  return { files: out, digests };
}
