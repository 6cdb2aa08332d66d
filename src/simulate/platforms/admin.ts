// The operator at work in the admin panel: requests that accompany manual handling and refunds.
import type { Rng } from '../prng';
import { access, type World } from '../world';

export const ADMIN_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

/** The operator's address for the run. */
export function adminIp(w: World): string {
  const r = w.rng.fork('admin-ip');
  return `${r.pick([113, 116, 183, 222])}.${r.int(1, 254)}.${r.int(0, 255)}.${r.int(1, 254)}`;
}

/** dcat-admin (dujiaoka) or acg-faka admin requests editing one order. */
export function adminEditOrder(w: World, rng: Rng, ts: number, dbId: number): void {
  const host = rng.int(0, w.hosts.length - 1);
  const ip = adminIp(w);
  const base = { remoteAddr: w.proxyIp, ua: ADMIN_UA, xff: ip };
  if (w.opts.platform === 'dujiaoka') {
    access(w, host, ts - rng.int(20, 90) * 1000, { ...base, request: `GET /admin/order/${dbId}/edit HTTP/1.1`, status: 200, bytes: rng.int(9000, 11000), referer: `https://${w.site}/admin/order` });
    access(w, host, ts, { ...base, request: `PUT /admin/order/${dbId} HTTP/1.1`, status: 200, bytes: rng.int(110, 140), referer: `https://${w.site}/admin/order/${dbId}/edit` });
  } else {
    access(w, host, ts, { ...base, request: `POST /admin/api/order/save HTTP/1.1`, status: 200, bytes: rng.int(40, 60), referer: `https://${w.site}/admin/trade/order` });
  }
}
