import { timingSafeEqual } from 'node:crypto';
import type { SignatureState } from '../../src/model/types';

/** Merchant keys, as in keys.json. Secrets: never logged, never written to outputs. */
export interface KeyRing {
  epay?: Record<string, string>;
  /** app_id → Alipay public key (PEM, a bare base64 key body, or an Alipay public key certificate). */
  alipay?: Record<string, string>;
  wechatpay?: Record<string, { key?: string; apiv3_key?: string }>;
  /** An id of the operator's choosing → api_auth_token. epusdt bodies name no merchant: every token is tried. */
  epusdt?: Record<string, string>;
  /** An id of the operator's choosing → TokenPay ApiToken (dujiaoka keeps it in pays.merchant_key).
   *  TokenPay bodies name no merchant either: every token is tried. */
  tokenpay?: Record<string, string>;
  /** An id of the operator's choosing → V免签 通讯密钥 (dujiaoka keeps it in pays.merchant_id).
   *  The notify names no merchant: every key is tried. */
  vpay?: Record<string, string>;
}

/** A gateway callback reduced to the fields every gateway has in some form. Amounts in yuan. */
export interface GatewayPayment {
  gateway: string;
  /** 'epay' | 'alipay' | 'wxpay' | 'usdt' (epusdt, TokenPay whatever the coin) | 'vpay' (V免签 with an unknown type) */
  channel: string;
  merchant_id?: string;
  order_id?: string;
  trade_no?: string;
  amount?: number;
  /** The gateway's own status word, e.g. TRADE_SUCCESS. */
  status?: string;
  /** True when the status says the money arrived. */
  success: boolean;
  /** Paid time as the gateway wrote it, when given: `YYYY-MM-DD HH:MM:SS` or `yyyyMMddHHmmss`
   *  (local wall time), or RFC 3339 with an offset (WeChat Pay v3). */
  paid_time?: string;
  buyer?: string;
  /** Amount refunded, in yuan, when the callback reports a refund. */
  refund_amount?: number;
}

/** What a gateway makes of one logged callback. Never thrown: every input gives a value. */
export interface GatewayReading {
  /** The payment, or undefined when the payload could not be read at all (see `problem`). */
  payment?: GatewayPayment;
  signature: SignatureState;
  /** One short sentence: why the signature state is what it is. Never contains key material. */
  why: string;
  /** Set when the payload is malformed (bad XML or JSON, an unreadable ciphertext): worth a
   *  reject-style note in the outputs rather than silent use. */
  problem?: string;
  /** True when the event carries no callback payload at all (a POST logged without its body):
   *  the line is noise, not evidence. */
  absent?: boolean;
}

export interface GatewayDefinition {
  id: string;
  /**
   * Read one callback. `params` are the event's decoded parameters (query string and form body
   * for nginx; the flattened JSON context for app logs); `body` is the raw request body when the
   * log kept it (nginx `$request_body`), for gateways that post XML or JSON.
   */
  read(params: Record<string, string>, keys: KeyRing, body?: string): GatewayReading;
}

/** Parse a decimal amount string strictly; undefined for anything that is not a plain number. */
export function parseAmount(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(s)) return undefined;
  return Math.round(Number(s) * 100) / 100;
}

/** Integer fen → yuan. The division of two exact integers is correctly rounded, so 999 gives
 *  exactly the double nearest 9.99, the same value `9.99` parses to. */
export function fenToYuan(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return undefined;
  return Number(s) / 100;
}

/** Constant-time comparison of two ASCII strings (hex digests), false when the lengths differ. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The callback's own parameters, without the keys an app-log context flattening added: a JSON
 * context `{"a":{"b":1}}` arrives as `a` (the JSON text) *and* `a.b`. A key is dropped when a
 * shorter dotted prefix of it is itself a key, so only what the gateway sent is signed over.
 */
export function ownParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(params)) {
    let derived = false;
    for (let i = k.indexOf('.'); i > 0; i = k.indexOf('.', i + 1)) {
      if (Object.hasOwn(params, k.slice(0, i))) {
        derived = true;
        break;
      }
    }
    if (!derived) out[k] = params[k]!;
  }
  return out;
}

/** `k=v&k=v` over the keys in code-unit order, leaving out `skip` and (unless asked) empty values. */
export function sortedPairs(params: Record<string, string>, skip: readonly string[], keepEmpty = false): string {
  return Object.keys(params)
    .filter((k) => !skip.includes(k) && (keepEmpty || (params[k] !== '' && params[k] !== undefined)))
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** A number as Go's strconv.FormatFloat(f, 'f', -1, 64) writes it: shortest round-trip digits,
 *  never an exponent. JavaScript's String() gives the same digits but switches to exponent
 *  form below 1e-6 and from 1e21, so those are rewritten; other text is returned as it is. */
export function goFloatText(s: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/i.exec(s);
  if (m === null) return s;
  const digits = m[2]! + (m[3] ?? '');
  const exp = Number(m[4]);
  const point = 1 + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return m[1]! + out;
}

/** The raw request body when one was logged: nginx writes an absent body as `-` and escapes
 *  quotes and non-ASCII bytes as `\xHH` (escape=default), which is undone here. */
export function loggedBody(body: string | undefined, unescape: (s: string) => string): string | undefined {
  if (body === undefined) return undefined;
  const t = body.trim();
  if (t === '' || t === '-') return undefined;
  return t.indexOf('\\x') >= 0 ? unescape(t) : t;
}

/** The usable entries of one gateway's key ring (non-empty strings), for gateways whose callback
 *  names no merchant, so that every key has to be tried. */
export function ringEntries(ring: Record<string, string> | undefined): [string, string][] {
  return Object.entries(ring ?? {}).filter(([, k]) => typeof k === 'string' && k !== '');
}

/** A JSON object body → string fields (null → '', nested values as their JSON text), or a
 *  sentence saying why it is not one. `gateway` only names the body in that sentence. */
export function jsonBodyFields(raw: string, gateway: string): Record<string, string> | string {
  let j: unknown;
  try {
    j = JSON.parse(raw);
  } catch (e) {
    return `the ${gateway} body is not JSON (${(e as Error).message})`;
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j)) return `the ${gateway} body is not a JSON object`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(j as Record<string, unknown>)) {
    if (v === null || v === undefined) out[k] = '';
    else if (typeof v === 'object') out[k] = JSON.stringify(v);
    else out[k] = String(v);
  }
  return out;
}
