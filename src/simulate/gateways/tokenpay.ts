// TokenPay (LightCountry/TokenPay @ f5f6f70a; NOTES §4d): the notify is the order's ToDic()
// (src/TokenPay/Extensions/ObjectExtension.cs), a SortedDictionary with null and empty values
// removed, signed as md5(`k=v&…` + ApiToken) (BgServices/OrderNotifyService.cs). Signature is then
// added to the same SortedDictionary, so it is serialised in key order too, between PayTime and
// Status. Amounts are decimal.ToString() strings; Status and IsDynamicAmount are ints.
import { createHash } from 'node:crypto';
import { sortedKeys } from './encode';

export type TokenpayValue = string | number | null | undefined;

function present(v: TokenpayValue): v is string | number {
  return v !== null && v !== undefined && v !== '';
}

export function tokenpaySign(fields: Record<string, TokenpayValue>, token: string): string {
  const str = sortedKeys(fields)
    .filter((k) => k !== 'Signature' && present(fields[k]))
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('md5').update(str + token, 'utf8').digest('hex');
}

/** The notify as TokenPay posts it: present fields only, every key (Signature too) in sorted order. */
export function tokenpayNotify(fields: Record<string, TokenpayValue>, token: string, signOverride?: string): Record<string, string | number> {
  const all: Record<string, TokenpayValue> = { ...fields, Signature: signOverride ?? tokenpaySign(fields, token) };
  const out: Record<string, string | number> = {};
  for (const k of sortedKeys(all)) {
    const v = all[k];
    if (present(v)) out[k] = v;
  }
  return out;
}
