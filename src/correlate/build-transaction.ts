import type { EvidenceFieldName } from '../model/evidence-fields';
import type { Evidence, EvidenceFields, EvidenceRef, FieldConflict, Transaction, TransactionStatus } from '../model/types';
import type { ScoreFeatures, Scorer } from '../model/score-features';
import { channelOfHandler } from './channel';
import { offSchedule, schedulesForRule } from './retry-schedule';

// Turns all the evidence about one order into one candidate record. Pure: the same evidence in
// any order gives the same record. The record never claims more than its evidence shows, and
// every value can be traced to the evidence it came from. Its confidence comes from `score`,
// the confidence model the pipeline passes in (src/score/): this stage sums the evidence up as
// features and does not know the weights.

/** Evidence joined to the order by something weaker than a key carries this marker. */
export interface JoinedEvidence extends Evidence {
  joinedBy?: string;
}

/** Which evidence a field's value is taken from first. Lower index wins. */
const FIELD_PRIORITY: Evidence['kind'][] = [
  'payment_confirmed',
  'payment_notified',
  'payment_observed',
  'order_created',
  'order_mentioned',
  'card_delivered',
  'refunded',
  'payment_started',
  'order_viewed',
  'status_polled',
  'balance_changed',
];

/** A row of a gateway's bill (`--statement`): the strongest evidence there is of a payment. */
export function isStatementLine(e: Evidence): boolean {
  return e.fields.statement === 'yes';
}

function provenanceOf(from: Record<string, Evidence | null>): Transaction['provenance'] {
  const out: Transaction['provenance'] = {};
  for (const [field, e] of Object.entries(from)) if (e) out[field] = { rule: e.rule, file: e.source.file, line: e.source.line };
  return out;
}

/** `nginx-main`, `nginx-json`, `nginx-custom`, … are all the web server's log. */
function formatFamily(format: string): string {
  return format.startsWith('nginx') ? 'nginx' : format;
}

/** The lexicon step each kind of inferred evidence stands for, for the reasons. */
const STEP_OF_KIND: Partial<Record<Evidence['kind'], string>> = {
  order_created: 'created',
  payment_confirmed: 'paid',
  card_delivered: 'delivered',
  order_failed: 'failed',
  order_expired: 'expired',
  refunded: 'refunded',
};

/** Requests the buyer's browser makes: their address is the buyer's. */
const BUYER_SIDE = new Set<Evidence['kind']>(['order_created', 'order_viewed', 'payment_started', 'status_polled']);

/** A callback copy this long after the shop acknowledged one is treated as a replay. */
const REPLAY_AFTER_MS = 600_000;

function byTimeThenPlace(a: Evidence, b: Evidence): number {
  const ta = Number.isNaN(a.tsMs) ? Infinity : a.tsMs;
  const tb = Number.isNaN(b.tsMs) ? Infinity : b.tsMs;
  if (ta !== tb) return ta - tb;
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  if (a.source.line !== b.source.line) return a.source.line - b.source.line;
  return a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0;
}

