// The options of one simulation run, validated once. Impossible options are usage errors (exit 2).
import { DateTime } from 'luxon';
import { UsageError } from '../model/usage-error';

export const DAMAGE_PROFILES = ['none', 'typical', 'severe'] as const;
export type DamageProfile = (typeof DAMAGE_PROFILES)[number];
export const PLATFORMS = ['dujiaoka', 'acg-faka'] as const;
export type Platform = (typeof PLATFORMS)[number];
/** default: what a stock shop writes as simulated before; operator: plus the lines operators add;
 *  platform: default plus what the platform itself writes and `default` leaves out (exception
 *  frames with their arguments, the queue worker's output). */
export const LOGGING_MODES = ['default', 'operator', 'platform'] as const;
export type LoggingMode = (typeof LOGGING_MODES)[number];

export interface SimulateOptions {
  out: string;
  orders: number;
  days: number;
  /** The start instant as given (normalised to ISO with offset). */
  start: string;
  startMs: number;
  seed: string;
  damage: DamageProfile;
  platform: Platform;
  logging: LoggingMode;
  /** Add a TokenPay (USDT-TRC20) payment row (dujiaoka only). Off by default, so that the default
   *  shop, and every figure measured on it, stays as it was. */
  tokenpay: boolean;
  /** `--vocabulary N`: operator lines worded, keyed and encoded as vocabulary N's shop writes them; null = the fixed lines. */
  vocabulary: number | null;
}

export interface RawSimulateOptions {
  out?: unknown;
  orders?: unknown;
  days?: unknown;
  start?: unknown;
  seed?: unknown;
  damage?: unknown;
  platform?: unknown;
  logging?: unknown;
  tokenpay?: unknown;
  vocabulary?: unknown;
}

export const DEFAULTS = {
  orders: 2000,
  days: 1,
  start: '2026-11-21T00:00:00+08:00',
  seed: '1',
  damage: 'typical' as DamageProfile,
  platform: 'dujiaoka' as Platform,
  logging: 'operator' as LoggingMode,
  tokenpay: false,
};

/** Upper bounds that keep a run finite (a year of traffic, ten million orders). */
export const MAX_DAYS = 366;
export const MAX_ORDERS = 10_000_000;

function positiveInt(name: string, v: unknown, max: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw new UsageError(`--${name} must be a positive whole number, got ${JSON.stringify(v)}. --${name} 必须是正整数，收到 ${JSON.stringify(v)}。`);
  }
  if (n > max) throw new UsageError(`--${name} must be at most ${max}, got ${n}. --${name} 不能超过 ${max}，收到 ${n}。`);
  return n;
}

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new UsageError(
      `--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}. --${name} 只能是 ${allowed.join('、')} 之一，收到 ${JSON.stringify(v)}。`,
    );
  }
  return v as T;
}

/** Largest vocabulary number (any non-negative integer up to here names a shop style). */
export const MAX_VOCABULARY = 1_000_000_000;

function vocabulary(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_VOCABULARY) {
    throw new UsageError(
      `--vocabulary must be a whole number from 0 to ${MAX_VOCABULARY}, got ${JSON.stringify(v)}. --vocabulary 必须是 0 到 ${MAX_VOCABULARY} 之间的整数，收到 ${JSON.stringify(v)}。`,
    );
  }
  return n;
}

/** Validates raw (CLI or programmatic) options, filling defaults. Throws UsageError. */
export function resolveOptions(raw: RawSimulateOptions): SimulateOptions {
  if (typeof raw.out !== 'string' || raw.out.trim() === '') {
    throw new UsageError('--out <dir> is required. 必须用 --out <目录> 指定输出目录。');
  }
  const orders = positiveInt('orders', raw.orders ?? DEFAULTS.orders, MAX_ORDERS);
  const days = positiveInt('days', raw.days ?? DEFAULTS.days, MAX_DAYS);
  const startRaw = raw.start ?? DEFAULTS.start;
  if (typeof startRaw !== 'string') throw new UsageError('--start must be an ISO 8601 time. --start 必须是 ISO 8601 时间。');
  const dt = DateTime.fromISO(startRaw, { zone: 'Asia/Shanghai', setZone: false });
  if (!dt.isValid) {
    throw new UsageError(
      `--start ${JSON.stringify(startRaw)} is not an ISO 8601 time (e.g. 2026-11-21T00:00:00+08:00). --start ${JSON.stringify(startRaw)} 不是有效的 ISO 8601 时间（例如 2026-11-21T00:00:00+08:00）。`,
    );
  }
  const seedRaw = raw.seed ?? DEFAULTS.seed;
  if ((typeof seedRaw !== 'string' && typeof seedRaw !== 'number') || String(seedRaw).trim() === '') {
    throw new UsageError('--seed must be a non-empty number or word. --seed 必须是非空的数字或字符串。');
  }
  const platform = oneOf('platform', raw.platform ?? DEFAULTS.platform, PLATFORMS);
  const tokenpay = raw.tokenpay ?? DEFAULTS.tokenpay;
  if (typeof tokenpay !== 'boolean') throw new UsageError('--tokenpay takes no value. --tokenpay 不带参数。');
  if (tokenpay && platform !== 'dujiaoka') {
    throw new UsageError(`--tokenpay needs --platform dujiaoka (${platform} has no TokenPay handler). --tokenpay 只适用于 dujiaoka（${platform} 没有 TokenPay 支付处理）。`);
  }
  return {
    out: raw.out,
    orders,
    days,
    start: dt.setZone('Asia/Shanghai').toISO({ suppressMilliseconds: true }) ?? startRaw,
    startMs: dt.toMillis(),
    seed: String(seedRaw),
    damage: oneOf('damage', raw.damage ?? DEFAULTS.damage, DAMAGE_PROFILES),
    platform,
    logging: oneOf('logging', raw.logging ?? DEFAULTS.logging, LOGGING_MODES),
    tokenpay,
    vocabulary: vocabulary(raw.vocabulary),
  };
}
