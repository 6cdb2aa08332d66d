import type { Score, ScoreFeatures } from '../model/score-features';

// The confidence model (documented in docs/confidence.md). Each piece of evidence adds or
// subtracts log-odds; the sum goes through a logistic function. Reasons list every term, so a
// reader can redo the arithmetic. The weights are calibrated on simulated shops with
// `salvage evaluate` (calibration table); change them only with a fresh calibration run.

const PRIOR_PAID = -1.5;
/** A payment claimed only by the wording of lines no rule knows never reaches 0.9. */
export const WORDING_ONLY_CAP = 0.85;
const PRIOR_UNPAID = -0.5;

function term(reasons: string[], w: number, text: string): number {
  reasons.push(`${w >= 0 ? '+' : ''}${w.toFixed(1)} ${text}`);
  return w;
}

export function scoreRecord(f: ScoreFeatures): Score {
  const reasons: string[] = [];
  let x: number;
  const claimsPayment = f.status === 'paid' || f.status === 'delivered' || f.status === 'refunded';
  if (claimsPayment) {
    x = term(reasons, PRIOR_PAID, 'prior for a claimed payment');
    if (f.verifiedNotify) x += term(reasons, 5.0, 'gateway callback with a verified signature');
    else if (f.unverifiableNotify) x += term(reasons, 2.5, 'gateway callback with complete parameters, signature not checked (no key)');
    else if (f.unloggedNotify) x += term(reasons, 2.5, 'gateway callback accepted by the shop, its parameters not logged (nothing to verify)');
    if (f.notifyCopies > 1) x += term(reasons, 0.3, `${f.notifyCopies} copies of the same callback (retries) agree`);
    if (f.confirmedLine) x += term(reasons, 3.0, 'the shop logged the payment as successful');
    else if (f.inferredPaidLine) x += term(reasons, 1.5, "a line's wording says the payment succeeded (inferred, no rule for it)");
    if (f.statementLine) x += term(reasons, 6.0, "the gateway's own bill lists this payment");
    if (f.observedPaid) x += term(reasons, 2.5, 'the shop answered a status poll with "paid"');
    if (f.deliveredLine) x += term(reasons, 1.5, 'card delivery logged');
    else if (f.inferredDeliveredLine) x += term(reasons, 0.8, "a line's wording says the card was delivered (inferred, no rule for it)");
    if (f.refundLine) x += term(reasons, 1.0, 'refund logged');
    if (f.independentFormats > 1) x += term(reasons, 1.0, `${f.independentFormats} independent log sources agree`);
    if (f.orderCreatedLine) x += term(reasons, 0.5, 'order creation logged');
    else if (f.browserTrail) x += term(reasons, 0.3, "buyer's browser trail seen (checkout pages)");
    if (!f.amountKnown) x += term(reasons, -1.0, 'amount unknown');
  } else {
    x = term(reasons, PRIOR_UNPAID, 'prior for an order without payment evidence');
    if (f.orderCreatedLine) x += term(reasons, 1.5, 'order creation logged');
    if (f.browserTrail) x += term(reasons, 1.0, "buyer's browser trail seen (checkout pages)");
    x += term(reasons, -0.5, 'absence of payment evidence may be a gap in the logs');
  }
  if (f.amountConflict) x += term(reasons, -3.0, 'sources disagree on the amount');
  if (f.badSignature) x += term(reasons, claimsPayment ? -1.5 : -0.5, 'a callback failed its signature check (possible forgery)');
  if (f.fuzzyJoin) x += term(reasons, -0.3, 'part of the record was joined by client ip, user agent and time, not by a key');
  if (f.clockDoubt) x += term(reasons, -0.3, 'clock of a source was corrected');
  // Rounded for reading, but never to 0 or 1: logs alone cannot make anything certain.
  let cap = 0.9999;
  const wordingOnly = claimsPayment && (f.inferredPaidLine === true || f.inferredDeliveredLine === true) && !f.verifiedNotify && !f.unverifiableNotify && !f.unloggedNotify && !f.confirmedLine && !f.statementLine && !f.observedPaid && !f.deliveredLine;
  if (wordingOnly) {
    cap = WORDING_ONLY_CAP;
    reasons.push(`confidence capped at ${WORDING_ONLY_CAP}: the payment rests on wording alone / 仅凭措辞推断，置信度封顶`);
  }
  const confidence = Math.min(cap, Math.max(0.0001, Math.round((1 / (1 + Math.exp(-x))) * 10000) / 10000));
  return { confidence, reasons };
}
