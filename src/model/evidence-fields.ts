// The fields a piece of evidence can carry, declared once. Rule packs are data, so the names
// they extract arrive as strings: EVIDENCE_FIELDS below is the same list as a value, so that a
// pack's names can be checked when it is loaded (rules/schema/rule-pack.schema.json lists the
// names a pack may write, and a test keeps it equal to this list), and the compiler checks
// every read and write after that. A field that is not here cannot be written.

/** Values a rule may extract. All optional: evidence is usually partial. */
export interface EvidenceFields {
  // ── The order and its payment: from rule packs, gateway payloads, shape, bills ──
  order_id?: string;
  /** The start of an order number whose end was cut off where it was logged (PHP trace
   *  arguments keep 15 characters): the correlator joins it to the one known order that starts
   *  so, or reports it as ambiguous. */
  order_id_prefix?: string;
  /** The shop's own primary key of the order (an auto-increment id, extracted `as: int`), for
   *  the sequence check. */
  order_pk?: number;
  /** The order number in a callback's URL (acg-faka puts it in the path): shown beside the
   *  payload's own, never joined on. */
  callback_order_id?: string;
  trade_no?: string;
  /** The start of a gateway trade number cut off the same way: shown, never joined on. */
  trade_no_prefix?: string;
  /** Any other token that ties lines to an order (a payment-page token): a line that has only
   *  the token joins the order whose line had both. */
  link_key?: string;
  /** `yes` when the line shows the order had been paid before the line's time (dujiaoka's
   *  订单已经处理 on a repeated callback): proof of payment, but not its time. */
  already_paid?: string;
  amount?: number;
  /** The amount a callback paid, where the shop logged that it differed from the order's. */
  notified_amount?: number;
  /** `yes` when the shop said the callback's amount differs from the order's. */
  amount_differs?: string;
  currency?: string;
  channel?: string;
  merchant_id?: string;
  buyer_email?: string;
  /** The buyer's account at the gateway (a bill's 对方账号, a payload's buyer). */
  buyer_account?: string;
  goods_id?: string;
  /** The shop's payment-method row (dujiaoka `pays.id`, acg-faka `pay.id`). */
  pay_id?: string;
  /** The shop's handler for the payment method (dujiaoka's pay controller, `yipay`). */
  pay_handler?: string;
  /** The payment plugin a callback URL names (acg-faka's `handle`). */
  plugin?: string;
  /** Which payment page the buyer was shown (acg-faka's mode: a local QR code or a form to the gateway). */
  pay_page?: string;
  /** Where in the payment flow the line must fall (`after_payment`: a page the buyer reaches only after paying). */
  flow_step?: string;
  paid_at?: string;
  client_ip?: string;
  user_agent?: string;
  /** The gateway's own word for the trade's state (`TRADE_SUCCESS`). */
  gateway_status?: string;
  refund_amount?: number;
  refund_no?: string;
  /** The merchant's refund number, when the bill has one beside the gateway's. */
  merchant_refund_no?: string;
  refunded_at?: string;
  /** The delivered card key in clear: only in a run made with --reveal-card-keys. */
  card_key?: string;
  message?: string;

  // ── How the shop answered a callback ──
  /** Where a copy of a callback was seen that does not show the shop's answer (`error_log`,
   *  `request_log`), or `return` for the buyer's copy on the return URL (answered with a redirect). */
  copy?: string;
  /** The HTTP status of an access-log line. */
  http_status?: string;
  /** Bytes of the response body as the access log gives them. */
  response_bytes?: string;
  /** The size of the shop's "fail" body: a 2xx of this size is a refusal, not an acknowledgement. */
  fail_bytes?: string;
  /** What the shop answered a callback, as its body shows (`refused`, `already_paid`). */
  shop_answer?: string;
  /** `yes` when the PHP script died on the request (a fatal error in nginx's error log). */
  shop_failed?: string;
  /** Why the shop rejected a callback, as the rule names it (`bad_signature`, `bad_status`). */
  reject_reason?: string;
  /** `yes` when the shop said it had seen this callback before. */
  duplicate_notify?: string;
  /** `balance_changed` lines: the merchant's balance before and after, and the change. */
  before?: number;
  after?: number;
  change?: number;

  // ── What salvage checked or computed: never written by a rule pack ──
  /** `yes` or `no`: whether the gateway payload says the payment succeeded (`no` as well when
   *  the payload could not be read). */
  gateway_success?: string;
  /** Why the signature check came out as it did. */
  signature_note?: string;
  /** What was wrong with a gateway payload that could not be read. */
  payload_problem?: string;
  /** SHA-256 of a delivered card key: the key itself is a secret and never leaves the rule stage. */
  card_key_hash?: string;
  /** The delivered card key, masked (first and last characters). */
  card_key_masked?: string;
  /** `yes` on a row of a gateway's bill (`--statement`): the strongest evidence of a payment. */
  statement?: string;
  /** Seconds the line's time was moved by, to undo its host's clock skew. */
  clock_corrected_s?: number;
  /** Found by shape: the words that decided what happened ("paid, inferred from …"). A guess
   *  from wording weighs less than an explicit rule, and never makes a record certain alone. */
  inferred?: string;
  /** Found by shape: the wording named steps that cannot all be true, so it decided nothing. */
  wording_ambiguous?: string;
  /** Found by shape: the context key that named the order (`order_sn`, `out_trade_no`, …). */
  order_key?: string;
  /** Found by shape: where in the entry the payload was (`context`, `json-string`, `xml`, `dump`, `query`, …). */
  found_in?: string;
  /** `payload`: the entry had no time of its own and is dated by the payload's (gmt_payment, time_end, …). */
  dated_by?: string;
}

