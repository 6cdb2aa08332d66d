import type { Evidence, Transaction, CheckedEvidence } from '../model/types';
import type { StatementSpan } from '../sources/statements/read-statement';

// The merchant statement against the logs, both ways:
//  * statement_only — the bill lists a payment that no log line explains: the record's only
//    payment evidence is the bill (with `no_other_trace`: the order left no trace in the logs at
//    all). These are the orders the bill brought back.
//  * not_in_statement — a record claims a payment through this bill's gateway, at a time the
//    bill covers, and the bill does not list it: a forged or replayed callback, a payment to
//    another merchant account, or a bill that is not the whole period. Worth a look either way.
// A bill covers its gateway's channel from its first to its last row; bills of one channel are
// taken together.

export interface StatementReport {
  files: { file: string; format: string; channel: string; from: string; to: string; payments: number; refunds: number; other_rows: Record<string, number> }[];
  /** Orders that some bill row names. */
  orders_in_statement: number;
  statement_only: { count: number; no_other_trace: number; order_ids: string[] };
  not_in_statement: { count: number; order_ids: string[] };
}

const LIST_LIMIT = 1000;
const CLAIMS = new Set(['paid', 'delivered', 'refunded']);
/** Evidence kinds that, outside the bill, say money arrived. */
const PAYMENT_KINDS = new Set<Evidence['kind']>(['payment_notified', 'payment_confirmed', 'payment_observed', 'card_delivered', 'refunded']);

function isBill(e: CheckedEvidence): boolean {
  return e.fields.statement === 'yes';
}

export class StatementCheck {
  private readonly flags = new Map<string, string[]>();
  private inStatement = 0;
  private readonly only: string[] = [];
  private onlyCount = 0;
  private noTrace = 0;
  private readonly missing: string[] = [];
  private missingCount = 0;
  /** Covered time per channel: [from, to] ranges of the bills. */
  private readonly covered = new Map<string, [number, number][]>();

  constructor(
    private readonly spans: StatementSpan[],
  ) {
    for (const s of spans) {
      let l = this.covered.get(s.channel);
      if (!l) this.covered.set(s.channel, (l = []));
      l.push([s.fromMs, s.toMs]);
    }
  }

  private flag(oid: string, f: string): void {
    const l = this.flags.get(oid) ?? [];
    if (!l.includes(f)) l.push(f);
    this.flags.set(oid, l);
  }

  visit(r: Transaction, ev: readonly CheckedEvidence[]): void {
    const bill = ev.filter(isBill);
    if (bill.length > 0) {
      this.inStatement++;
      const otherPayment = ev.some((e) => !isBill(e) && PAYMENT_KINDS.has(e.kind) && !(e.kind === 'payment_notified' && (e.signature === 'bad_signature' || e.fields.gateway_success === 'no')));
      if (!otherPayment) {
        this.onlyCount++;
        if (bill.length === ev.length) this.noTrace++;
        if (this.only.length < LIST_LIMIT) this.only.push(r.order_id);
        this.flag(r.order_id, 'statement_only');
      }
      return;
    }
    if (!CLAIMS.has(r.status) || r.channel === null || r.paid_at === null) return;
    const ranges = this.covered.get(r.channel);
    if (!ranges) return;
    const at = Date.parse(r.paid_at);
    if (Number.isNaN(at) || !ranges.some(([a, b]) => at >= a && at <= b)) return;
    this.missingCount++;
    if (this.missing.length < LIST_LIMIT) this.missing.push(r.order_id);
    this.flag(r.order_id, 'not_in_statement');
  }

  finish(formatTime: (ms: number) => string = (ms) => new Date(ms).toISOString()): { report: StatementReport; flags: Map<string, string[]> } {
    const sorted = (l: string[]) => [...l].sort();
    return {
      report: {
        files: this.spans.map((s) => ({
          file: s.file,
          format: s.format,
          channel: s.channel,
          from: formatTime(s.fromMs),
          to: formatTime(s.toMs),
          payments: s.payments,
          refunds: s.refunds,
          other_rows: s.other,
        })),
        orders_in_statement: this.inStatement,
        statement_only: { count: this.onlyCount, no_other_trace: this.noTrace, order_ids: sorted(this.only) },
        not_in_statement: { count: this.missingCount, order_ids: sorted(this.missing) },
      },
      flags: this.flags,
    };
  }
}
