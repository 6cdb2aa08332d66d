import type { Evidence, Transaction } from '../model/types';
import { buildTransaction, type JoinedEvidence } from './build-transaction';
import { EvidenceStore } from './evidence-store';
import { batchOf, describeLink, parseEvidence, type EvidenceBatch } from '../pipeline/evidence-batch';
import { RecordSpool } from './record-spool';
import { SkewEstimator, sourceOf, type SkewEstimate } from './clock-skew';
import { isoWithOffset } from '../../parsers/time';

// Gathers evidence from every file and joins it into orders: by order number first, then by
// gateway trade number, and last (for lines that carry no key at all, such as dujiaoka's
// POST /create-order) by client ip, user agent and a short time window. Results do not depend
// on the order evidence arrives in: everything is sorted before it is decided. Evidence is
// held in an EvidenceStore, which spills to disk past a bound; what stays in memory per order
// is small (a key or two and the first sighting).

export interface CorrelatorOptions {
  /** How long after a keyless order-creation line the buyer's first keyed request may come. */
  fuzzyWindowMs: number;
  /** Evidence items held in memory before spilling to disk. */
  maxInMemory: number;
  spillParent?: string;
}

/** How long before a "paid" status poll an unlogged callback may have arrived (polls run every few seconds). */
const CALLBACK_WINDOW_MS = 15_000;

export const DEFAULT_CORRELATOR: CorrelatorOptions = { fuzzyWindowMs: 30_000, maxInMemory: 10_000 };

export interface Unjoined {
  kind: Evidence['kind'];
  rule: string;
  file: string;
  line: number;
  ts: string | null;
  why: string;
}

export interface CorrelationResult {
  /** The records, to be read once in order with `records.sorted()`; call `records.dispose()` after. */
  records: RecordSpool;
  /** Evidence that could not be tied to any order, with the reason. */
  unjoined: Unjoined[];
  fuzzyJoins: number;
  /** Evidence lines that were exact copies of lines in another place (counted once). */
  duplicateCopies: number;
  /** Every balance change seen, joined to an order or not (copies dropped). */
  balanceChanges: Evidence[];
  /** Evidence items that went through disk because memory was bounded. */
  spilledEvidence: number;
  /** Clock skew between sources, and which sources were corrected before records were built. */
  clockSkew: SkewEstimate[];
}

/** Sees each order's record and evidence once, as records are built: how the checks run without holding all evidence. */
export type OrderVisitor = (record: Transaction, evidence: Evidence[]) => void;

interface Sighting {
  tsMs: number;
  client: string;
}

export class Correlator {
  private readonly store: EvidenceStore;
  /** Gateway trade numbers, card key hashes and rule link keys → the order that carried them. */
  private readonly linkToOrder = new Map<string, string>();
  private readonly firstSeen = new Map<string, Sighting>();
  private readonly byLinkOnly: { e: Evidence; links: string[] }[] = [];
  private readonly keyless: Evidence[] = [];
  private readonly balances: Evidence[] = [];
  /** When each order's status poll first answered "paid", and which pay handler it used: to date the payment by an unlogged callback. */
  private readonly firstObserved = new Map<string, number>();
  private readonly handlerOf = new Map<string, string>();
  /** Callback times per order, compact, for estimating clock skew before records are built. */
  private readonly notifyTimes = new Map<string, Evidence[]>();
  private readonly opts: CorrelatorOptions;

  constructor(opts: Partial<CorrelatorOptions> = {}) {
    this.opts = { ...DEFAULT_CORRELATOR, ...opts };
    this.store = new EvidenceStore({ maxInMemory: this.opts.maxInMemory, partitions: 32, ...(this.opts.spillParent ? { spillParent: this.opts.spillParent } : {}) });
  }

  /** Evidence as objects (tests, small callers): the same path as batches from the workers. */
  add(items: Evidence[]): void {
    this.addBatch(batchOf(items));
  }

