// 彩虹易支付 / epay, MD5 v1 protocol (NOTES §4a): GET notify, the signed query string visible in nginx.
import { createHash } from 'node:crypto';
import { httpBuildQuery, sortedKeys } from './encode';

/** Canonical epay sign: ksort, drop sign/sign_type/empty values, `k=v&…`, md5(str + KEY), lowercase hex. */
export function epaySign(params: Record<string, string>, key: string): string {
  const str = sortedKeys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params[k] !== '' && params[k] !== undefined)
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return createHash('md5').update(str + key, 'utf8').digest('hex');
}

/** acg-faka's own Epay plugin check: like epaySign but empty values are kept (NOTES §2). */
export function acgEpaySign(params: Record<string, string>, key: string): string {
  const str = sortedKeys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type')
    .map((k) => `${k}=${params[k] ?? ''}`)
    .join('&');
  return createHash('md5').update(str + key, 'utf8').digest('hex');
}

export interface EpayNotifyInput {
  pid: string;
  tradeNo: string;
  outTradeNo: string;
  type: string;
  name: string;
  money: string;
  tradeStatus?: string;
}

export interface EpayNotify {
  /** Decoded parameters including sign and sign_type. */
  params: Record<string, string>;
  /** The query string as the gateway sends it: sorted params urlencoded, then sign and sign_type. */
  query: string;
}

/** Builds a signed notify the way 彩虹易支付 does (argSort → urlencode → `&sign=…&sign_type=MD5`). */
export function buildEpayNotify(input: EpayNotifyInput, key: string, signOverride?: string): EpayNotify {
  const base: Record<string, string> = {
    pid: input.pid,
    trade_no: input.tradeNo,
    out_trade_no: input.outTradeNo,
    type: input.type,
    name: input.name,
    money: input.money,
    trade_status: input.tradeStatus ?? 'TRADE_SUCCESS',
  };
  const sign = signOverride ?? epaySign(base, key);
  const sorted = sortedKeys(base).map((k) => [k, base[k]!] as const);
  const query = `${httpBuildQuery(sorted)}&sign=${sign}&sign_type=MD5`;
  return { params: { ...base, sign, sign_type: 'MD5' }, query };
}
