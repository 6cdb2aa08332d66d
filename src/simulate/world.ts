// The simulated shop's fixed setup for one run: site, hosts, goods, payment rows, merchants and keys.
import type { Goods } from './catalogue';
import { buildCatalogue } from './catalogue';
import { EventBus, type RunSink } from './events';
import { seededRsaKey, type SeededRsaKey } from './gateways/rsa';
import type { GatewayName } from './gateways/retry';
import { alipayUserId, alnumKey, tronAddress } from './ids';
import { formatMain, type AccessEntry } from './nginx';
import type { SimulateOptions } from './options';
import { Rng } from './prng';
import { MemoryTextStore, type TextStore } from './text-store';
import { makeDayFactor } from './traffic';
import { operatorStyle, type OperatorStyle } from './vocabulary/style';

export type Channel = 'epay' | 'alipay' | 'wxpay' | 'usdt';

/** One row of the shop's payment table (dujiaoka `pays`, acg-faka `{prefix}pay`). */
export interface PayRow {
  id: number;
  name: string;
  /** dujiaoka pay_check; acg-faka pay.code. */
  payCheck: string;
  /** dujiaoka pay_handleroute; acg-faka pay.handle (plugin name). */
  handleroute: string;
  channel: Channel;
  gateway: GatewayName;
  /** redirect = the buyer leaves for the gateway's page; scan = the shop renders a QR code and polls. */
  method: 'redirect' | 'scan';
  /** epay `type` parameter. */
  epayType?: 'alipay' | 'wxpay';
  weight: number;
  /** Key of this row's merchant in keys.json. */
  merchantId: string;
}

export interface Merchants {
  epay: { pid: string; key: string; ip: string; submitHost: string };
  alipay: { appId: string; sellerId: string; rsa: SeededRsaKey; ips: readonly string[] };
  wechat: { appid: string; mchId: string; key: string; apiv3Key: string; ips: readonly string[]; v2SignType: 'MD5' | 'HMAC-SHA256' };
  epusdt: { id: string; token: string; wallet: string; ip: string; host: string; cnyPerUsdt: number };
  /** Only with --tokenpay. */
  tokenpay?: { id: string; token: string; wallet: string; ip: string; host: string; cnyPerUsdt: number };
}

export interface World {
  opts: SimulateOptions;
  rng: Rng;
  startMs: number;
  endMs: number;
  site: string;
  hosts: readonly string[];
  proxyIp: string;
  /** Laravel APP_ENV (the log channel prefix). */
  env: string;
  /** `--vocabulary`: how this shop words and encodes its operator lines; null = the fixed default lines. */
  style: OperatorStyle | null;
  /** Per-line variation under a vocabulary (request ids); null without one. */
  styleRng: Rng | null;
  /** dujiaoka order_expire_time (minutes). */
  orderExpireMin: number;
  catalogue: Goods[];
  pays: PayRow[];
  merchants: Merchants;
  dayFactor: (day: number) => number;
  bus: EventBus;
  /** Per-host clock offset in ms (clock-skew damage), applied to what the host writes. */
  hostSkewMs: number[];
}

export const SITE = 'shop.example';
export const HOSTS = ['web1', 'web2'] as const;
export const PROXY_IP = '10.0.0.2';
export const EPAY_UA = 'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36';

function dujiaokaPays(m: Merchants): PayRow[] {
  return [
    { id: 1, name: '支付宝当面付', payCheck: 'zfbf2f', handleroute: '/pay/alipay', channel: 'alipay', gateway: 'alipay', method: 'scan', weight: 0.1, merchantId: m.alipay.appId },
    { id: 2, name: '支付宝 PC', payCheck: 'aliweb', handleroute: '/pay/alipay', channel: 'alipay', gateway: 'alipay', method: 'redirect', weight: 0.05, merchantId: m.alipay.appId },
    { id: 3, name: '微信扫码', payCheck: 'wescan', handleroute: '/pay/wepay', channel: 'wxpay', gateway: 'wxpay-v2', method: 'scan', weight: 0.1, merchantId: m.wechat.mchId },
    // a second WeChat row on the same merchant through a v3 (APIv3) fork of the /pay/wepay handler
    { id: 4, name: '微信扫码 V3', payCheck: 'wescanv3', handleroute: '/pay/wepay', channel: 'wxpay', gateway: 'wxpay-v3', method: 'scan', weight: 0.05, merchantId: m.wechat.mchId },
    { id: 14, name: '支付宝', payCheck: 'alipay', handleroute: '/pay/yipay', channel: 'epay', gateway: 'epay', method: 'redirect', epayType: 'alipay', weight: 0.38, merchantId: m.epay.pid },
    { id: 15, name: '微信', payCheck: 'wxpay', handleroute: '/pay/yipay', channel: 'epay', gateway: 'epay', method: 'redirect', epayType: 'wxpay', weight: 0.17, merchantId: m.epay.pid },
    { id: 22, name: 'USDT-TRC20', payCheck: 'epusdt', handleroute: 'pay/epusdt', channel: 'usdt', gateway: 'epusdt', method: 'redirect', weight: 0.15, merchantId: m.epusdt.id },
    // dujiaoka's install.sql row 25 (pay_check tokenpay-usdt-trc; the shop keeps the Currency USDT_TRC20 in
    // merchant_id and the ApiToken in merchant_key; merchantId here is the keys.json id, as for every row)
    ...(m.tokenpay ? [{ id: 25, name: 'USDT-TRC20', payCheck: 'tokenpay-usdt-trc', handleroute: 'pay/tokenpay', channel: 'usdt' as const, gateway: 'tokenpay' as const, method: 'redirect' as const, weight: 0.1, merchantId: m.tokenpay.id }] : []),
  ];
}