  addBatch(b: EvidenceBatch): void {
    for (let i = 0; i < b.json.length; i++) {
      const kind = b.kind[i]!;
      const oid = b.orderId[i];
      const links = b.links[i];
      // The few kinds the correlator needs whole are parsed now; the rest stay text until the
      // order's record is built.
      if (kind === 'balance_changed') this.balances.push(parseEvidence(b.json[i]!));
      if (oid) {
        this.store.add(oid, b.json[i]!);
        // A forged callback must not be able to claim a trade number for its order.
        if (links && !b.badSignature[i]) for (const l of links) if (!this.linkToOrder.has(l)) this.linkToOrder.set(l, oid);
        const ts = b.tsMs[i]!;
        if (kind === 'payment_notified' && ts !== null && !Number.isNaN(ts)) {
          const e = parseEvidence(b.json[i]!);
          let l = this.notifyTimes.get(oid);
          if (!l) this.notifyTimes.set(oid, (l = []));
          l.push({ kind: e.kind, format: e.format, tsMs: e.tsMs, source: e.source } as Evidence);
        }
        if (kind === 'payment_observed' && !Number.isNaN(ts)) {
          const t = this.firstObserved.get(oid);
          if (t === undefined || ts < t) this.firstObserved.set(oid, ts);
        }
        if (kind === 'payment_started' && !this.handlerOf.has(oid)) {
          const h = parseEvidence(b.json[i]!).fields.pay_handler;
          if (typeof h === 'string') this.handlerOf.set(oid, h);
        }
        // The first sighting of the order by a browser (client ip and user agent): for fuzzy joins.
        const client = b.client[i];
        if (client && ts !== null && !Number.isNaN(ts)) {
          const s = this.firstSeen.get(oid);
          if (!s || ts < s.tsMs) this.firstSeen.set(oid, { tsMs: ts, client });
        }
      } else if (links) {
        this.byLinkOnly.push({ e: parseEvidence(b.json[i]!), links });
      } else {
        this.keyless.push(parseEvidence(b.json[i]!));
      }
    }
  }

