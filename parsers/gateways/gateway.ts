import type { SignatureState } from '../../src/model/types';

/** Merchant keys, as in keys.json. Secrets: never logged, never written to outputs. */
export interface KeyRing {
  epay?: Record<string, string>;
  alipay?: Record<string, string>;
  wechatpay?: Record<string, { key?: string; apiv3_key?: string }>;
  epusdt?: Record<string, string>;
}

/** A gateway callback reduced to the fields every gateway has in some form. Amounts in yuan. */
export interface GatewayPayment {
  gateway: string;
  channel: string;
  merchant_id?: string;
  order_id?: string;
  trade_no?: string;
  amount?: number;
  /** The gateway's own status word, e.g. TRADE_SUCCESS. */
  status?: string;
  /** True when the status says the money arrived. */
  success: boolean;
  /** Paid time as the gateway wrote it (local wall time, `YYYY-MM-DD HH:MM:SS`), when given. */
  paid_time?: string;
  buyer?: string;
}

export interface GatewayDefinition {
  id: string;
  normalise(params: Record<string, string>): GatewayPayment;
  verify(params: Record<string, string>, keys: KeyRing): { state: SignatureState; why: string };
}

/** Parse a decimal amount string strictly; NaN for anything that is not a plain number. */
export function parseAmount(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(s)) return undefined;
  return Math.round(Number(s) * 100) / 100;
}
