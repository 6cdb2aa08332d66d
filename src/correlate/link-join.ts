import type { Evidence } from '../model/types';
import { describeLink, linksOf, parseEvidence } from '../model/evidence-batch';
import { BlockFile } from './block-file';
import { withJoinedBy, type JoinSink } from './parked-line';

// Lines that carry no order number but a link key (a gateway trade number, a card key hash, a
// rule's link key) join the one order that carries the same link. A link two orders carry
// places nothing, whichever was read first. While reading, a line goes to the order its links
// name at that moment; at the end, when every order's links are known, each such line is
// placed again, and the lines no order had claimed yet when they arrived are placed then.

export class LinkJoin {
  /** Each link → the first order seen carrying it. */
  private readonly firstCarrier = new Map<string, string>();
  /** Links carried by more than one order, with every such order: a line naming only such a link cannot be placed. */
  private readonly contested = new Map<string, string[]>();
  /** Lines placed while reading, as `[order, link, line]`: checked again at the end, when every
   *  claim is known, so where a line goes does not depend on what was read first. */
  private readonly placed: BlockFile;
  /** Lines whose links no order had claimed yet when they arrived. */
  private readonly waiting: { json: string; links: readonly string[] }[] = [];

  constructor(spillParent?: string) {
    this.placed = new BlockFile(spillParent, 'salvage-linked-');
  }

  /** An order carries a link (not from a forged callback): the first is kept, and a second order makes the link contested. */
  claim(link: string, order: string): void {
    const first = this.firstCarrier.get(link);
    if (first === undefined) {
      this.firstCarrier.set(link, order);
      return;
    }
    if (first === order) return;
    const all = this.contested.get(link);
    if (!all) this.contested.set(link, [first, order]);
    else if (!all.includes(order)) all.push(order);
  }

  /** While reading: a line that names only `links` joins the order they name now, or waits for the end. */
  add(json: string, links: readonly string[], tsMs: number, sink: Pick<JoinSink, 'add'>): void {
    const to = this.placeByLink(links);
    if (to && 'order' in to) {
      sink.add(to.order, withJoinedBy(json, describeLink(to.link)), tsMs);
      this.placed.append([JSON.stringify([to.order, to.link, json])]);
    } else this.waiting.push({ json, links });
  }

  /**
   * The end of the run. Lines placed while reading were placed with the claims known then: an
   * order read later may carry the same link (now contested) or an earlier link of the line.
   * Each is placed again with every claim known; one that goes elsewhere is taken back and
   * decided with the lines that waited, so the result is the one of reading everything first.
   * A waiting line no link places goes to `byPrefix` if it names the start of an order number,
   * else to `miss`.
   */
  finish(sink: JoinSink, miss: (e: Evidence, why: string) => void, byPrefix: (prefix: string, json: string) => void): void {
    try {
      for (const { text } of this.placed.lines()) {
        const [order, link, json] = JSON.parse(text) as [string, string, string];
        const links = linksOf(parseEvidence(json)) ?? [];
        const to = this.placeByLink(links);
        if (to && 'order' in to && to.order === order && to.link === link) continue;
        sink.retract(order, withJoinedBy(json, describeLink(link)));
        this.waiting.push({ json, links });
      }
    } finally {
      this.placed.dispose();
    }
    for (const { json, links } of this.waiting) {
      const to = this.placeByLink(links);
      if (to && 'order' in to) sink.addLate(to.order, withJoinedBy(json, describeLink(to.link)));
      else if (to) {
        const orders = this.contested.get(to.contested)!;
        miss(parseEvidence(json), `${describeLink(to.contested)} is carried by ${orders.length} orders (${[...orders].sort().join(', ')}): cannot tell which`);
      } else {
        const e = parseEvidence(json);
        const prefix = e.fields.order_id_prefix;
        if (typeof prefix === 'string' && prefix !== '') byPrefix(prefix, json);
        else miss(e, `${links.map(describeLink).join(', ')} match(es) no known order`);
      }
    }
  }

  /**
   * Where a line that names only links goes: the order of its first link (in the line's own
   * order of links) that exactly one order carries. A link carried by several orders places
   * nothing; if that is all the line has, it says which (`contested`).
   */
  private placeByLink(links: readonly string[]): { order: string; link: string } | { contested: string } | null {
    let contested: string | undefined;
    for (const l of links) {
      const order = this.firstCarrier.get(l);
      if (order === undefined) continue;
      if (!this.contested.has(l)) return { order, link: l };
      contested ??= l;
    }
    return contested === undefined ? null : { contested };
  }
}
