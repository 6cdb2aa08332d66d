import { PLATFORMS, type Platform } from './orders-table';

/** The shop platform a run's evidence came from, by which platform's rules read the most lines
 *  (rule ids start with the platform: `dujiaoka.app.order-created`, `acg-faka.nginx.trade`), or
 *  null when no platform rule read anything. */
export function platformOfRun(inputs: readonly { by_rule?: Record<string, number> }[]): Platform | null {
  const lines = new Map<Platform, number>();
  for (const r of inputs) {
    for (const [rule, n] of Object.entries(r.by_rule ?? {})) {
      const p = PLATFORMS.find((x) => rule.startsWith(x + '.'));
      if (p) lines.set(p, (lines.get(p) ?? 0) + n);
    }
  }
  let best: Platform | null = null;
  for (const [p, n] of lines) if (n > 0 && (best === null || n > lines.get(best)!)) best = p;
  return best;
}
