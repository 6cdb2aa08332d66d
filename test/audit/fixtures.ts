// Logs for the audit and suggest tests: dujiaoka checkout pages in an nginx access log, and a
// laravel.log in a wording no pack knows that names the same orders.

const ALPHA = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** Order numbers of dujiaoka's shape (16 letters and digits), distinct and reproducible. */
export function orderNumbers(n: number, seed: number): string[] {
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    let s = '';
    for (let j = 0; j < 16; j++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      s += ALPHA[(x >>> 16) % ALPHA.length];
    }
    out.push(s.slice(0, 15) + String(i % 10)); // a digit, as vocabulary.yaml order_id_pattern asks
  }
  return out;
}

export const hhmmss = (i: number) => `14:${String(3 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;

export function nginxBills(orders: string[]): string {
  return orders.map((o, i) => `203.0.113.${(i % 200) + 1} - - [21/Nov/2026:${hhmmss(i)} +0800] "GET /bill/${o} HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (Linux; Android 14)"`).join('\n') + '\n';
}

/** `n` lines in a wording no pack knows, each naming one order; the first also has a context
 *  with a buyer e-mail and a card key, which the sample must not show. Plus some unrelated noise. */
export function laravelUnknown(orders: string[], unrelated = 10): string {
  const lines = orders.map((o, i) =>
    `[2026-11-21 ${hhmmss(i)}] local.INFO: 处理中 ref=${o} node=${i % 4}` + (i === 0 ? ' {"contact":"buyer.one@example.com","carmi":"SECRETKEY-777-XYZ"}' : ''),
  );
  for (let i = 0; i < unrelated; i++) lines.push(`[2026-11-21 15:00:${String(i).padStart(2, '0')}] local.DEBUG: cache warmed in ${i + 3} ms`);
  return lines.join('\n') + '\n';
}