  finish(visit?: OrderVisitor): CorrelationResult {
    const unjoined: Unjoined[] = [];
    const miss = (e: Evidence, why: string) =>
      unjoined.push({ kind: e.kind, rule: e.rule, file: e.source.file, line: e.source.line, ts: e.ts, why });

    for (const { e, links } of this.byLinkOnly) {
      const link = links.find((l) => this.linkToOrder.has(l));
      if (link) this.store.add(this.linkToOrder.get(link)!, JSON.stringify({ ...e, joinedBy: describeLink(link) }));
      else miss(e, `${links.map(describeLink).join(', ')} match(es) no known order`);
    }
    const fuzzyJoins = this.joinKeyless(miss);

    const skew = new SkewEstimator();
    for (const l of this.notifyTimes.values()) skew.visit(l);
    const clockSkew = skew.finish();
    const corrections = SkewEstimator.corrections(clockSkew);

    let duplicateCopies = 0;
    const records = new RecordSpool(5000, this.opts.spillParent);
    try {
      for (const [id, raw] of this.store.groups()) {
        const list = corrections.size > 0 ? raw.map((e) => correctClock(e, corrections)) : raw;
        const { kept, dropped } = dropCopies(list);
        duplicateCopies += dropped;
        const t = buildTransaction(id, kept);
        records.add(t);
        visit?.(t, kept);
      }
    } catch (e) {
      records.dispose();
      throw e;
    } finally {
      this.store.dispose();
    }
    unjoined.sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line));
    const balanceChanges = dropCopies(this.balances as JoinedEvidence[]).kept;
    return { records, unjoined, fuzzyJoins, duplicateCopies, balanceChanges, spilledEvidence: this.store.spilledCount, clockSkew };
  }

  /**
   * A keyless order-creation line is joined to the order whose first sighting is the same
   * client (ip and user agent) within the window after it. Each order takes at most one such
   * line, the closest in time; ties are broken by file and line so the result is stable.
   */
  private joinKeyless(miss: (e: Evidence, why: string) => void): number {
    const firstByClient = new Map<string, { oid: string; tsMs: number }[]>();
    for (const [oid, s] of this.firstSeen) {
      let arr = firstByClient.get(s.client);
      if (!arr) firstByClient.set(s.client, (arr = []));
      arr.push({ oid, tsMs: s.tsMs });
    }
    for (const arr of firstByClient.values()) arr.sort((a, b) => a.tsMs - b.tsMs || (a.oid < b.oid ? -1 : 1));

    const creations = this.keyless.filter((e) => e.kind === 'order_created' && e.fields.client_ip && !Number.isNaN(e.tsMs));
    creations.sort((a, b) => a.tsMs - b.tsMs || (a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : a.source.line - b.source.line));
    const taken = new Set<string>();
    let joins = 0;
    for (const e of creations) {
      const arr = firstByClient.get(clientKey(e));
      const cand = arr?.find((c) => !taken.has(c.oid) && c.tsMs >= e.tsMs && c.tsMs - e.tsMs <= this.opts.fuzzyWindowMs);
      if (!cand) {
        miss(e, 'order creation with no order number, and no order seen from the same client soon after');
        continue;
      }
      taken.add(cand.oid);
      joins++;
      this.store.add(cand.oid, JSON.stringify({ ...e, joinedBy: `client ${e.fields.client_ip} and user agent within ${Math.round((cand.tsMs - e.tsMs) / 1000)} s` }));
    }
    joins += this.joinUnloggedCallbacks(miss);
    for (const e of this.keyless) {
      if (e.kind === 'order_created' && e.fields.client_ip && !Number.isNaN(e.tsMs)) continue;
      if (e.kind === 'balance_changed') continue; // used by the balance check, not joined
      if (e.kind === 'callback_seen') continue; // handled by joinUnloggedCallbacks
      miss(e, 'no order number or trade number on this line');
    }
    return joins;
  }

  /**
   * A callback whose body was not logged names no order, but its time does: the shop marks the
   * order paid while answering it, and the buyer's next status poll says so. An order whose
   * poll first answered "paid" at t takes the one callback of its gateway handler in the
   * window before t; when there are several, none is taken (the record keeps the poll's time).
   */
  private joinUnloggedCallbacks(miss: (e: Evidence, why: string) => void): number {
    const callbacks = this.keyless
      .filter((e) => e.kind === 'callback_seen' && !Number.isNaN(e.tsMs))
      .sort((a, b) => a.tsMs - b.tsMs || (a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : a.source.line - b.source.line));
    const byHandler = new Map<string, Evidence[]>();
    for (const e of callbacks) {
      const h = String(e.fields.pay_handler ?? '');
      let l = byHandler.get(h);
      if (!l) byHandler.set(h, (l = []));
      l.push(e);
    }
    const orders = [...this.firstObserved].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    const taken = new Set<Evidence>();
    let joins = 0;
    for (const [oid, t] of orders) {
      const handler = this.handlerOf.get(oid);
      if (handler === undefined) continue;
      const inWindow = (byHandler.get(handler) ?? []).filter((e) => !taken.has(e) && e.tsMs <= t && t - e.tsMs <= CALLBACK_WINDOW_MS);
      if (inWindow.length !== 1) continue;
      const e = inWindow[0]!;
      taken.add(e);
      joins++;
      this.store.add(oid, JSON.stringify({ ...e, joinedBy: `time: the only ${handler} callback in the ${CALLBACK_WINDOW_MS / 1000} s before the order's status first showed "paid"` }));
    }
    for (const e of callbacks) if (!taken.has(e)) miss(e, 'callback whose content was not logged, and no single order it can be tied to by time');
    return joins;
  }
}

/** Evidence from a source with a known clock offset, moved to the reference clock (and marked). */
function correctClock(e: JoinedEvidence, corrections: Map<string, number>): JoinedEvidence {
  const off = corrections.get(sourceOf(e));
  if (off === undefined || Number.isNaN(e.tsMs)) return e;
  const tsMs = e.tsMs - off * 1000;
  const m = e.ts ? /([+-])(\d{2}):(\d{2})$/.exec(e.ts) : null;
  const zone = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return { ...e, tsMs, ts: isoWithOffset(tsMs, zone), fields: { ...e.fields, clock_corrected_s: -off } };
}

function clientKey(e: Evidence): string {
  return `${e.fields.client_ip ?? ''}|${e.fields.user_agent ?? ''}`;
}

/** Keep one of each fingerprint: the copy with the smallest (file, line), so the choice is stable. */
export function dropCopies(list: JoinedEvidence[]): { kept: JoinedEvidence[]; dropped: number } {
  const best = new Map<string, JoinedEvidence>();
  for (const e of list) {
    const cur = best.get(e.fingerprint);
    if (!cur || e.source.file < cur.source.file || (e.source.file === cur.source.file && e.source.line < cur.source.line)) best.set(e.fingerprint, e);
  }
  return { kept: [...best.values()], dropped: list.length - best.size };
}