/** Callback copies off their gateway's retry schedule, per gateway payment (trade number). */
function offScheduleNotifies(copies: Evidence[]): Evidence[] {
  const groups = new Map<string, Evidence[]>();
  for (const e of copies) {
    const schedules = schedulesForRule(e.rule);
    if (schedules.length === 0) continue;
    const key = `${e.rule.split(/[.-]/).find((w) => ['epay', 'alipay', 'wechatpay', 'wxpay'].includes(w))}|${e.fields.trade_no ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const out: Evidence[] = [];
  for (const group of groups.values()) {
    const schedules = schedulesForRule(group[0]!.rule);
    const times = group.map((e) => e.tsMs);
    // Off every schedule the gateway may follow.
    const offs = schedules.map((s) => new Set(offSchedule(times, s)));
    const off = offs.reduce((a, b) => new Set([...a].filter((t) => b.has(t))));
    // An attempt's first copy stands for it.
    for (const t of off) out.push(group.find((e) => e.tsMs === t)!);
  }
  return out;
}

function isAcceptedNotify(e: Evidence): boolean {
  return e.kind === 'payment_notified' && e.signature !== 'bad_signature' && e.fields.gateway_success !== 'no';
}

interface Pick<T> {
  value: T | null;
  /** The evidence the value was taken from. */
  from: Evidence | null;
  conflict: FieldConflict | null;
}

/** The value of `field` from the highest-priority evidence; differing values become a conflict. */
function pickField<K extends EvidenceFieldName>(ev: Evidence[], field: K, accept: (e: Evidence) => boolean = () => true): Pick<NonNullable<EvidenceFields[K]>> {
  type T = NonNullable<EvidenceFields[K]>;
  let best: { v: T; rank: number; e: Evidence } | null = null;
  const seen = new Map<string, { value: T; rule: string; file: string; line: number }>();
  for (const e of ev) {
    if (!accept(e)) continue;
    const v = e.fields[field];
    if (v === undefined || v === '') continue;
    // The gateway's bill beats every log line: it is the gateway's own record of the payment.
    const rank = FIELD_PRIORITY.indexOf(e.kind);
    const r = isStatementLine(e) ? -1 : rank < 0 ? FIELD_PRIORITY.length : rank;
    if (best === null || r < best.rank) best = { v, rank: r, e };
    const key = typeof v === 'number' ? v.toFixed(2) : String(v);
    if (!seen.has(key)) seen.set(key, { value: v, rule: e.rule, file: e.source.file, line: e.source.line });
  }
  return {
    value: best ? best.v : null,
    from: best ? best.e : null,
    conflict: seen.size > 1 ? { field, values: [...seen.values()] } : null,
  };
}

/** Copies of one callback attempt in different logs (request log at arrival, access log at the
 *  end, clocks a little apart) fall within this; gateway retries are a minute or more apart. */
const SAME_ATTEMPT_MS = 10_000;

export function buildTransaction(orderId: string, evidence: JoinedEvidence[], score: Scorer): Transaction {
  const ev = [...evidence].sort(byTimeThenPlace);
  const flags: string[] = [];
  const extraReasons: string[] = [];

  const has = (k: Evidence['kind']) => ev.some((e) => e.kind === k);
  const notifies = ev.filter((e) => e.kind === 'payment_notified');
  const accepted = notifies.filter(isAcceptedNotify);
  const badSig = notifies.filter((e) => e.signature === 'bad_signature');
  // The shop's own confirmation lines, and the gateway's bill rows (payments and refunds), apart.
  const confirmed = ev.filter((e) => e.kind === 'payment_confirmed' && !isStatementLine(e));
  const billPaid = ev.filter((e) => e.kind === 'payment_confirmed' && isStatementLine(e));
  const billRefunds = ev.filter((e) => e.kind === 'refunded' && isStatementLine(e));
  const observed = ev.filter((e) => e.kind === 'payment_observed');
  const delivered = ev.filter((e) => e.kind === 'card_delivered');
  const refunds = ev.filter((e) => e.kind === 'refunded');
  const created = ev.filter((e) => e.kind === 'order_created');
  const trail = ev.filter((e) => e.kind === 'order_viewed' || e.kind === 'payment_started' || e.kind === 'status_polled');

  // The amount the order asked for, and what callbacks said was paid.
  const orderAmount = pickField(ev, 'amount', (e) => e.kind === 'order_created' || e.kind === 'order_mentioned' || e.kind === 'payment_confirmed');
  const paidAmounts = new Set(accepted.map((e) => e.fields.amount).filter((a): a is number => typeof a === 'number').map((a) => a.toFixed(2)));
  let amountMismatch = false;
  if (orderAmount.value !== null && paidAmounts.size > 0 && !paidAmounts.has(orderAmount.value.toFixed(2))) {
    amountMismatch = true;
    flags.push('amount_mismatch');
  }
  // A callback that disagrees with the order's amount does not prove payment on its own
  // (the shop would have refused it), unless the shop itself logged the payment.
  let payingNotifies = amountMismatch
    ? accepted.filter((e) => typeof e.fields.amount === 'number' && orderAmount.value !== null && e.fields.amount.toFixed(2) === orderAmount.value.toFixed(2))
    : accepted;
  // The web server logged how the shop answered each callback. A shop that answered every
  // copy with an error never took the payment (dujiaoka throws on a wrong amount and answers
  // 500 where completedOrder is called outside a try/catch, `fail` where it is caught), so callbacks alone do not make the order paid — unless the shop said otherwise.
  // Only server-to-server callbacks: the buyer's return copy (`copy: return`) is answered with a redirect.
  // Copies from logs that record the request but not the answer (nginx's error log, acg-faka's
  // request log: copy error_log / request_log) say nothing about it, unless PHP died on the
  // request (shop_failed), which is an error answer. A callback the access log shows answered
  // with the shop's refusal body (payment_rejected, shop_answer refused) is an error answer too.
  // A 499 is the gateway hanging up before the answer (nginx's code for a client that closed
  // the connection): the shop's answer is unknown, as for the copies above.
  const unanswered = (e: Evidence) =>
    (e.fields.copy === 'error_log' && e.fields.shop_failed !== 'yes') || e.fields.copy === 'request_log' || (e.fields.http_status === '499' && e.fields.copy !== 'return');
  const answered = payingNotifies.filter((e) =>
    e.fields.copy === 'error_log' ? e.fields.shop_failed === 'yes' : typeof e.fields.http_status === 'string' && e.fields.copy !== 'return' && !unanswered(e),
  );
  // Only a refusal of the first attempt says the shop would not take the payment: a refusal of
  // a later retry is as likely the shop's answer to a duplicate (acg-faka ≥ 3.5.9 answers both
  // with the same body) after an earlier copy it did process.
  const refusals = ev.filter((e) => e.kind === 'payment_rejected' && e.fields.shop_answer === 'refused' && typeof e.fields.http_status === 'string');
  const firstAttemptMs = Math.min(...payingNotifies.filter((e) => e.fields.copy !== 'return').map((e) => e.tsMs), ...refusals.map((e) => e.tsMs));
  const refusedBodies = refusals.filter((e) => e.tsMs - firstAttemptMs <= SAME_ATTEMPT_MS);
  // A 2xx whose body is the shop's refusal (the rule says its size: dujiaoka's `fail`, 4 bytes) is no acknowledgement.
  const acknowledged = answered.filter((e) => typeof e.fields.http_status === 'string' && e.fields.http_status.startsWith('2') && !(e.fields.fail_bytes !== undefined && e.fields.response_bytes === e.fields.fail_bytes));
  const shopOwnWord = confirmed.length > 0 || observed.length > 0 || delivered.length > 0;
  const returnCopies = payingNotifies.filter((e) => e.fields.copy === 'return');
  const silentCopies = payingNotifies.filter(unanswered);
  const errorAnswers = answered.length + refusedBodies.length;
  if (errorAnswers > 0 && acknowledged.length === 0 && answered.length + returnCopies.length + silentCopies.length === payingNotifies.length && !shopOwnWord) {
    flags.push('notify_refused_by_shop');
    const statuses = [...new Set(answered.flatMap((e) => (typeof e.fields.http_status === 'string' ? [e.fields.http_status] : [])))];
    const fatal = answered.some((e) => e.fields.shop_failed === 'yes' && typeof e.fields.http_status !== 'string');
    const how = [
      statuses.length > 0 ? `HTTP ${statuses.join('/')}` : '',
      fatal ? 'PHP fatal error in the nginx error log' : '',
      answered.some((e) => e.fields.fail_bytes !== undefined && e.fields.response_bytes === e.fields.fail_bytes) ? `the ${String(answered.find((e) => e.fields.fail_bytes !== undefined)!.fields.fail_bytes)}-byte "fail" body` : '',
      refusedBodies.length > 0 ? `the shop's refusal body, ${[...new Set(refusedBodies.map((e) => `${String(e.fields.response_bytes ?? '?')} bytes`))].join('/')}` : '',
    ].filter((x) => x !== '').join('; ');
    extraReasons.push(`the shop answered all ${errorAnswers} copies of the callback with an error (${how}): it did not take the payment`);
    payingNotifies = [];
  }
  // Gateways stop re-sending once the shop says success; the same callback arriving long after
  // an acknowledged copy is a replay (someone re-sending an old notify).
  if (acknowledged.length > 0) {
    const firstAck = Math.min(...acknowledged.map((e) => e.tsMs));
    const late = answered.filter((e) => e.tsMs - firstAck > REPLAY_AFTER_MS && e.rule === acknowledged[0]!.rule);
    if (late.length > 0) {
      flags.push('replayed_notify');
      extraReasons.push(`${late.length} copy(ies) of an already acknowledged callback arrived more than ${REPLAY_AFTER_MS / 60000} min later (replay?): ${late.slice(0, 3).map((e) => `${e.source.file}:${e.source.line}`).join(', ')}`);
    }
  }
  // A copy no attempt of the gateway's retry schedule explains was sent by someone else, whether
  // or not the shop's answers to the earlier copies survived (src/correlate/retry-schedule.ts).
  if (!flags.includes('replayed_notify')) {
    const offTimes = offScheduleNotifies(accepted.filter((e) => e.fields.copy !== 'return' && !isStatementLine(e)));
    if (offTimes.length > 0) {
      flags.push('replayed_notify');
      extraReasons.push(`${offTimes.length} copy(ies) of the callback arrived when the gateway's retry schedule sends none (replay?): ${offTimes.slice(0, 3).map((e) => `${e.source.file}:${e.source.line}`).join(', ')}`);
    }
  }
  // A refund row in the bill proves the payment it refunds, even when the payment row is in an earlier bill.
  const billLine = billPaid.length > 0 || billRefunds.length > 0;
  const paidEvidence = payingNotifies.length > 0 || confirmed.length > 0 || observed.length > 0 || billLine;
  if (badSig.length > 0) flags.push('bad_signature');

  let status: TransactionStatus;
  if (refunds.length > 0 && (paidEvidence || delivered.length > 0)) status = 'refunded';
  else if (delivered.length > 0) status = 'delivered';
  else if (paidEvidence) status = 'paid';
  else if (has('order_failed')) status = 'failed';
  else if (has('payment_started') || has('status_polled') || notifies.length > 0) status = 'pending';
  else if (created.length > 0 || has('order_viewed') || has('order_mentioned') || has('order_expired')) status = 'created';
  else status = 'unknown';
  if (delivered.length > 0 && !paidEvidence) {
    flags.push('delivered_without_payment_evidence');
    extraReasons.push('card delivery logged, but no payment line survived');
  }
  if (has('order_expired') && !paidEvidence) flags.push('expired');
  // A refund moves dujiaoka orders to status 5 as well: failed after a refund is expected.
  if (paidEvidence && has('order_failed') && status !== 'refunded') flags.push('paid_but_failed');

  // Retries and return_url copies of one payment collapse into one.
  const distinctPayments = new Set(payingNotifies.map((e) => `${e.fields.trade_no ?? ''}|${e.fields.amount ?? ''}`));
  if (distinctPayments.size > 1) {
    flags.push('multiple_payments');
    extraReasons.push(`${distinctPayments.size} different payments reported for this order`);
  }

  const conflicts: FieldConflict[] = [];
  const note = (p: Pick<unknown>) => {
    if (p.conflict) conflicts.push(p.conflict);
  };

  const amountPick = pickField(ev, 'amount', (e) => e.kind !== 'payment_notified' || isAcceptedNotify(e));
  note(amountPick);
  const amount = orderAmount.value ?? amountPick.value;
  const tradePick = pickField(ev, 'trade_no', (e) => e.kind !== 'payment_notified' || isAcceptedNotify(e));
  note(tradePick);
  const emailPick = pickField(ev, 'buyer_email');
  note(emailPick);
  const goodsPick = pickField(ev, 'goods_id');
  note(goodsPick);

  // Only the buyer's own requests say where the buyer was: a callback comes from the gateway.
  const buyerIp = pickField(ev, 'client_ip', (e) => BUYER_SIDE.has(e.kind) && e.fields.copy === undefined);
  const payId = pickField(ev, 'pay_id');
  // Several deliveries (a re-sent card) are joined as the shop joins them in the order: one per line.
  const deliveredKeys = (field: 'card_key' | 'card_key_masked') => {
    const keys = [...new Set(delivered.flatMap((e) => e.fields[field] ?? []))];
    return keys.length > 0 ? keys.join('\n') : undefined;
  };
  const cardKeyMasked = deliveredKeys('card_key_masked');
  const cardKey = deliveredKeys('card_key');

  const channelPick = pickField(ev, 'channel', (e) => e.kind !== 'payment_notified' || isAcceptedNotify(e));
  let channel = channelPick.value;
  let channelFrom = channelPick.from;
  if (channel === null) {
    const handler = pickField(ev, 'pay_handler');
    channel = channelOfHandler(handler.value ?? undefined) ?? null;
    if (channel !== null) channelFrom = handler.from;
  }

  // paid_at means what the shop's database held: the moment the shop accepted the payment.
  // Its own confirmation line says that best; then the gateway's paid time, from its bill
  // (完成时间 / 交易时间) before its callbacks; then the first accepted callback (the shop
  // completes the order while answering it).
  let paidAt: string | null = null;
  let paidFrom: Evidence | null = null;
  if (paidEvidence) {
    const gw = payingNotifies.find((e) => typeof e.fields.paid_at === 'string');
    const bill = billPaid.find((e) => typeof e.fields.paid_at === 'string');
    // A line that says the order had been paid already (a repeated callback refused as
    // 订单已经处理) proves the payment but not its time: it dates it only when nothing else does.
    const confirmedAt = confirmed.find((e) => e.fields.already_paid !== 'yes');
    const paidBefore = confirmed.find((e) => e.fields.already_paid === 'yes');
    if (confirmedAt !== undefined && confirmedAt.ts !== null) {
      paidAt = confirmedAt.ts;
      paidFrom = confirmedAt;
    }
    else if (bill) {
      paidAt = bill.fields.paid_at as string;
      paidFrom = bill;
      extraReasons.push("paid_at is the gateway's completion time from its bill; the shop accepted the payment moments later");
    } else if (gw) {
      paidAt = gw.fields.paid_at as string;
      paidFrom = gw;
    } else if (payingNotifies.length > 0) {
      paidAt = payingNotifies[0]!.ts;
      paidFrom = payingNotifies[0]!;
    }
    // Only a poll saw it: the payment happened at or before the first "success" answer, and an
    // unlogged callback tied to the order by time dates it exactly.
    else if (observed.length > 0) {
      const cb = ev.find((e) => e.kind === 'callback_seen');
      if (cb && cb.ts !== null) {
        paidAt = cb.ts;
        paidFrom = cb;
        extraReasons.push(`paid_at is the gateway callback at ${cb.source.file}:${cb.source.line} (its content was not logged), just before the status poll first answered "paid"`);
      } else {
        paidAt = observed[0]!.ts;
        paidFrom = observed[0]!;
        extraReasons.push('paid_at is the first status poll that answered "paid": the payment was at or before it');
      }
    } else if (paidBefore !== undefined && paidBefore.ts !== null) {
      paidAt = paidBefore.ts;
      paidFrom = paidBefore;
      extraReasons.push(`paid_at is a repeated callback the shop refused as already completed (${paidBefore.source.file}:${paidBefore.source.line}): the payment was before it`);
    }
  }

  let createdAt: string | null = null;
  let createdFrom: Evidence | null = null;
  let fuzzy = false;
  const firstCreated = created[0];
  if (firstCreated) {
    createdAt = firstCreated.ts;
    createdFrom = firstCreated;
    if ((firstCreated as JoinedEvidence).joinedBy) fuzzy = true;
  } else {
    const first = ev.find((e) => e.ts !== null);
    if (first) {
      createdAt = first.ts;
      createdFrom = first;
      extraReasons.push('created_at estimated from the first sighting of the order');
    }
  }
  const corrected = new Map<string, number>();
  for (const e of ev) if (typeof e.fields.clock_corrected_s === 'number') corrected.set(e.source.file, e.fields.clock_corrected_s);
  for (const [file, s] of corrected) extraReasons.push(`times from ${file} corrected by ${s > 0 ? '+' : ''}${s} s (clock skew; report.json checks.clocks says against what)`);
  for (const e of ev) {
    if ((e as JoinedEvidence).joinedBy) {
      fuzzy = true;
      extraReasons.push(`joined ${e.rule} (${e.source.file}:${e.source.line}) by ${(e as JoinedEvidence).joinedBy}`);
    }
  }

  // What only the wording of a line said (found by shape): named in the reasons, weighed less.
  const inferred = ev.filter((e) => e.fields.inferred !== undefined);
  const saidOnce = new Set<string>();
  for (const e of inferred) {
    const text = `${STEP_OF_KIND[e.kind] ?? e.kind}, inferred from the wording '${e.fields.inferred}' (${e.source.file}:${e.source.line}) / 由措辞推断`;
    if (!saidOnce.has(`${e.kind}|${e.fields.inferred}`)) extraReasons.push(text);
    saidOnce.add(`${e.kind}|${e.fields.inferred}`);
  }
  const explicitConfirmed = confirmed.filter((e) => e.fields.inferred === undefined);
  const explicitDelivered = delivered.filter((e) => e.fields.inferred === undefined);

  const supporting = paidEvidence ? [...payingNotifies, ...confirmed, ...billPaid, ...billRefunds, ...observed, ...delivered] : [...created, ...trail];
  const features: ScoreFeatures = {
    status,
    verifiedNotify: payingNotifies.some((e) => e.signature === 'verified'),
    unverifiableNotify: payingNotifies.some((e) => e.signature === 'unverifiable'),
    // A callback whose parameters the log did not keep (a POST body nginx does not log): no
    // signature to check. Scored as an unverifiable one, but said as what it is.
    unloggedNotify: payingNotifies.some((e) => e.signature === undefined),
    badSignature: badSig.length > 0,
    notifyCopies: payingNotifies.length,
    confirmedLine: explicitConfirmed.length > 0,
    inferredPaidLine: explicitConfirmed.length < confirmed.length,
    inferredDeliveredLine: explicitDelivered.length < delivered.length,
    statementLine: billLine,
    observedPaid: observed.length > 0,
    deliveredLine: explicitDelivered.length > 0,
    refundLine: refunds.length > 0,
    orderCreatedLine: created.some((e) => !e.format.startsWith('nginx') || (e as JoinedEvidence).joinedBy !== undefined),
    browserTrail: trail.length > 0,
    // Independent sources are kinds of log, not parser variants: every nginx format is one source.
    independentFormats: new Set(supporting.map((e) => formatFamily(e.format))).size,
    amountConflict: amountMismatch || conflicts.some((c) => c.field === 'amount'),
    fuzzyJoin: fuzzy,
    amountKnown: amount !== null,
    clockDoubt: supporting.some((e) => e.fields.clock_corrected_s !== undefined),
  };
  const scored = score(features);

  const refs: EvidenceRef[] = ev.map((e) => {
    const ref: EvidenceRef = { source: e.format, file: e.source.file, line: e.source.line, offset: e.source.offset, rule: e.rule, kind: e.kind, ts: e.ts };
    // What the line says about the client, for the evidence documents' ECS fields (source.ip, user_agent.original).
    if (typeof e.fields.client_ip === 'string') ref.client_ip = e.fields.client_ip;
    if (typeof e.fields.user_agent === 'string') ref.user_agent = e.fields.user_agent;
    if (e.fields.response_bytes !== undefined && /^\d+$/.test(String(e.fields.response_bytes))) ref.response_bytes = Number(e.fields.response_bytes);
    if (typeof e.fields.http_status === 'string' && /^\d{3}$/.test(e.fields.http_status)) ref.status_code = Number(e.fields.http_status);
    return ref;
  });

  return {
    order_id: orderId,
    status,
    amount,
    currency: amount !== null ? 'CNY' : null,
    channel,
    created_at: createdAt,
    paid_at: paidAt,
    buyer_email: emailPick.value,
    goods_id: goodsPick.value !== null ? String(goodsPick.value) : null,
    trade_no: tradePick.value,
    ...(buyerIp.value !== null ? { buyer_ip: String(buyerIp.value) } : {}),
    ...(payId.value !== null ? { pay_id: String(payId.value) } : {}),
    ...(cardKeyMasked !== undefined ? { card_key_masked: cardKeyMasked } : {}),
    ...(cardKey !== undefined ? { card_key: cardKey } : {}),
    confidence: scored.confidence,
    reasons: [...scored.reasons, ...extraReasons],
    flags,
    conflicts,
    provenance: provenanceOf({
      amount: orderAmount.value !== null ? orderAmount.from : amountPick.from,
      trade_no: tradePick.from,
      buyer_email: emailPick.from,
      goods_id: goodsPick.from,
      buyer_ip: buyerIp.from,
      pay_id: payId.from,
      channel: channelFrom,
      created_at: createdFrom,
      paid_at: paidFrom,
    }),
    evidence: refs,
  };
}
