// epusdt (assimon/epusdt, NOTES §4d): JSON POST, md5 over sorted `k=v` skipping signature and empty values,
// numbers formatted like Go's FormatFloat(f, 'f', -1).
import { createHash } from 'node:crypto';
import { goFormatFloat } from '../money';
import { sortedKeys } from './encode';

export type EpusdtValue = string | number | null | undefined;

function fmt(v: EpusdtValue): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'number' ? goFormatFloat(v) : v;
}

export function epusdtSign(fields: Record<string, EpusdtValue>, token: string): string {
  const str = sortedKeys(fields)
    .filter((k) => k !== 'signature' && fmt(fields[k]) !== '')
    .map((k) => `${k}=${fmt(fields[k])}`)
    .join('&');
  return createHash('md5').update(str + token, 'utf8').digest('hex');
}

export interface EpusdtNotify {
  trade_id: string;
  order_id: string;
  amount: number;
  actual_amount: number;
  token: string;
  block_transaction_id: string;
  signature: string;
  status: number;
}

/** Go `json.Marshal` of the callback struct: struct field order, floats in shortest form. */
export function epusdtJson(n: EpusdtNotify): string {
  return (
    `{"trade_id":${JSON.stringify(n.trade_id)},"order_id":${JSON.stringify(n.order_id)},` +
    `"amount":${goFormatFloat(n.amount)},"actual_amount":${goFormatFloat(n.actual_amount)},` +
    `"token":${JSON.stringify(n.token)},"block_transaction_id":${JSON.stringify(n.block_transaction_id)},` +
    `"signature":${JSON.stringify(n.signature)},"status":${n.status}}`
  );
}

export function buildEpusdtNotify(fields: Omit<EpusdtNotify, 'signature'>, token: string, signOverride?: string): EpusdtNotify {
  const signature = signOverride ?? epusdtSign({ ...fields }, token);
  return { ...fields, signature };
}
