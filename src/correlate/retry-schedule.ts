// When gateways re-send a callback the shop did not acknowledge. A gateway only ever sends a
// callback on its own schedule; a copy of an order's callback that no attempt of that schedule
// can explain was sent by someone else (a replay of an old, genuine notify). Pure functions.
//
// Facts used (delays between consecutive attempts):
// - 彩虹易支付 (epay) cron.php: +1 min, +2, +16, +36 min, +1 h, then it gives up. The cron runs once
//   a minute, so each attempt can come up to a minute after it is due.
// - Alipay: 8 notifications within 25 h: 4 m, 10 m, 10 m, 1 h, 2 h, 6 h, 15 h.
// - WeChat Pay: v2 15 s, 15 s, 30 s, 3 m, 30 m ×4, 1 h; v3 15 s, 15 s, 30 s, 3 m, 10 m, 20 m,
//   30 m ×3, 1 h, 3 h ×3, 6 h ×2. The log does not say which API version, so either fits.
// Queue-driven senders (Alipay, WeChat Pay) are allowed 2% of each delay either way (at least
// 30 s / 10 s): a copy hours off a 3 h or 6 h step is not one of their retries.
// Gateways whose schedule is not known for certain (epusdt, TokenPay, V免签, others) are not judged.

export interface RetrySchedule {
  /** Delays in seconds between consecutive attempts. */
  delaysS: readonly number[];
  /** How late each attempt may come after it is due, in seconds. */
  lateS: (delayS: number) => number;
  /** How early, in seconds. */
  earlyS: (delayS: number) => number;
}

const EPAY: RetrySchedule = { delaysS: [60, 120, 960, 2160, 3600], lateS: () => 60, earlyS: () => 0 };
const ALIPAY: RetrySchedule = { delaysS: [240, 600, 600, 3600, 7200, 21600, 54000], lateS: (d) => Math.max(30, d * 0.02), earlyS: (d) => Math.max(30, d * 0.02) };
const WECHAT: RetrySchedule[] = [
  { delaysS: [15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600], lateS: (d) => Math.max(10, d * 0.02), earlyS: (d) => Math.max(10, d * 0.02) },
  { delaysS: [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600], lateS: (d) => Math.max(10, d * 0.02), earlyS: (d) => Math.max(10, d * 0.02) },
];

/** The schedules a callback rule's gateway may follow (empty: not judged). Rule ids name the
 *  gateway as a dot- or dash-separated word: `epay.app.notify`, `acg-faka.nginx.callback-post-epay`. */
export function schedulesForRule(rule: string): RetrySchedule[] {
  const words = new Set(rule.split(/[.-]/));
  if (words.has('epay')) return [EPAY];
  if (words.has('alipay')) return [ALIPAY];
  if (words.has('wechatpay') || words.has('wxpay')) return WECHAT;
  return [];
}

/** Copies of one attempt logged in different places: the app log when the request arrives, the
 *  access log when it is answered (a shop that times out answers up to ~30 s later). */
const SAME_ATTEMPT_MS = 30_000;
/** Slack on top of the schedule's own tolerance: log clocks, and copies logged at arrival (app log) or at the answer (access log). */
const SLACK_MS = 30_000;

/**
 * The copy times (epoch ms) that no attempt of `schedule` can explain, given the earlier copies
 * seen. The first copy seen may be any attempt of the schedule (earlier ones may be lost with
 * their log); each later one is either another copy of an attempt already seen (within
 * SAME_ATTEMPT_MS of its first copy) or a later attempt, following an explained one by the sum of
 * some run of consecutive delays, within tolerance. Unexplained copies are left out of the chain.
 */
export function offSchedule(times: readonly number[], schedule: RetrySchedule): number[] {
  const sorted = [...new Set(times.filter(Number.isFinite))].sort((a, b) => a - b);
  if (sorted.length < 2) return [];
  const n = schedule.delaysS.length;
  // lo[k], hi[k]: the earliest and latest offset (ms) of attempt k after attempt 0.
  const lo = [0];
  const hi = [0];
  for (let k = 0; k < n; k++) {
    const d = schedule.delaysS[k]!;
    lo.push(lo[k]! + (d - schedule.earlyS(d)) * 1000);
    hi.push(hi[k]! + (d + schedule.lateS(d)) * 1000);
  }
  // Every reading of the copies so far: which attempt the last one was, and when it was first seen.
  let readings = Array.from({ length: n + 1 }, (_, k) => ({ index: k, at: sorted[0]! }));
  const off: number[] = [];
  for (const t of sorted.slice(1)) {
    const next = new Map<string, { index: number; at: number }>();
    for (const { index: i, at } of readings) {
      const gap = t - at;
      if (gap <= SAME_ATTEMPT_MS) next.set(`${i}@${at}`, { index: i, at });
      for (let j = i + 1; j <= n; j++) {
        // Attempts i..j: the gap lies between the least and the most the delays between them add up to.
        if (gap >= lo[j]! - lo[i]! - SLACK_MS && gap <= hi[j]! - hi[i]! + SLACK_MS) next.set(`${j}@${t}`, { index: j, at: t });
      }
    }
    if (next.size === 0) off.push(t);
    else readings = [...next.values()];
  }
  return off;
}
