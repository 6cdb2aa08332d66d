// Alipay open-platform async notify (NOTES §4b): form POST, RSA2 = SHA256withRSA over sorted `k=v`.
import { createSign, type KeyObject } from 'node:crypto';
import { phpUrlencode, sortedKeys } from './encode';

/** The string Alipay signs: drop sign and sign_type and empty values, sort keys, `k=v&…` on decoded values. */
export function alipaySignContent(params: Record<string, string>): string {
  return sortedKeys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params[k] !== '' && params[k] !== undefined)
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** RSA2 signature (base64). PKCS#1 v1.5 is deterministic, so the same key and fields give the same bytes. */
export function alipaySign(params: Record<string, string>, privateKey: KeyObject): string {
  return createSign('RSA-SHA256').update(alipaySignContent(params), 'utf8').sign(privateKey, 'base64');
}

/** `application/x-www-form-urlencoded` body in the given key order (space → `+`). */
export function formEncode(params: Record<string, string>): string {
  return Object.keys(params)
    .map((k) => `${phpUrlencode(k)}=${phpUrlencode(params[k]!)}`)
    .join('&');
}

/** Adds `sign` (and keeps sign_type) to an unsigned field set, preserving field order. */
export function signAlipayFields(fields: Record<string, string>, privateKey: KeyObject, signOverride?: string): Record<string, string> {
  const sign = signOverride ?? alipaySign(fields, privateKey);
  const out: Record<string, string> = {};
  for (const k of Object.keys(fields)) {
    out[k] = fields[k]!;
    if (k === 'subject') out.sign = sign;
  }
  if (out.sign === undefined) out.sign = sign;
  return out;
}
