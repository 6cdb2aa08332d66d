// Identifier formats of the shops and gateways (NOTES §1.1, §2.1, §4).
import type { Rng } from './prng';
import { compactYmdHis, compactYmdHisShort } from './time';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** dujiaoka `strtoupper(Str::random(16))`. */
export function dujiaokaOrderSn(rng: Rng): string {
  return rng.chars(16);
}

/** acg-faka `mt_rand(100,999) . date("ymdHis") . mt_rand(100,999)`. */
export function acgTradeNo(rng: Rng, ms: number): string {
  return `${rng.int(100, 999)}${compactYmdHisShort(ms)}${rng.int(100, 999)}`;
}

/** 彩虹易支付 platform trade_no: `date("YmdHis") . rand(11111,99999)`. */
export function epayTradeNo(rng: Rng, ms: number): string {
  return `${compactYmdHis(ms)}${rng.int(11111, 99999)}`;
}

/** Alipay trade_no: 28 digits, date first (e.g. 2019081522001468450512505578). */
export function alipayTradeNo(rng: Rng, ms: number): string {
  return `${compactYmdHis(ms).slice(0, 8)}22001${rng.digits(15)}`;
}

export function alipayNotifyId(rng: Rng, ms: number): string {
  return `${compactYmdHis(ms).slice(0, 8)}00222${rng.digits(21)}`;
}

export function alipayUserId(rng: Rng): string {
  return `2088${rng.digits(12)}`;
}

/** WeChat transaction_id: 28 digits starting 4200. */
export function wxTransactionId(rng: Rng, ms: number): string {
  return `42000${rng.digits(5)}${compactYmdHis(ms).slice(0, 8)}${rng.digits(10)}`;
}

export function wxOpenId(rng: Rng): string {
  return `o${rng.chars(27, ALNUM + '_-')}`;
}

export function wxNonce(rng: Rng, n = 32): string {
  return rng.chars(n, ALNUM);
}

export function wxV3EventId(rng: Rng): string {
  return `EV-${rng.digits(19)}`;
}

export function epusdtTradeId(rng: Rng, ms: number): string {
  return `${compactYmdHis(ms)}${rng.digits(6)}`;
}

/** TokenPay's order Id, a Guid. In LightCountry/TokenPay Wiki/docs.md's examples its first eight
 *  hex digits read as the Unix time of the order's creation (a sequential Guid). */
export function tokenpayOrderId(rng: Rng, ms: number): string {
  const t = Math.floor(ms / 1000).toString(16).padStart(8, '0');
  return `${t}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
}

export function tronAddress(rng: Rng): string {
  return `T${rng.chars(33, BASE58)}`;
}

export function alnumKey(rng: Rng, n: number): string {
  return rng.chars(n, ALNUM);
}
