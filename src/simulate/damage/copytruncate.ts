// Damage: copytruncate overlap — the tail of one day's file is repeated at the head of the next.
import type { Line, OutFile } from '../files';
import type { Rng } from '../prng';
import type { DamageLog } from './log';

export function applyCopytruncate(files: readonly OutFile[], count: number, rng: Rng, log: DamageLog): void {
  const pairs: [OutFile, OutFile][] = [];
  const bySink = new Map<string, OutFile[]>();
  for (const f of files) {
    if (!f.sink.startsWith('nginx/') || f.day === undefined) continue;
    let l = bySink.get(f.sink);
    if (!l) bySink.set(f.sink, (l = []));
    l.push(f);
  }
  for (const list of bySink.values()) {
    list.sort((a, b) => a.day! - b.day!);
    for (let i = 0; i + 1 < list.length; i++) if (list[i]!.lines.length > 0) pairs.push([list[i]!, list[i + 1]!]);
  }
  for (const [prev, next] of rng.sample(pairs, count)) {
    const k = Math.min(prev.lines.length, rng.int(5, 60));
    const copies: Line[] = prev.lines.slice(prev.lines.length - k).map((l) => {
      const c: Line = { text: l.text };
      if (l.pay !== undefined) c.pay = l.pay;
      if (l.forged !== undefined) c.forged = l.forged;
      if (l.damaged) c.damaged = true;
      return c;
    });
    const id = log.add({
      type: 'copytruncate_overlap',
      file: next.path,
      detail: `the first ${k} lines repeat the last ${k} lines of ${prev.path} (copied before truncation)`,
      extra: { source: prev.path, repeated_lines: k },
    });
    for (const c of copies) log.mark(id, c);
    next.lines = [...copies, ...next.lines];
  }
}