export type EvidenceFieldName = keyof EvidenceFields;

/** What a field holds: text, or a number (amounts, balances, seconds). */
export type FieldValue = 'text' | 'number';

type ValueOf<T> = NonNullable<T> extends number ? 'number' : NonNullable<T> extends string ? 'text' : never;

export interface FieldDeclaration<V extends FieldValue = FieldValue> {
  value: V;
  /** A rule pack may extract it. The fields that say what salvage itself checked or computed
   *  (a signature's verdict, a bill row, a key's hash, a clock correction, what shape found)
   *  are written by salvage only: a pack that could write them could forge them. */
  pack: boolean;
}

/** Every evidence field with what it holds. The mapped type makes the compiler refuse a field
 *  missing here, one not in EvidenceFields, and a `value` that disagrees with the field's type. */
export const EVIDENCE_FIELDS: { readonly [K in EvidenceFieldName]-?: FieldDeclaration<ValueOf<EvidenceFields[K]>> } = {
  order_id: { value: 'text', pack: true },
  order_id_prefix: { value: 'text', pack: true },
  order_pk: { value: 'number', pack: true },
  callback_order_id: { value: 'text', pack: true },
  trade_no: { value: 'text', pack: true },
  trade_no_prefix: { value: 'text', pack: true },
  link_key: { value: 'text', pack: true },
  already_paid: { value: 'text', pack: true },
  amount: { value: 'number', pack: true },
  notified_amount: { value: 'number', pack: true },
  amount_differs: { value: 'text', pack: true },
  currency: { value: 'text', pack: true },
  channel: { value: 'text', pack: true },
  merchant_id: { value: 'text', pack: true },
  buyer_email: { value: 'text', pack: true },
  buyer_account: { value: 'text', pack: true },
  goods_id: { value: 'text', pack: true },
  pay_id: { value: 'text', pack: true },
  pay_handler: { value: 'text', pack: true },
  plugin: { value: 'text', pack: true },
  pay_page: { value: 'text', pack: true },
  flow_step: { value: 'text', pack: true },
  paid_at: { value: 'text', pack: true },
  client_ip: { value: 'text', pack: true },
  user_agent: { value: 'text', pack: true },
  gateway_status: { value: 'text', pack: true },
  refund_amount: { value: 'number', pack: true },
  refund_no: { value: 'text', pack: true },
  merchant_refund_no: { value: 'text', pack: true },
  refunded_at: { value: 'text', pack: true },
  card_key: { value: 'text', pack: true },
  message: { value: 'text', pack: true },
  copy: { value: 'text', pack: true },
  http_status: { value: 'text', pack: false },
  response_bytes: { value: 'text', pack: true },
  fail_bytes: { value: 'text', pack: true },
  shop_answer: { value: 'text', pack: true },
  shop_failed: { value: 'text', pack: false },
  reject_reason: { value: 'text', pack: true },
  duplicate_notify: { value: 'text', pack: true },
  before: { value: 'number', pack: true },
  after: { value: 'number', pack: true },
  change: { value: 'number', pack: true },
  gateway_success: { value: 'text', pack: false },
  signature_note: { value: 'text', pack: false },
  payload_problem: { value: 'text', pack: false },
  card_key_hash: { value: 'text', pack: false },
  card_key_masked: { value: 'text', pack: false },
  statement: { value: 'text', pack: false },
  clock_corrected_s: { value: 'number', pack: false },
  inferred: { value: 'text', pack: false },
  wording_ambiguous: { value: 'text', pack: false },
  order_key: { value: 'text', pack: false },
  found_in: { value: 'text', pack: false },
  dated_by: { value: 'text', pack: false },
};

/** The fields that hold numbers, and those that hold text: a write through a name of one of
 *  these sets is checked against the set's value type. */
export type NumberFieldName = { [K in EvidenceFieldName]-?: ValueOf<EvidenceFields[K]> extends 'number' ? K : never }[EvidenceFieldName];
export type TextFieldName = { [K in EvidenceFieldName]-?: ValueOf<EvidenceFields[K]> extends 'text' ? K : never }[EvidenceFieldName];

export function isEvidenceField(name: string): name is EvidenceFieldName {
  return Object.hasOwn(EVIDENCE_FIELDS, name);
}

export function isNumberField(name: string): name is NumberFieldName {
  return isEvidenceField(name) && EVIDENCE_FIELDS[name].value === 'number';
}

export function isTextField(name: string): name is TextFieldName {
  return isEvidenceField(name) && EVIDENCE_FIELDS[name].value === 'text';
}

/** The names a rule pack may extract, in declaration order. */
export function packFieldNames(): EvidenceFieldName[] {
  return Object.keys(EVIDENCE_FIELDS).filter(isEvidenceField).filter((n) => EVIDENCE_FIELDS[n].pack);
}

/** The names present on `fields`, in their order (the order JSON.stringify writes them in). */
export function fieldNamesOf(fields: EvidenceFields): EvidenceFieldName[] {
  return Object.keys(fields).filter(isEvidenceField);
}
