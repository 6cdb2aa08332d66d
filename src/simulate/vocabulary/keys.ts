// Context key names for the order fields an operator logs, as they appear in real shop code: the
// dujiaoka column names, the gateway-ish names developers reuse (out_trade_no, money), and house
// abbreviations (gid, kami). Gateway payloads keep their own, signed, keys; only their nesting varies.

/** The simulator's canonical field names (the keys the default operator lines use). */
export const CANONICAL_FIELDS = [
  'order_sn',
  'goods_id',
  'email',
  'actual_price',
  'pay_id',
  'buy_ip',
  'trade_no',
  'from',
  'to',
  'carmi',
  'amount',
  'merchant_id',
  'change',
  'before',
  'after',
  'title',
  'buy_amount',
] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

export const KEY_CHOICES: Record<CanonicalField, readonly string[]> = {
  order_sn: ['order_sn', 'order_no', 'out_trade_no', 'order_id', 'sn', 'orderSn', 'orderNo'],
  goods_id: ['goods_id', 'gid', 'item_id', 'product_id', 'goodsId'],
  email: ['email', 'buyer_email', 'contact', 'mail', 'user_email'],
  actual_price: ['actual_price', 'total_price', 'money', 'amount', 'price', 'pay_amount'],
  pay_id: ['pay_id', 'payway', 'pay_type', 'pay_method'],
  buy_ip: ['buy_ip', 'ip', 'client_ip', 'user_ip'],
  trade_no: ['trade_no', 'transaction_id', 'pay_trade_no', 'third_trade_no'],
  from: ['from', 'old_status', 'status_from', 'old', 'original_status'],
  to: ['to', 'new_status', 'status_to', 'new', 'status'],
  carmi: ['carmi', 'card_key', 'kami', 'secret', 'card'],
  amount: ['amount', 'refund_amount', 'refund_money', 'money'],
  merchant_id: ['merchant_id', 'mch_id', 'merchant', 'account_id'],
  change: ['change', 'delta', 'money', 'change_amount'],
  before: ['before', 'balance_before', 'old_balance', 'before_balance'],
  after: ['after', 'balance_after', 'new_balance', 'after_balance'],
  title: ['title', 'goods_name', 'subject', 'name'],
  buy_amount: ['buy_amount', 'num', 'quantity', 'count'],
};

/** Pairs that must move together so that a line never holds two meanings under one shape. */
export const PAIRED: readonly (readonly [CanonicalField, CanonicalField])[] = [
  ['from', 'to'],
  ['before', 'after'],
];

/** `order_sn` → `orderSn` (a shop written by a Java or JS developer). */
export function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Keys a gateway payload is wrapped in when an operator logs `['data' => $request->all()]`. */
export const PAYLOAD_WRAPPERS: readonly string[] = ['data', 'params', 'request', 'post', 'input'];

/** Keys a raw body (query string, XML, JSON text) is logged under. */
export const RAW_KEYS: readonly string[] = ['body', 'raw', 'content', 'xml', 'payload', 'data'];

/** Keys an order's fields are wrapped in when the whole model is logged (`['order' => $order]`). */
export const ORDER_WRAPPERS: readonly string[] = ['order', 'data', 'info'];
