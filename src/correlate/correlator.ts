import type { Evidence, Transaction } from '../model/types';
import { buildTransaction, type JoinedEvidence } from './build-transaction';

// Gathers evidence from every file and joins it into orders: by order number first, then by
// gateway trade number, and last (for lines that carry no key at all, such as dujiaoka's
// POST /create-order) by client ip, user agent and a short time window. Results do not depend
// on the order evidence arrives in: everything is sorted before it is decided.

export interface CorrelatorOptions {
  /** How long after a keyless order-creation line the buyer's first keyed request may come. */
  fuzzyWindowMs: number;
}

export interface Unjoined {
  kind: Evidence['kind'];
  rule: string;
  file: string;
  line: number;
  ts: string | null;
  why: string;
}

export interface CorrelationResult {
  transactions: Transaction[];
  /** Evidence that could not be tied to any order, with the reason. */
  unjoined: Unjoined[];
  fuzzyJoins: number;
  /** Evidence lines that were exact copies of lines in another place (counted once). */
  duplicateCopies: number;
  /** The evidence behind each record, after copies were dropped: for the checks. */
  evidenceByOrder: Map<string, Evidence[]>;
  /** Every balance change seen, joined to an order or not. */
  balanceChanges: Evidence[];
}

export class Correlator {
  private readonly byOrder = new Map<string, JoinedEvidence[]>();
  private readonly tradeToOrder = new Map<string, string>();
  private readonly byTradeOnly: Evidence[] = [];
  private readonly keyless: Evidence[] = [];
  private readonly balances: Evidence[] = [];

  constructor(private readonly opts: CorrelatorOptions = { fuzzyWindowMs: 30_000 }) {}

  add(items: Evidence[]): void {
    for (const e of items) {
      if (e.kind === 'balance_changed') this.balances.push(e);
      const oid = e.fields.order_id;
      const tno = e.fields.trade_no;
      if (oid) {
        this.push(oid, e);
        if (tno && e.signature !== 'bad_signature' && !this.tradeToOrder.has(tno)) this.tradeToOrder.set(tno, oid);
      } else if (tno) {
        this.byTradeOnly.push(e);
      } else {
        this.keyless.push(e);
      }
    }
  }

  get openOrders(): number {
    return this.byOrder.size;
  }

  private push(oid: string, e: JoinedEvidence): void {
    let list = this.byOrder.get(oid);
    if (!list) this.byOrder.set(oid, (list = []));
    list.push(e);
  }

  finish(): CorrelationResult {
    const unjoined: Unjoined[] = [];
    const miss = (e: Evidence, why: string) =>
      unjoined.push({ kind: e.kind, rule: e.rule, file: e.source.file, line: e.source.line, ts: e.ts, why });

    for (const e of this.byTradeOnly) {
      const oid = this.tradeToOrder.get(e.fields.trade_no!);
      if (oid) this.push(oid, { ...e, joinedBy: `gateway trade no ${e.fields.trade_no}` });
      else miss(e, `trade no ${e.fields.trade_no} matches no known order`);
    }

    const fuzzyJoins = this.joinKeyless(miss);

    const ids = [...this.byOrder.keys()].sort();
    let duplicateCopies = 0;
    const evidenceByOrder = new Map<string, Evidence[]>();
    const transactions = ids.map((id) => {
      const { kept, dropped } = dropCopies(this.byOrder.get(id)!);
      duplicateCopies += dropped;
      evidenceByOrder.set(id, kept);
      return buildTransaction(id, kept);
    });
    transactions.sort((a, b) => {
      const ca = a.created_at ? Date.parse(a.created_at) : Infinity;
      const cb = b.created_at ? Date.parse(b.created_at) : Infinity;
      return ca !== cb ? ca - cb : a.order_id < b.order_id ? -1 : a.order_id > b.order_id ? 1 : 0;
    });
    unjoined.sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line));
    const balanceChanges = dropCopies(this.balances.map((e) => e as JoinedEvidence)).kept;
    return { transactions, unjoined, fuzzyJoins, duplicateCopies, evidenceByOrder, balanceChanges };
  }

  /**
   * A keyless order-creation line is joined to the order whose first sighting is the same
   * client (ip and user agent) within the window after it. Each order takes at most one such
   * line, the closest in time; ties are broken by file and line so the result is stable.
   */
  private joinKeyless(miss: (e: Evidence, why: string) => void): number {
    // The first sighting of each order by client.
    const firstByClient = new Map<string, { oid: string; tsMs: number }[]>();
    for (const [oid, list] of this.byOrder) {
      let first: Evidence | undefined;
      for (const e of list) if (e.fields.client_ip && e.fields.user_agent && !Number.isNaN(e.tsMs) && (!first || e.tsMs < first.tsMs)) first = e;
      if (!first) continue;
      const k = clientKey(first);
      let arr = firstByClient.get(k);
      if (!arr) firstByClient.set(k, (arr = []));
      arr.push({ oid, tsMs: first.tsMs });
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
      this.push(cand.oid, { ...e, joinedBy: `client ${e.fields.client_ip} and user agent within ${Math.round((cand.tsMs - e.tsMs) / 1000)} s` });
    }
    for (const e of this.keyless) {
      if (e.kind === 'order_created' && e.fields.client_ip && !Number.isNaN(e.tsMs)) continue;
      if (e.kind === 'balance_changed') continue; // used by the balance check, not joined
      miss(e, 'no order number or trade number on this line');
    }
    return joins;
  }
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
