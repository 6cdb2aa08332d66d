import { createHash } from 'node:crypto';
import { unescapeNginx } from '../params';
import type { GatewayDefinition, GatewayPayment, GatewayReading, KeyRing } from './gateway';
import { jsonBodyFields, loggedBody, ownParams, parseAmount, ringEntries, sameText } from './gateway';

// TokenPay (LightCountry/TokenPay @ f5f6f70a, .NET 8) posts its notify as JSON with PascalCase
// keys (src/TokenPay/Extensions/ObjectExtension.cs `ToDic`): Id (a Guid), BlockTransactionId,
// OutOrderId, OrderUserKey, PayTime (`yyyy-MM-dd HH:mm:ss`, TokenPay's local time), Amount (the
// coin amount, 4 dp), ActualAmount (the fiat amount, 2 dp), Currency (TRX, USDT_TRC20,
// EVM_ETH_USDT_ERC20, …), FromAddress, ToAddress, Status (an int: 0 pending, 1 paid, 2 expired),
// PassThroughInfo, BaseCurrency, BlockChainName, CurrencyName, PayAmount, IsDynamicAmount (0/1).
// Null and empty values are removed before signing and sending, and the amounts are strings
// (decimal.ToString()), so every value is signed exactly as the body carries it.
//
// Signature (src/TokenPay/BgServices/OrderNotifyService.cs `Notify`, StringExtension.ToMD5) =
// md5(`k=v&…` over the SortedDictionary + ApiToken), lowercase hex, no separator before the
// token. Wiki/docs.md §2 gives a worked example (token 666 → e5eaa888…). The dictionary uses the
// default string comparer, which is culture-sensitive, while dujiaoka's TokenPayController
// (assimon/dujiaoka app/Http/Controllers/Pay/TokenPayController.php `VerifySign`) checks with
// PHP ksort, i.e. byte order. For the keys TokenPay sends the two orders agree (all start with a
// capital and differ at a letter of the same case); the culture order is tried as well only for
// a body whose extra keys would sort differently. dujiaoka does not skip empty values, TokenPay
// never sends any: a body with empty values is checked the way TokenPay signs (skipping them).
//
// dujiaoka completes the order with completedOrder(OutOrderId, ActualAmount, Id): ActualAmount is
// compared with the order's actual_price unconverted, so it is the shop's price unit (yuan for a
// shop with TokenPay's default BaseCurrency CNY) and becomes the amount; Id is the trade number.
// The channel is 'usdt', the crypto-gateway family, as for a record known only from the handler
// (src/correlate/channel.ts): the coin itself (Currency) is not carried.
//
// The body names no merchant, so every ApiToken in the ring is tried.

const REQUIRED = ['OutOrderId', 'ActualAmount', 'Signature'];
const PAY_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** An approximation of .NET's culture-sensitive string order (ICU collation). */
const CULTURE_ORDER = new Intl.Collator('en').compare;

/** The signed text without the token: `k=v&…` over the non-empty fields except Signature. */
export function tokenpaySigningString(fields: Record<string, string>, order: 'ordinal' | 'culture' = 'ordinal'): string {
  const keys = Object.keys(fields).filter((k) => k !== 'Signature' && fields[k] !== '' && fields[k] !== undefined);
  if (order === 'ordinal') keys.sort();
  else keys.sort(CULTURE_ORDER);
  return keys.map((k) => `${k}=${fields[k]}`).join('&');
}

export function tokenpayNormalise(p: Record<string, string>): GatewayPayment {
  const out: GatewayPayment = { gateway: 'tokenpay', channel: 'usdt', success: p.Status === '1' };
  if (p.OutOrderId) out.order_id = p.OutOrderId;
  if (p.Id) out.trade_no = p.Id;
  const amount = parseAmount(p.ActualAmount);
  if (amount !== undefined) out.amount = amount;
  if (p.Status) out.status = p.Status;
  if (p.PayTime && PAY_TIME.test(p.PayTime)) out.paid_time = p.PayTime;
  if (p.FromAddress) out.buyer = p.FromAddress;
  return out;
}

export function tokenpayVerify(p: Record<string, string>, keys: KeyRing): Pick<GatewayReading, 'signature' | 'why'> & { id?: string } {
  const missing = REQUIRED.filter((k) => !p[k]);
  if (missing.length > 0) return { signature: 'unverifiable', why: `TokenPay callback lacks ${missing.join(', ')}` };
  const ring = ringEntries(keys.tokenpay);
  if (ring.length === 0) return { signature: 'unverifiable', why: 'no tokenpay ApiToken in --keys' };
  const got = p.Signature!.toLowerCase();
  const byteOrder = tokenpaySigningString(p, 'ordinal');
  const cultureOrder = tokenpaySigningString(p, 'culture');
  const empty = Object.keys(p).filter((k) => k !== 'Signature' && p[k] === '');
  const emptyNote = empty.length > 0 ? `; empty ${empty.join(', ')} skipped as TokenPay does, though dujiaoka would sign them` : '';
  for (const [id, token] of ring) {
    if (sameText(md5(byteOrder + token), got)) {
      return { signature: 'verified', why: `TokenPay signature matches the ApiToken of "${id}" (the body names no merchant: all ${ring.length} tokenpay tokens were tried)${emptyNote}`, id };
    }
    if (cultureOrder !== byteOrder && sameText(md5(cultureOrder + token), got)) {
      return { signature: 'verified', why: `TokenPay signature matches the ApiToken of "${id}" in .NET's culture key order, which dujiaoka's byte-order check would have refused${emptyNote}`, id };
    }
  }
  return { signature: 'bad_signature', why: `TokenPay signature matches none of the ${ring.length} tokenpay tokens in --keys (the body names no merchant: all were tried)` };
}

function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

export const tokenpay: GatewayDefinition = {
  id: 'tokenpay',
  read(params, keys, body) {
    let source = params;
    if (params.OutOrderId === undefined && params.Signature === undefined) {
      const raw = loggedBody(body, unescapeNginx);
      if (raw === undefined) return { signature: 'unverifiable', why: 'no TokenPay callback body in this line', absent: true };
      const parsed = jsonBodyFields(raw, 'TokenPay');
      if (typeof parsed === 'string') return { signature: 'unverifiable', why: 'the TokenPay body is malformed: nothing to verify', problem: parsed };
      source = parsed;
    }
    const fields = ownParams(source);
    const payment = tokenpayNormalise(fields);
    const v = tokenpayVerify(fields, keys);
    if (v.id !== undefined) payment.merchant_id = v.id;
    return { payment, signature: v.signature, why: v.why };
  },
};
