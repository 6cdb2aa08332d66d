import { BlockFile } from './block-file';

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

export interface PrefixOutcome {
  json: string;
  prefix: string;
  /** The order it joins, or why it joins none. */
  order?: string;
  why?: string;
}

export class PrefixJoin {
  private readonly waiting: Waiting[] = [];
  private readonly file: BlockFile;

  constructor(spillParent?: string) {
    this.file = new BlockFile(spillParent, 'salvage-prefix-');
  }

  get size(): number {
    return this.waiting.length;
  }

  park(prefix: string, json: string): void {
    const at = this.file.append([json]);
    this.waiting.push({ prefix, pos: at.pos, len: at.len });
  }

  /** Each parked line with the order it joins or the reason it joins none. `orders` need not be sorted. */
  *resolve(orders: readonly string[]): Generator<PrefixOutcome> {
    if (this.waiting.length === 0) return;
    const sorted = [...orders].sort();
    for (const w of this.waiting) {
      const json = this.file.read({ pos: w.pos, len: w.len })[0]!;
      const m = matchPrefix(sorted, w.prefix);
      if ('order' in m) yield { json, prefix: w.prefix, order: m.order };
      else if ('none' in m) yield { json, prefix: w.prefix, why: `order number prefix ${w.prefix}… matches no known order / 订单号前缀无对应订单` };
      else yield { json, prefix: w.prefix, why: `ambiguous prefix: ${w.prefix}… matches ${m.ambiguous} orders / 订单号前缀对应多个订单` };
    }
  }

  dispose(): void {
    this.file.dispose();
  }
}
