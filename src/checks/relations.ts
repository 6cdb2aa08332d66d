import type { Evidence, Transaction, CheckedEvidence } from '../model/types';

// Relations between records and the evidence behind them: things that cannot all be true in a
// healthy shop, each listed with the orders involved so a person can follow up.

export interface RelationFinding {
  check: 'paid_not_delivered' | 'delivered_not_paid' | 'card_key_reused' | 'callback_for_unknown_order' | 'amount_mismatch' | 'bad_signature' | 'replayed_notify' | 'notify_refused_by_shop';
  order_ids: string[];
  detail: string;
}

/** Sees each order once (record and evidence); decides at the end, when run-wide facts are known. */
export class RelationCheck {
  private readonly findings: RelationFinding[] = [];
  private readonly flags = new Map<string, string[]>();
  private readonly cardOwners = new Map<string, Set<string>>();
  private readonly paidOnly: string[] = [];
  private readonly callbacksOnly: string[] = [];
  // Whether the shop logs deliveries / order traces at all: only then is their absence news.
  private anyDelivery = false;
  private anyOrderTrace = false;

  private flag(oid: string, f: string): void {
    const l = this.flags.get(oid) ?? [];
    if (!l.includes(f)) l.push(f);
    this.flags.set(oid, l);
  }

  visit(r: Transaction, ev: readonly CheckedEvidence[]): void {
    for (const e of ev) {
      if (e.kind === 'card_delivered') this.anyDelivery = true;
      if (e.kind === 'order_created' || e.kind === 'order_viewed' || e.kind === 'order_mentioned' || e.kind === 'payment_started') this.anyOrderTrace = true;
      const h = e.fields.card_key_hash;
      if (typeof h === 'string') {
        let s = this.cardOwners.get(h);
        if (!s) this.cardOwners.set(h, (s = new Set()));
        s.add(r.order_id);
      }
    }
    if (r.status === 'paid') this.paidOnly.push(r.order_id);
    if (ev.length > 0 && ev.every((e) => e.kind === 'payment_notified')) this.callbacksOnly.push(r.order_id);
    if (r.flags.includes('delivered_without_payment_evidence')) {
      this.findings.push({ check: 'delivered_not_paid', order_ids: [r.order_id], detail: 'card delivered, but no payment line survived' });
    }
    if (r.flags.includes('amount_mismatch')) {
      const c = r.conflicts.find((x) => x.field === 'amount');
      this.findings.push({ check: 'amount_mismatch', order_ids: [r.order_id], detail: c ? `amounts seen: ${c.values.map((v) => `${v.value} (${v.rule})`).join(', ')}` : 'order and callback amounts differ' });
    }
    if (r.flags.includes('bad_signature')) {
      this.findings.push({ check: 'bad_signature', order_ids: [r.order_id], detail: 'a callback for this order failed its signature check (forged or wrong key)' });
    }
    // The record's reasons say which lines; the finding puts the order on the report's list.
    if (r.flags.includes('replayed_notify')) {
      this.findings.push({ check: 'replayed_notify', order_ids: [r.order_id], detail: r.reasons.find((x) => /replay/.test(x)) ?? 'a callback arrived again long after the shop acknowledged it' });
    }
    if (r.flags.includes('notify_refused_by_shop')) {
      this.findings.push({ check: 'notify_refused_by_shop', order_ids: [r.order_id], detail: r.reasons.find((x) => /did not take the payment/.test(x)) ?? 'the shop answered every copy of the callback with an error' });
    }
  }

  finish(): { findings: RelationFinding[]; flags: Map<string, string[]> } {
    const findings = [...this.findings];
    if (this.anyDelivery) {
      for (const id of this.paidOnly) {
        findings.push({ check: 'paid_not_delivered', order_ids: [id], detail: 'payment shown, but no delivery line survived (the shop logs deliveries elsewhere)' });
        this.flag(id, 'paid_not_delivered');
      }
    }
    if (this.anyOrderTrace) {
      for (const id of this.callbacksOnly) {
        findings.push({ check: 'callback_for_unknown_order', order_ids: [id], detail: 'callbacks only: no trace of the order being created or viewed' });
        this.flag(id, 'callback_for_unknown_order');
      }
    }
    for (const [hash, owners] of this.cardOwners) {
      if (owners.size > 1) {
        const ids = [...owners].sort();
        findings.push({ check: 'card_key_reused', order_ids: ids, detail: `one card key (sha256 ${hash.slice(0, 12)}…) delivered to ${ids.length} orders` });
        for (const id of ids) this.flag(id, 'card_key_reused');
      }
    }
    const key = (f: RelationFinding) => `${f.check}\u0000${f.order_ids.join(',')}`;
    findings.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return { findings, flags: this.flags };
  }
}

export function relationChecks(records: Transaction[], evidenceByOrder: Map<string, readonly CheckedEvidence[]>): { findings: RelationFinding[]; flags: Map<string, string[]> } {
  const c = new RelationCheck();
  for (const r of records) c.visit(r, evidenceByOrder.get(r.order_id) ?? []);
  return c.finish();
}
