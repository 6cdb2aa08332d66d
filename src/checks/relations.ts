import type { Evidence, Transaction } from '../model/types';

// Relations between records and the evidence behind them: things that cannot all be true in a
// healthy shop, each listed with the orders involved so a person can follow up.

export interface RelationFinding {
  check: 'paid_not_delivered' | 'delivered_not_paid' | 'card_key_reused' | 'callback_for_unknown_order' | 'amount_mismatch' | 'bad_signature';
  order_ids: string[];
  detail: string;
}

export function relationChecks(records: Transaction[], evidenceByOrder: Map<string, Evidence[]>): { findings: RelationFinding[]; flags: Map<string, string[]> } {
  const findings: RelationFinding[] = [];
  const flags = new Map<string, string[]>();
  const flag = (oid: string, f: string) => {
    const l = flags.get(oid) ?? [];
    if (!l.includes(f)) l.push(f);
    flags.set(oid, l);
  };
  // Only meaningful where the shop logs deliveries at all.
  let anyDelivery = false;
  let anyOrderTrace = false;
  for (const list of evidenceByOrder.values()) {
    for (const e of list) {
      if (e.kind === 'card_delivered') anyDelivery = true;
      if (e.kind === 'order_created' || e.kind === 'order_viewed' || e.kind === 'payment_started') anyOrderTrace = true;
    }
  }
  const cardOwners = new Map<string, Set<string>>();
  for (const r of records) {
    const ev = evidenceByOrder.get(r.order_id) ?? [];
    for (const e of ev) {
      const h = e.fields.card_key_hash;
      if (typeof h === 'string') {
        let s = cardOwners.get(h);
        if (!s) cardOwners.set(h, (s = new Set()));
        s.add(r.order_id);
      }
    }
    if (anyDelivery && r.status === 'paid') {
      findings.push({ check: 'paid_not_delivered', order_ids: [r.order_id], detail: 'payment shown, but no delivery line survived (the shop logs deliveries elsewhere)' });
      flag(r.order_id, 'paid_not_delivered');
    }
    if (r.flags.includes('delivered_without_payment_evidence')) {
      findings.push({ check: 'delivered_not_paid', order_ids: [r.order_id], detail: 'card delivered, but no payment line survived' });
    }
    if (r.flags.includes('amount_mismatch')) {
      const c = r.conflicts.find((x) => x.field === 'amount');
      findings.push({ check: 'amount_mismatch', order_ids: [r.order_id], detail: c ? `amounts seen: ${c.values.map((v) => `${v.value} (${v.rule})`).join(', ')}` : 'order and callback amounts differ' });
    }
    if (r.flags.includes('bad_signature')) {
      findings.push({ check: 'bad_signature', order_ids: [r.order_id], detail: 'a callback for this order failed its signature check (forged or wrong key)' });
    }
    if (anyOrderTrace && ev.length > 0 && ev.every((e) => e.kind === 'payment_notified')) {
      findings.push({ check: 'callback_for_unknown_order', order_ids: [r.order_id], detail: 'callbacks only: no trace of the order being created or viewed' });
      flag(r.order_id, 'callback_for_unknown_order');
    }
  }
  for (const [hash, owners] of cardOwners) {
    if (owners.size > 1) {
      const ids = [...owners].sort();
      findings.push({ check: 'card_key_reused', order_ids: ids, detail: `one card key (sha256 ${hash.slice(0, 12)}…) delivered to ${ids.length} orders` });
      for (const id of ids) flag(id, 'card_key_reused');
    }
  }
  return { findings, flags };
}
