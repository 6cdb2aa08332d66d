// One shop's way of writing its operator lines, drawn from a vocabulary number: the words, the
// context keys, how the context is encoded, the channel prefix and the levels. A shop's code logs the
// same sentence every time, so everything here is fixed per vocabulary; only the run seed varies what
// changes per line in a real shop (a request id). The same vocabulary gives the same style on any seed.
import type { GatewayName } from '../gateways/retry';
import type { LaravelLevel } from '../laravel';
import { Rng } from '../prng';
import { camel, CANONICAL_FIELDS, KEY_CHOICES, ORDER_WRAPPERS, PAIRED, PAYLOAD_WRAPPERS, RAW_KEYS, type CanonicalField } from './keys';
import {
  CALLBACK_PHRASES,
  GENERIC_CALLBACK_PHRASES,
  MEANINGLESS_CALLBACK_PHRASES,
  ORDER_EVENTS,
  ORDER_PHRASES,
  PREFIXES,
  STATUS_PHRASES,
  type OrderEvent,
} from './phrases';

/** How an order line's fields are written. */
export type OrderEncoding = 'json' | 'json_message' | 'print_r' | 'var_export' | 'var_dump' | 'query';

/**
 * How a gateway payload is written: `json` = the parsed payload as Monolog context (maybe wrapped),
 * `json_string` = json_encode of it as a string inside the context, `raw_context` = the wire body (query
 * string, XML, JSON text) as a context string, `raw` = the wire body in the message, the rest = the
 * parsed payload dumped into the message.
 */
export type CallbackEncoding = 'json' | 'json_string' | 'raw_context' | 'raw' | 'json_message' | 'print_r' | 'var_export' | 'var_dump';

export const GATEWAYS: readonly GatewayName[] = ['epay', 'alipay', 'wxpay-v2', 'wxpay-v3', 'epusdt', 'tokenpay'];

export interface CallbackStyle {
  message: string;
  encoding: CallbackEncoding;
  /** `json`: the key the payload is nested under, or null for the payload itself as the context. */
  wrapper: string | null;
  /** `json_string` / `raw_context`: the context key holding the string. */
  rawKey: string;
}

export interface OperatorStyle {
  vocabulary: number;
  /** APP_ENV: the channel prefix of every app-log line. */
  env: string;
  orderLevel: LaravelLevel;
  callbackLevel: LaravelLevel;
  orderPrefix: string;
  callbackPrefix: string;
  /** A per-request id in front of each line (`[5f3a9c1e] …`). */
  requestId: boolean;
  messages: Record<OrderEvent, string>;
  /** Wording per new status (keyed by the status number), or null when one sentence covers every change. */
  statusMessages: Record<string, string> | null;
  keys: Record<CanonicalField, string>;
  encodings: Record<OrderEvent, OrderEncoding>;
  /** var_export callbacks logged as `Log::info($request->all())`: Laravel's Logger var_exports an array
   *  message, so the dump is the whole message (order lines always have words: their step needs them). */
  bareExport: boolean;
  /** Between a message and the dump appended to it. */
  separator: string;
  /** JSON order context nested under this key (`['order' => $order]`), or null. */
  orderWrapper: string | null;
  /** The card-delivery line also names the buyer and goods (else only order and card). */
  fullCardLine: boolean;
  /** The creation line also logs title and quantity. */
  verbose: boolean;
  callbacks: Record<GatewayName, CallbackStyle>;
}

const ENVS: readonly (readonly [string, number])[] = [
  ['local', 0.3],
  ['production', 0.3],
  ['prod', 0.12],
  ['online', 0.08],
  ['dev', 0.08],
  ['staging', 0.04],
  ['release', 0.04],
  ['shop', 0.04],
];

const LEVELS: readonly (readonly [LaravelLevel, number])[] = [
  ['INFO', 0.7],
  ['DEBUG', 0.18],
  ['NOTICE', 0.12],
];

const ORDER_ENCODINGS: readonly (readonly [OrderEncoding, number])[] = [
  ['json', 0.4],
  ['json_message', 0.15],
  ['print_r', 0.17],
  ['var_export', 0.1],
  ['var_dump', 0.06],
  ['query', 0.12],
];