function acgPays(m: Merchants): PayRow[] {
  return [
    { id: 2, name: '支付宝', payCheck: 'alipay', handleroute: 'Epay', channel: 'epay', gateway: 'epay', method: 'scan', epayType: 'alipay', weight: 0.4, merchantId: m.epay.pid },
    { id: 3, name: '微信', payCheck: 'wxpay', handleroute: 'Epay', channel: 'epay', gateway: 'epay', method: 'scan', epayType: 'wxpay', weight: 0.2, merchantId: m.epay.pid },
    { id: 4, name: '支付宝当面付', payCheck: 'alipay', handleroute: 'Alipay', channel: 'alipay', gateway: 'alipay', method: 'scan', weight: 0.12, merchantId: m.alipay.appId },
    { id: 5, name: '微信支付', payCheck: 'wxpay', handleroute: 'Wxpay', channel: 'wxpay', gateway: 'wxpay-v3', method: 'scan', weight: 0.1, merchantId: m.wechat.mchId },
    { id: 6, name: 'USDT', payCheck: 'usdt', handleroute: 'Epusdt', channel: 'usdt', gateway: 'epusdt', method: 'redirect', weight: 0.18, merchantId: m.epusdt.id },
  ];
}

function gatewayIps(rng: Rng, prefix: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${prefix}.${rng.int(0, 255)}.${rng.int(2, 250)}`);
  return out;
}

export function buildMerchants(rng: Rng, platform: SimulateOptions['platform'], withTokenpay = false): Merchants {
  const r = rng.fork('merchants');
  const rsa = seededRsaKey(rng.fork('alipay-rsa'));
  const m: Merchants = {
    epay: { pid: String(r.int(1000, 9999)), key: alnumKey(r, 32), ip: `47.${r.int(90, 120)}.${r.int(0, 255)}.${r.int(2, 250)}`, submitHost: 'pay.epay.example' },
    alipay: { appId: `2021${r.digits(12)}`, sellerId: alipayUserId(r), rsa, ips: gatewayIps(r, '110.75', 4) },
    wechat: {
      appid: `wx${r.hex(16)}`,
      mchId: `16${r.digits(8)}`,
      key: alnumKey(r, 32),
      apiv3Key: alnumKey(r, 32),
      ips: gatewayIps(r, '101.226', 3),
      v2SignType: r.chance(0.5) ? 'MD5' : 'HMAC-SHA256',
    },
    epusdt: {
      id: platform === 'dujiaoka' ? '22' : '6',
      token: alnumKey(r, 24),
      wallet: tronAddress(r),
      ip: `8.${r.int(210, 222)}.${r.int(0, 255)}.${r.int(2, 250)}`,
      host: 'usdt.shop.example',
      cnyPerUsdt: Math.round(r.range(7.05, 7.35) * 100) / 100,
    },
  };
  // A fork of its own, so that the other merchants draw exactly what they draw without it.
  if (withTokenpay) {
    const t = rng.fork('tokenpay');
    m.tokenpay = {
      id: 'tokenpay',
      token: alnumKey(t, 32),
      wallet: tronAddress(t),
      ip: `43.${t.int(128, 159)}.${t.int(0, 255)}.${t.int(2, 250)}`,
      host: 'token-pay.shop.example',
      cnyPerUsdt: Math.round(t.range(7.05, 7.35) * 100) / 100,
    };
  }
  return m;
}

export function buildWorld(opts: SimulateOptions, hostSkewMs: number[], store: TextStore = new MemoryTextStore(), runs: RunSink | null = null): World {
  const rng = Rng.root(opts.seed);
  const merchants = buildMerchants(rng, opts.platform, opts.tokenpay);
  const endMs = opts.startMs + opts.days * 86_400_000;
  const style = opts.vocabulary === null ? null : operatorStyle(opts.vocabulary);
  return {
    opts,
    rng,
    startMs: opts.startMs,
    endMs,
    site: SITE,
    hosts: HOSTS,
    proxyIp: PROXY_IP,
    env: style?.env ?? 'local',
    style,
    styleRng: style === null ? null : rng.fork('operator-vocabulary'),
    orderExpireMin: 5,
    catalogue: buildCatalogue(rng.fork('catalogue'), opts.orders),
    pays: opts.platform === 'dujiaoka' ? dujiaokaPays(merchants) : acgPays(merchants),
    merchants,
    dayFactor: makeDayFactor(rng.fork('days')),
    bus: new EventBus(opts.startMs, endMs, store, runs),
    hostSkewMs,
  };
}

/** keys.json: every merchant secret a verifier needs. */
export function keysJson(w: World): Record<string, unknown> {
  const m = w.merchants;
  return {
    epay: { [m.epay.pid]: m.epay.key },
    alipay: { [m.alipay.appId]: m.alipay.rsa.publicPem },
    wechatpay: { [m.wechat.mchId]: { key: m.wechat.key, apiv3_key: m.wechat.apiv3Key } },
    epusdt: { [m.epusdt.id]: m.epusdt.token },
    ...(m.tokenpay ? { tokenpay: { [m.tokenpay.id]: m.tokenpay.token } } : {}),
  };
}

/** Writes one access-log line to host `host`'s sink; the host's (possibly skewed) clock stamps it. */
export function access(w: World, host: number, ts: number, e: AccessEntry, extra?: { pay?: number; forged?: number }): void {
  if (!w.bus.inWindow(ts)) return;
  w.bus.emit(`nginx/${w.hosts[host]}`, ts, formatMain(ts + (w.hostSkewMs[host] ?? 0), e), extra);
}

export const APP_SINK = 'app/laravel';
