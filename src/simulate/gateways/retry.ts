// When each gateway re-sends a callback that the shop did not acknowledge (NOTES §4e).
import type { Rng } from '../prng';

export type GatewayName = 'epay' | 'alipay' | 'wxpay-v2' | 'wxpay-v3' | 'epusdt' | 'tokenpay';

/** Delays in seconds between consecutive attempts (attempt k+1 follows attempt k by DELAYS[k]). */
export const RETRY_DELAYS_S: Record<Exclude<GatewayName, 'epusdt' | 'tokenpay'>, readonly number[]> = {
  // 彩虹易支付 cron.php: first retry +1 min, then +2, +16, +36 min, +1 h, then notify = -1.
  epay: [60, 120, 960, 2160, 3600],
  // Alipay: 8 notifications within 25 h: 4m, 10m, 10m, 1h, 2h, 6h, 15h.
  alipay: [240, 600, 600, 3600, 7200, 21600, 54000],
  'wxpay-v2': [15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600],
  'wxpay-v3': [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600],
};

/**
 * epusdt retries through asynq with MaxRetry(order_notice_max_retry); the simulated operator set it
 * to EPUSDT_MAX_RETRY. The delay follows asynq's default (sidekiq-style) n^4 + 15 + rand(30)·(n+1) s;
 * the formula is an assumption (NOTES §7 lists it as unconfirmed).
 */
export const EPUSDT_MAX_RETRY = 3;

/**
 * TokenPay's OrderNotifyService runs every second and picks paid, unconfirmed orders with
 * CallbackNum < 3 whose LastNotifyTime is over a minute old (LightCountry/TokenPay
 * src/TokenPay/BgServices/OrderNotifyService.cs): at most 3 attempts, each a minute and a second
 * or two after the one before.
 */
export const TOKENPAY_MAX_ATTEMPTS = 3;

/** Seconds to wait before attempt `attempt + 1` (0-based `attempt` just failed), or null when the gateway gives up. */
export function nextRetryDelay(gw: GatewayName, attempt: number, rng: Rng): number | null {
  if (gw === 'epusdt') {
    if (attempt >= EPUSDT_MAX_RETRY) return null;
    const n = attempt + 1;
    return n ** 4 + 15 + rng.int(0, 29) * (n + 1);
  }
  if (gw === 'tokenpay') return attempt + 1 >= TOKENPAY_MAX_ATTEMPTS ? null : 61 + rng.int(0, 1);
  const delays = RETRY_DELAYS_S[gw];
  if (attempt >= delays.length) return null;
  // cron-driven (epay) and queue-driven senders do not fire on the exact second
  const jitter = gw === 'epay' ? rng.int(0, 59) : rng.int(0, 3);
  return delays[attempt]! + jitter;
}

/** Whether the gateway treats the shop's answer as an acknowledgement. */
export function isAcknowledged(gw: GatewayName, status: number, body: string): boolean {
  switch (gw) {
    case 'epay':
      return status === 200 && /success/i.test(body);
    case 'alipay':
      return status === 200 && body === 'success';
    case 'wxpay-v2':
      // dujiaoka answers a plain `success`; assumed accepted (NOTES §1.3 marks this unconfirmed).
      return status === 200 && (body === 'success' || body.includes('<return_code><![CDATA[SUCCESS]]>'));
    case 'wxpay-v3':
      return status === 200 || status === 204;
    case 'epusdt':
    case 'tokenpay':
      return status === 200 && body === 'ok';
  }
}