const CALLBACK_ENCODINGS: Record<GatewayName, readonly (readonly [CallbackEncoding, number])[]> = {
  epay: [
    ['json', 0.3],
    ['json_string', 0.08],
    ['raw_context', 0.08],
    ['raw', 0.14],
    ['json_message', 0.1],
    ['print_r', 0.16],
    ['var_export', 0.08],
    ['var_dump', 0.06],
  ],
  alipay: [
    ['json', 0.3],
    ['json_string', 0.08],
    ['raw_context', 0.06],
    ['raw', 0.1],
    ['json_message', 0.1],
    ['print_r', 0.2],
    ['var_export', 0.1],
    ['var_dump', 0.06],
  ],
  'wxpay-v2': [
    ['raw', 0.3],
    ['raw_context', 0.25],
    ['json', 0.15],
    ['print_r', 0.15],
    ['var_export', 0.08],
    ['json_message', 0.07],
  ],
  'wxpay-v3': [
    ['json', 0.3],
    ['raw', 0.2],
    ['raw_context', 0.12],
    ['json_string', 0.08],
    ['print_r', 0.15],
    ['var_dump', 0.08],
    ['var_export', 0.07],
  ],
  tokenpay: [
    ['json', 0.35],
    ['raw', 0.2],
    ['json_string', 0.1],
    ['print_r', 0.15],
    ['var_export', 0.1],
    ['var_dump', 0.1],
  ],
  epusdt: [
    ['json', 0.3],
    ['raw', 0.18],
    ['raw_context', 0.1],
    ['json_string', 0.08],
    ['print_r', 0.14],
    ['var_export', 0.1],
    ['var_dump', 0.1],
  ],
};

const SEPARATORS: readonly (readonly [string, number])[] = [
  [' ', 0.3],
  [':', 0.2],
  ['：', 0.2],
  ['\n', 0.2],
  ['', 0.1],
];

function pickKeys(rng: Rng): Record<CanonicalField, string> {
  const camelCase = rng.chance(0.2);
  const out = {} as Record<CanonicalField, string>;
  for (const f of CANONICAL_FIELDS) out[f] = rng.pick(KEY_CHOICES[f]);
  for (const [a, b] of PAIRED) {
    const i = rng.int(0, KEY_CHOICES[a].length - 1);
    out[a] = KEY_CHOICES[a][i]!;
    out[b] = KEY_CHOICES[b][i]!;
  }
  if (camelCase) for (const f of CANONICAL_FIELDS) out[f] = camel(out[f]);
  return out;
}

function pickCallback(rng: Rng, gw: GatewayName, generic: string | null): CallbackStyle {
  const r = rng.float();
  const message = generic ?? (r < 0.75 ? rng.pick(CALLBACK_PHRASES[gw]) : rng.pick(MEANINGLESS_CALLBACK_PHRASES));
  return { message, encoding: rng.weighted(CALLBACK_ENCODINGS[gw]), wrapper: rng.chance(0.45) ? rng.pick(PAYLOAD_WRAPPERS) : null, rawKey: rng.pick(RAW_KEYS) };
}

/** The style of vocabulary `n` (a non-negative integer). Pure: same n, same style. */
export function operatorStyle(n: number): OperatorStyle {
  const rng = Rng.root(`operator-vocabulary:${n}`);
  const houseEncoding = rng.weighted(ORDER_ENCODINGS);
  const encodings = {} as Record<OrderEvent, OrderEncoding>;
  const messages = {} as Record<OrderEvent, string>;
  for (const e of ORDER_EVENTS) {
    encodings[e] = rng.chance(0.75) ? houseEncoding : rng.weighted(ORDER_ENCODINGS);
    messages[e] = rng.pick(ORDER_PHRASES[e]);
  }
  let statusMessages: Record<string, string> | null = null;
  if (rng.chance(0.4)) {
    statusMessages = {};
    for (const [to, list] of Object.entries(STATUS_PHRASES)) statusMessages[to] = rng.pick(list);
  }
  // one notify controller for every gateway, or one per gateway plugin
  const generic = rng.chance(0.3) ? (rng.chance(0.5) ? rng.pick(GENERIC_CALLBACK_PHRASES) : rng.pick(MEANINGLESS_CALLBACK_PHRASES)) : null;
  const callbacks = {} as Record<GatewayName, CallbackStyle>;
  for (const gw of GATEWAYS) callbacks[gw] = pickCallback(rng.fork(gw), gw, generic);
  const prefixed = rng.chance(0.35);
  const orderPrefix = prefixed ? rng.pick(PREFIXES) : '';
  const level = rng.weighted(LEVELS);
  return {
    vocabulary: n,
    env: rng.weighted(ENVS),
    orderLevel: level,
    callbackLevel: rng.chance(0.7) ? level : rng.weighted(LEVELS),
    orderPrefix,
    callbackPrefix: prefixed && rng.chance(0.6) ? rng.pick(PREFIXES) : '',
    requestId: rng.chance(0.15),
    messages,
    statusMessages,
    keys: pickKeys(rng.fork('keys')),
    encodings,
    bareExport: rng.chance(0.3),
    separator: rng.weighted(SEPARATORS),
    orderWrapper: rng.chance(0.2) ? rng.pick(ORDER_WRAPPERS) : null,
    fullCardLine: rng.chance(0.7),
    verbose: rng.chance(0.3),
    callbacks,
  };
}
