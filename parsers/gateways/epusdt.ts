import { createHash } from 'node:crypto';
import { unescapeNginx } from '../params';
import type { GatewayDefinition, GatewayPayment, GatewayReading, KeyRing } from './gateway';
import { goFloatText, jsonBodyFields, loggedBody, ownParams, parseAmount, ringEntries, sameText, sortedPairs } from './gateway';

// epusdt (assimon/epusdt, NOTES §4d): a JSON POST {trade_id, order_id, amount (CNY),
// actual_amount (USDT), token (the receiving wallet), block_transaction_id, signature, status}.
// signature = md5(sorted `k=v&…` skipping `signature` and empty values, + api_auth_token),
// lowercase hex. Numbers are signed as Go's FormatFloat(f, 'f', -1) writes them, which is the
// shortest round-trip text, i.e. the value as logged (JSON numbers are re-printed the same way,
// except for JavaScript's exponent form, which goFloatText undoes).
//
// The body names no merchant, so there is nothing to pick a key by: every token in the ring
// is tried, and the id of the one that matches becomes the merchant id.

const NUMERIC = ['amount', 'actual_amount'];
const REQUIRED = ['order_id', 'amount', 'signature'];

/** The fields as signed: the callback's own keys, numbers in Go's text form. */
export function epusdtFields(params: Record<string, string>): Record<string, string> {
  const p = ownParams(params);
  for (const k of NUMERIC) if (p[k] !== undefined) p[k] = goFloatText(p[k]!);
  return p;
}

export function epusdtSign(fields: Record<string, string>, token: string): string {
  return createHash('md5').update(sortedPairs(fields, ['signature']) + token, 'utf8').digest('hex');
}

export function epusdtNormalise(p: Record<string, string>): GatewayPayment {
  const out: GatewayPayment = { gateway: 'epusdt', channel: 'usdt', success: p.status === '2' };
  if (p.order_id) out.order_id = p.order_id;
  if (p.trade_id) out.trade_no = p.trade_id;
  const amount = parseAmount(p.amount);
  if (amount !== undefined) out.amount = amount;
  if (p.status) out.status = p.status;
  return out;
}

export function epusdtVerify(p: Record<string, string>, keys: KeyRing): Pick<GatewayReading, 'signature' | 'why'> & { id?: string } {
  const missing = REQUIRED.filter((k) => !p[k]);
  if (missing.length > 0) return { signature: 'unverifiable', why: `epusdt callback lacks ${missing.join(', ')}` };
  const ring = ringEntries(keys.epusdt);
  if (ring.length === 0) return { signature: 'unverifiable', why: 'no epusdt token in --keys' };
  const got = p.signature!.toLowerCase();
  for (const [id, token] of ring) {
    if (sameText(epusdtSign(p, token), got)) {
      return { signature: 'verified', why: `epusdt signature matches the token of "${id}" (the body names no merchant: all ${ring.length} epusdt tokens were tried)`, id };
    }
  }
  return { signature: 'bad_signature', why: `epusdt signature matches none of the ${ring.length} epusdt tokens in --keys (the body names no merchant: all were tried)` };
}

export const epusdt: GatewayDefinition = {
  id: 'epusdt',
  read(params, keys, body) {
    let source = params;
    if (params.order_id === undefined && params.signature === undefined) {
      const raw = loggedBody(body, unescapeNginx);
      if (raw === undefined) return { signature: 'unverifiable', why: 'no epusdt callback body in this line', absent: true };
      const parsed = jsonBodyFields(raw, 'epusdt');
      if (typeof parsed === 'string') return { signature: 'unverifiable', why: 'the epusdt body is malformed: nothing to verify', problem: parsed };
      source = parsed;
    }
    const fields = epusdtFields(source);
    const payment = epusdtNormalise(fields);
    const v = epusdtVerify(fields, keys);
    if (v.id !== undefined) payment.merchant_id = v.id;
    return { payment, signature: v.signature, why: v.why };
  },
};
