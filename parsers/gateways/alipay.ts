import { createPublicKey, createVerify, X509Certificate, type KeyObject } from 'node:crypto';
import type { GatewayDefinition, GatewayPayment, GatewayReading, KeyRing } from './gateway';
import { ownParams, parseAmount, sortedPairs } from './gateway';

// Alipay (开放平台) asynchronous notify and the signed return_url redirect.
// Verification (the official rule, NOTES §4b): drop `sign` and `sign_type`, sort the keys, join
// `k=v&…` over the *decoded* values, and check base64(sign) with SHA256withRSA (sign_type RSA2)
// or SHA1withRSA (RSA) against the Alipay public key of the app_id — not the app's own key.
// Empty values are left out, as Alipay's own Java SDK does; because the Node SDK keeps them,
// a notify that only verifies with them in is accepted too (both are Alipay's signature over
// exactly these values, so neither variant lets anyone else produce a verifying notify).

const ALGORITHM: Record<string, string> = { RSA2: 'RSA-SHA256', RSA: 'RSA-SHA1' };

/** Without these the logged parameters are too partial to tell a forgery from an excerpt. */
const REQUIRED = ['out_trade_no', 'trade_no', 'sign'];

export function alipaySigningString(params: Record<string, string>, keepEmpty = false): string {
  return sortedPairs(params, ['sign', 'sign_type'], keepEmpty);
}

const keyCache = new Map<string, KeyObject | null>();

/** PEM (SPKI, PKCS#1 or an X.509 certificate) or a bare base64 key body → a public key; null if none. */
export function alipayPublicKey(material: string): KeyObject | null {
  const hit = keyCache.get(material);
  if (hit !== undefined) return hit;
  let key: KeyObject | null = null;
  const text = material.trim();
  try {
    if (text.includes('-----BEGIN CERTIFICATE-----')) key = new X509Certificate(text).publicKey;
    else if (text.includes('-----BEGIN')) key = createPublicKey(text);
    else {
      const body = text.replace(/\s+/g, '');
      const lines = body.match(/.{1,64}/g) ?? [];
      try {
        key = createPublicKey(`-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`);
      } catch {
        key = createPublicKey({ key: Buffer.from(body, 'base64'), format: 'der', type: 'pkcs1' });
      }
    }
    if (key.type !== 'public') key = createPublicKey(key);
  } catch {
    key = null;
  }
  if (keyCache.size > 64) keyCache.clear();
  keyCache.set(material, key);
  return key;
}

/** True when `sign` is a valid signature of `content` under `key`. Never throws. */
function rsaCheck(content: string, sign: string, key: KeyObject, algorithm: string): boolean {
  try {
    return createVerify(algorithm).update(content, 'utf8').verify(key, sign, 'base64');
  } catch {
    return false;
  }
}

export function alipayNormalise(p: Record<string, string>): GatewayPayment {
  const status = p.trade_status;
  // The return_url redirect (method alipay.trade.*.pay.return) carries no trade_status: Alipay
  // sends the buyer back there only once the payment went through.
  const isReturn = status === undefined && /\.return$/.test(p.method ?? '');
  const out: GatewayPayment = {
    gateway: 'alipay',
    channel: 'alipay',
    success: status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED' || isReturn,
  };
  if (p.app_id) out.merchant_id = p.app_id;
  if (p.out_trade_no) out.order_id = p.out_trade_no;
  if (p.trade_no) out.trade_no = p.trade_no;
  const amount = parseAmount(p.total_amount);
  if (amount !== undefined) out.amount = amount;
  if (status) out.status = status;
  if (p.gmt_payment) out.paid_time = p.gmt_payment;
  const buyer = p.buyer_logon_id || p.buyer_id;
  if (buyer) out.buyer = buyer;
  const refund = parseAmount(p.refund_fee);
  if (refund !== undefined && refund > 0) out.refund_amount = refund;
  return out;
}

export function alipayVerify(params: Record<string, string>, keys: KeyRing): Pick<GatewayReading, 'signature' | 'why'> {
  const p = ownParams(params);
  const missing = REQUIRED.filter((k) => !p[k]);
  if (missing.length > 0) return { signature: 'unverifiable', why: `Alipay callback lacks ${missing.join(', ')}: the logged parameters are incomplete` };
  const signType = p.sign_type || 'RSA2';
  const algorithm = ALGORITHM[signType.toUpperCase()];
  if (algorithm === undefined) return { signature: 'unverifiable', why: `Alipay sign_type ${signType} is not supported (RSA2 and RSA are)` };
  const ring = keys.alipay ?? {};
  let candidates: [string, string][];
  if (p.app_id) {
    const k = ring[p.app_id];
    if (k === undefined) return { signature: 'unverifiable', why: `no Alipay public key for app_id ${p.app_id} in --keys` };
    candidates = [[p.app_id, k]];
  } else {
    candidates = Object.entries(ring);
    if (candidates.length === 0) return { signature: 'unverifiable', why: 'no Alipay public key in --keys' };
  }
  // A `+` in the base64 signature becomes a space when a query string is form-decoded.
  const sign = p.sign!.replace(/ /g, '+');
  const contents = [alipaySigningString(p)];
  const withEmpty = alipaySigningString(p, true);
  if (withEmpty !== contents[0]) contents.push(withEmpty);
  let usable = 0;
  for (const [id, material] of candidates) {
    const key = alipayPublicKey(material);
    if (key === null) continue;
    usable++;
    for (const c of contents) {
      if (rsaCheck(c, sign, key, algorithm)) {
        return { signature: 'verified', why: `Alipay ${signType} signature verified with the Alipay public key of app_id ${id}` };
      }
    }
  }
  if (usable === 0) return { signature: 'unverifiable', why: `the Alipay key for app_id ${candidates.map((c) => c[0]).join(', ')} in --keys is not a usable public key` };
  const whose = p.app_id ? `the Alipay public key of app_id ${p.app_id}` : `any of the ${usable} Alipay public keys (the callback names no app_id)`;
  return { signature: 'bad_signature', why: `Alipay ${signType} signature does not verify with ${whose}` };
}

export const alipay: GatewayDefinition = {
  id: 'alipay',
  read(params, keys) {
    return { payment: alipayNormalise(params), ...alipayVerify(params, keys) };
  },
};
