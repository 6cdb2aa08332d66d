import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayDefinition, GatewayPayment, KeyRing } from './gateway';
import { parseAmount } from './gateway';

// 彩虹易支付 (epay) v1: sign = md5(ksort(params − sign − sign_type − empty) as k=v&… + KEY),
// lowercase hex, over the decoded values.

const REQUIRED = ['pid', 'trade_no', 'out_trade_no', 'money', 'trade_status', 'sign'];

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

export const epay: GatewayDefinition = {
  id: 'epay',
  normalise(p): GatewayPayment {
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
  },
  verify(p, keys: KeyRing) {
    const missing = REQUIRED.filter((k) => !p[k]);
    if (missing.length > 0) return { state: 'unverifiable', why: `epay notify lacks ${missing.join(', ')}` };
    const key = keys.epay?.[p.pid!];
    if (key === undefined) return { state: 'unverifiable', why: `no epay key for pid ${p.pid} in --keys` };
    const want = Buffer.from(epaySign(p, key), 'utf8');
    const got = Buffer.from(p.sign!.toLowerCase(), 'utf8');
    const ok = want.length === got.length && timingSafeEqual(want, got);
    return ok ? { state: 'verified', why: 'epay MD5 signature verified' } : { state: 'bad_signature', why: 'epay MD5 signature does not match the merchant key' };
  },
};
