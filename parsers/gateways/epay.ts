import { createHash } from 'node:crypto';
import type { GatewayDefinition, GatewayPayment, GatewayReading, KeyRing } from './gateway';
import { parseAmount, sameText } from './gateway';

// 彩虹易支付 (epay) v1: sign = md5(ksort(params − sign − sign_type − empty) as k=v&… + KEY),
// lowercase hex, over the decoded values.

const REQUIRED = ['pid', 'trade_no', 'out_trade_no', 'money', 'trade_status', 'sign'];

/** The parameters an epay v1 notify carries (`product` is `name` under notifyordername). */
const EPAY_FIELDS = new Set(['pid', 'trade_no', 'out_trade_no', 'type', 'name', 'product', 'money', 'trade_status', 'param']);

export function epaySigningString(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params[k] !== '' && params[k] !== undefined)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export function epaySign(params: Record<string, string>, key: string): string {
  return createHash('md5').update(epaySigningString(params) + key, 'utf8').digest('hex');
}

export function epayNormalise(p: Record<string, string>): GatewayPayment {
  const out: GatewayPayment = {
    gateway: 'epay',
    channel: 'epay',
    success: p.trade_status === 'TRADE_SUCCESS',
  };
  if (p.pid) out.merchant_id = p.pid;
  if (p.out_trade_no) out.order_id = p.out_trade_no;
  if (p.trade_no) out.trade_no = p.trade_no;
  const amount = parseAmount(p.money);
  if (amount !== undefined) out.amount = amount;
  if (p.trade_status) out.status = p.trade_status;
  return out;
}

export function epayVerify(p: Record<string, string>, keys: KeyRing): Pick<GatewayReading, 'signature' | 'why'> {
  const missing = REQUIRED.filter((k) => !p[k]);
  if (missing.length > 0) return { signature: 'unverifiable', why: `epay notify lacks ${missing.join(', ')}` };
  const key = keys.epay?.[p.pid!];
  if (key === undefined) return { signature: 'unverifiable', why: `no epay key for pid ${p.pid} in --keys` };
  const got = p.sign!.toLowerCase();
  if (sameText(epaySign(p, key), got)) return { signature: 'verified', why: 'epay MD5 signature verified' };
  // The shop's own query on notify_url/return_url (dujiaoka's `return_url?order_id=…`) comes
  // before the parameters epay appends and is not signed: try the protocol's fields alone.
  const extra = Object.keys(p).filter((k) => !EPAY_FIELDS.has(k) && k !== 'sign' && k !== 'sign_type' && p[k] !== '');
  if (extra.length > 0) {
    const own: Record<string, string> = {};
    for (const k of Object.keys(p)) if (EPAY_FIELDS.has(k)) own[k] = p[k]!;
    if (sameText(epaySign(own, key), got)) return { signature: 'verified', why: `epay MD5 signature verified over the epay fields (unsigned ${extra.join(', ')} ignored)` };
  }
  return { signature: 'bad_signature', why: 'epay MD5 signature does not match the merchant key' };
}

export const epay: GatewayDefinition = {
  id: 'epay',
  read(params, keys) {
    return { payment: epayNormalise(params), ...epayVerify(params, keys) };
  },
};
