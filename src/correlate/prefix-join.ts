import type { Evidence } from '../model/types';
import { parseEvidence } from '../model/evidence-batch';
import { BlockFile } from './block-file';
import type { OrderKeys } from './order-keys';
import { withJoinedBy, type JoinSink } from './parked-line';

// Evidence that names only the start of an order number (PHP writes at most 15 characters of a
// string argument in a stack trace; dujiaoka's order numbers have 16). Such a line is parked
// on disk; what stays in memory is its prefix and where it is parked. At the end of the run,
// when every full order number is known, it joins the one order that starts with the prefix.
// A prefix shared by several orders is reported, never guessed.

export type PrefixMatch = { order: string } | { none: true } | { ambiguous: number };

/**
 * Which of the sorted order numbers start with `prefix`: binary search for the first that is
 * not below it, then look at most one further (two matches already make it ambiguous, so the
 * exact count is only worked out as far as it is needed: a bounded walk).
 */
export function matchPrefix(sorted: readonly string[], prefix: string, countLimit = 1000): PrefixMatch {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  let n = 0;
  for (let i = lo; i < sorted.length && n < countLimit && sorted[i]!.startsWith(prefix); i++) n++;
  if (n === 0) return { none: true };
  if (n === 1) return { order: sorted[lo]! };
  return { ambiguous: n };
}

interface Waiting {
  prefix: string;
  pos: number;
  len: number;
}

export class PrefixJoin {
  private readonly waiting: Waiting[] = [];
  private readonly file: BlockFile;

  constructor(
    private readonly keys: OrderKeys,
    spillParent?: string,
  ) {
    this.file = new BlockFile(spillParent, 'salvage-prefix-');
  }

  park(prefix: string, json: string): void {
    const at = this.file.append([json]);
    this.waiting.push({ prefix, pos: at.pos, len: at.len });
  }

  /** The end of the run, every order known: each parked line joins its order, or is reported with why it joins none. */
  finish(sink: Pick<JoinSink, 'addLate'>, miss: (e: Evidence, why: string) => void): void {
    try {
      if (this.waiting.length === 0) return;
      const sorted: string[] = [];
      for (let row = 0; row < this.keys.size; row++) sorted.push(this.keys.id(row));
      sorted.sort();
      for (const w of this.waiting) {
        const json = this.file.read({ pos: w.pos, len: w.len })[0]!;
        const m = matchPrefix(sorted, w.prefix);
        if ('order' in m) sink.addLate(m.order, withJoinedBy(json, `order number prefix ${w.prefix}…`));
        else if ('none' in m) miss(parseEvidence(json), `order number prefix ${w.prefix}… matches no known order / 订单号前缀无对应订单`);
        else miss(parseEvidence(json), `ambiguous prefix: ${w.prefix}… matches ${m.ambiguous} orders / 订单号前缀对应多个订单`);
      }
    } finally {
      this.file.dispose();
    }
  }
}
