// The operator's 商户余额变动 lines: one running balance per merchant, each line's `before` equal to the
// previous line's `after`, in the order the changes happened.
import { fenToYuanString } from '../money';
import type { OrderLine } from '../vocabulary/render';
import { writeOrderLine } from './operator-log';
import type { SimContext } from './order';

export function emitBalanceChanges(ctx: SimContext): void {
  const w = ctx.w;
  if (w.opts.logging !== 'operator' || w.opts.platform !== 'dujiaoka') return;
  const changes = ctx.balances.slice().sort((a, b) => a.ts - b.ts || a.orderIdx - b.orderIdx || b.changeFen - a.changeFen);
  const balance = new Map<string, number>();
  const rng = w.rng.fork('opening-balances');
  for (const c of changes) {
    let before = balance.get(c.merchantId);
    if (before === undefined) before = rng.int(0, 500_000);
    const after = before + c.changeFen;
    balance.set(c.merchantId, after);
    const line: OrderLine = {
      event: 'balance_changed',
      orderId: c.orderId,
      fields: [
        ['merchant_id', c.merchantId],
        ['order_sn', c.orderId],
        ['change', fenToYuanString(c.changeFen)],
        ['before', fenToYuanString(before)],
        ['after', fenToYuanString(after)],
      ],
    };
    writeOrderLine(w, c.ts, line, { pay: c.orderIdx, about: c.orderIdx });
  }
}
