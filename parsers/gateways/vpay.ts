import { createHash } from 'node:crypto';
import type { GatewayDefinition, GatewayPayment, GatewayReading, KeyRing } from './gateway';
import { ownParams, parseAmount, ringEntries, sameText } from './gateway';

// V免签 (szvone/vmqphp application/index/controller/Index.php `appPush`, and the admin re-notify
// `setBd` in application/admin/controller/Index.php) calls the shop's notify_url with a GET whose
// query is `payId=…&param=…&type=…&price=…&reallyPrice=…&sign=…`, values not URL-encoded, and
// sign = md5(payId . param . type . price . reallyPrice . 通讯密钥), lowercase hex: a plain
// concatenation with no separators and no key names. It notifies only a payment it matched, so
// every notify reports money received; it wants the body `success` and does not retry by itself.
// dujiaoka (app/Http/Controllers/Pay/VpayController.php `notifyUrl`) checks the same md5 and calls
// completedOrder(param, price, payId): param is the order number, price the order's price (the
// buyer paid reallyPrice, which V免签 shifts by a few fen to tell concurrent orders apart), payId
// the trade number dujiaoka made up (date('YmdHis') . rand). type 1 is WeChat, 2 Alipay (vmqphp
// createOrder: "1|微信 2|支付宝"; dujiaoka maps payway vwx → 1, vzfb → 2).
//
// Because the fields are concatenated bare, the signature pins the whole text but not where one
// field ends: moving characters between payId and param keeps it valid. Changing any one field
// alone always breaks it.
//
// The notify names no merchant: every key in the ring is tried.

const SIGNED = ['payId', 'param', 'type', 'price', 'reallyPrice'] as const;
const REQUIRED = ['payId', 'type', 'price', 'reallyPrice', 'sign'];
const CHANNEL_OF_TYPE: Record<string, string> = { '1': 'wxpay', '2': 'alipay' };

export function vpaySign(p: Record<string, string>, key: string): string {
  return createHash('md5').update(SIGNED.map((k) => p[k] ?? '').join('') + key, 'utf8').digest('hex');
}

/**
 * The buyer's copy: V免签's checkOrder appends its signed query to the shop's return_url. dujiaoka's
 * return_url already has `?order_id=SN`, and vmqphp glues the query on without an `&` (current
 * code) or with a second `?` (older code), so the line reads `?order_id=SNpayId=…&param=…`: payId
 * ends up inside the shop's own parameter. It is split back out here; nothing signed is changed.
 */
export function vpayUnglue(p: Record<string, string>): Record<string, string> {
  if (p.payId !== undefined) return p;
  for (const [k, v] of Object.entries(p)) {
    const i = v.lastIndexOf('payId=');
    if (i < 0) continue;
    return { ...p, [k]: v.slice(0, i).replace(/[?&]$/, ''), payId: v.slice(i + 'payId='.length) };
  }
  return p;
}

/** The fields V免签 always sends with a payment; all present, the notify reports money received. */
const PAYMENT_FIELDS = ['payId', 'type', 'price', 'reallyPrice'];

export function vpayNormalise(p: Record<string, string>): GatewayPayment {
  const success = PAYMENT_FIELDS.every((k) => !!p[k]);
  const out: GatewayPayment = { gateway: 'vpay', channel: CHANNEL_OF_TYPE[p.type ?? ''] ?? 'vpay', success };
  if (p.param) out.order_id = p.param;
  if (p.payId) out.trade_no = p.payId;
  const amount = parseAmount(p.price);
  if (amount !== undefined) out.amount = amount;
  return out;
}

export function vpayVerify(p: Record<string, string>, keys: KeyRing): Pick<GatewayReading, 'signature' | 'why'> & { id?: string } {
  const missing = REQUIRED.filter((k) => !p[k]);
  if (missing.length > 0) return { signature: 'unverifiable', why: `V免签 notify lacks ${missing.join(', ')}` };
  const ring = ringEntries(keys.vpay);
  if (ring.length === 0) return { signature: 'unverifiable', why: 'no vpay key in --keys' };
  const got = p.sign!.toLowerCase();
  for (const [id, key] of ring) {
    if (sameText(vpaySign(p, key), got)) {
      return { signature: 'verified', why: `V免签 signature matches the key of "${id}" (the notify names no merchant: all ${ring.length} vpay keys were tried)`, id };
    }
  }
  return { signature: 'bad_signature', why: `V免签 signature matches none of the ${ring.length} vpay keys in --keys (the notify names no merchant: all were tried)` };
}

export const vpay: GatewayDefinition = {
  id: 'vpay',
  read(params, keys) {
    const p = vpayUnglue(ownParams(params));
    const payment = vpayNormalise(p);
    const v = vpayVerify(p, keys);
    if (v.id !== undefined) payment.merchant_id = v.id;
    return { payment, signature: v.signature, why: v.why };
  },
};
