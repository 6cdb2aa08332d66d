// A buyer's browser talking to the shop through the proxy: which host answers, what XFF says, page sizes.
import type { Buyer } from './buyers';
import type { Rng } from './prng';
import { access, type World } from './world';

export class Session {
  constructor(
    private readonly w: World,
    readonly buyer: Buyer,
    private readonly rng: Rng,
  ) {}

  /** The proxy is mostly sticky; now and then a request lands on the other host. */
  host(): number {
    if (this.w.hosts.length < 2 || this.rng.chance(0.85)) return this.buyer.host;
    return (this.buyer.host + 1) % this.w.hosts.length;
  }

  xff(): string {
    return this.buyer.viaProxy ? `${this.buyer.ip}, ${this.buyer.viaProxy}` : this.buyer.ip;
  }

  url(path: string): string {
    return `https://${this.w.site}${path}`;
  }

  req(ts: number, method: string, path: string, status: number, bytes: number, referer?: string, extra?: { pay?: number }): void {
    access(
      this.w,
      this.host(),
      ts,
      { remoteAddr: this.w.proxyIp, request: `${method} ${path} HTTP/1.1`, status, bytes, referer, ua: this.buyer.ua, xff: this.xff() },
      extra,
    );
  }
}

/** A response size around `median` bytes (HTML pages vary with content and gzip). */
export function pageBytes(rng: Rng, median: number, spread = 0.08): number {
  return Math.max(1, Math.round(median * (1 + spread * rng.normal())));
}

/** dujiaoka `/check-order-status` JSON bodies; nginx logs their exact sizes. */
export const POLL_BODY = {
  wait: JSON.stringify({ msg: 'wait....', code: 400000 }),
  expired: JSON.stringify({ msg: 'expired', code: 400001 }),
  success: JSON.stringify({ msg: 'success', code: 200 }),
} as const;
