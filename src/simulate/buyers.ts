// Buyers: who they are (email for dujiaoka, contact for acg-faka), where they come from, which browser.
import type { Rng } from './prng';

export interface Buyer {
  email: string;
  /** acg-faka `contact`: QQ number, email or phone. */
  contact: string;
  ip: string;
  ua: string;
  /** acg-faka create_device: 0 PC, 1 Android, 2 iOS, 3 iPad. */
  device: 0 | 1 | 2 | 3;
  /** Preferred nginx host (the proxy is mostly sticky). */
  host: number;
  /** A second hop in X-Forwarded-For (corporate proxy / CDN), if any. */
  viaProxy?: string;
}

// First octets of address blocks allocated to Chinese ISPs (used only to make addresses look plausible).
const CN_FIRST_OCTETS = [36, 39, 42, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 171, 175, 180, 182, 183, 218, 219, 220, 221, 222, 223];

export function publicIp(rng: Rng): string {
  return `${rng.pick(CN_FIRST_OCTETS)}.${rng.int(1, 254)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

export const BROWSER_UAS: readonly (readonly [string, 0 | 1 | 2 | 3, number])[] = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36', 0, 18],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 0, 8],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 0, 5],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0', 0, 3],
  ['Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.5359.95 Safari/537.36 QIHU 360SE', 0, 3],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 2, 14],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.53(0x18003531) NetType/WIFI Language/zh_CN', 2, 8],
  ['Mozilla/5.0 (Linux; Android 14; 23127PN0CC Build/UKQ1.230804.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.188 Mobile Safari/537.36 XWEB/1260117 MMWEBSDK/20240501 MicroMessenger/8.0.50.2701(0x2800323B) WeChat/arm64 Weixin NetType/5G Language/zh_CN ABI/arm64', 1, 9],
  ['Mozilla/5.0 (Linux; Android 13; V2227A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/87.0.4280.141 Mobile Safari/537.36 VivoBrowser/20.1.10.0', 1, 4],
  ['Mozilla/5.0 (Linux; U; Android 12; zh-cn; PGJM10 Build/SP1A.210812.016) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/14.9 Mobile Safari/537.36 COVC/046915', 1, 5],
  ['Mozilla/5.0 (Linux; Android 14; SM-S9180) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.107 Mobile Safari/537.36', 1, 5],
  ['Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.14.0.322) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/15.0.4.312 Mobile Safari/537.36', 1, 5],
  ['Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 3, 2],
];

const EMAIL_DOMAINS: readonly (readonly [string, number])[] = [
  ['qq.com', 50], ['163.com', 12], ['gmail.com', 12], ['126.com', 5], ['outlook.com', 6], ['foxmail.com', 4], ['hotmail.com', 3], ['sina.com', 2], ['icloud.com', 3], ['yeah.net', 1],
];

const LOWER = 'abcdefghijklmnopqrstuvwxyz';

function emailFor(rng: Rng): string {
  const domain = rng.weighted(EMAIL_DOMAINS);
  if (domain === 'qq.com' && rng.chance(0.85)) return `${rng.int(10000, 3999999999)}@qq.com`;
  const local = rng.chars(rng.int(4, 9), LOWER) + (rng.chance(0.6) ? String(rng.int(1, 9999)) : '');
  return `${local}@${domain}`;
}

function contactFor(rng: Rng, email: string): string {
  const r = rng.float();
  if (r < 0.45) return String(rng.int(10000, 3999999999));
  if (r < 0.75) return email;
  return `1${rng.pick(['3', '5', '7', '8', '9'])}${rng.digits(9)}`;
}

export function makeBuyer(rng: Rng, hostCount: number): Buyer {
  const uaIdx = rng.weightedIndex(BROWSER_UAS.map((u) => u[2]));
  const [ua, device] = BROWSER_UAS[uaIdx]!;
  const email = emailFor(rng);
  const b: Buyer = { email, contact: contactFor(rng, email), ip: publicIp(rng), ua, device, host: rng.int(0, hostCount - 1) };
  if (rng.chance(0.05)) b.viaProxy = `172.${rng.int(16, 31)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  return b;
}

/**
 * A pool of buyers, some of whom come back for more orders. Each buyer is drawn from a stream of its
 * own, so the pool makes one when it is picked rather than holding three for every four orders.
 */
export class BuyerPool {
  constructor(
    private readonly rng: Rng,
    readonly length: number,
    private readonly hostCount: number,
  ) {}

  at(i: number): Buyer {
    return makeBuyer(this.rng.fork(`buyer${i}`), this.hostCount);
  }
}

export function buildBuyerPool(rng: Rng, orders: number, hostCount: number): BuyerPool {
  return new BuyerPool(rng, Math.max(1, Math.ceil(orders * 0.75)), hostCount);
}

/** Picks the buyer of an order: mostly one-off buyers, a few regulars. */
export function pickBuyer(rng: Rng, pool: BuyerPool): Buyer {
  if (rng.chance(0.2)) return pool.at(Math.floor(Math.pow(rng.float(), 3) * pool.length));
  // as Rng#pick draws an index
  return pool.at(Math.floor(rng.float() * pool.length));
}
