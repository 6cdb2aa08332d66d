// The operator lines of dujiaoka's laravel.log: what happened (an order line or a received callback),
// written either with the fixed wording of docs/log-shapes.md or, under `--vocabulary`, the way
// that vocabulary's shop writes it. Either way the line keeps the truth's marks: which order's
// payment it shows, which forged callback it belongs to, which order it is about.
import { laravelLine } from '../laravel';
import { renderCallbackLine, renderOrderLine, type CallbackLine, type OrderLine } from '../vocabulary/render';
import type { OrderEvent } from '../vocabulary/phrases';
import { APP_SINK, type World } from '../world';
import type { CallbackPayload } from './callbacks';

/** The fixed messages of the default operator lines (docs/log-shapes.md). */
const DEFAULT_MESSAGES: Record<OrderEvent, string> = {
  order_created: '创建订单',
  payment_succeeded: '订单支付成功',
  card_delivered: '卡密发货',
  status_changed: '订单状态变更',
  refund: '订单退款',
  balance_changed: '商户余额变动',
};

export interface LineMarks {
  /** Index of the order whose payment the line shows. */
  pay?: number;
  /** Index of the forged-callback record the line belongs to. */
  forged?: number;
  /** Index of the order the line is about (for the truth's `logged` fields). */
  about?: number;
}

function requestId(w: World): string | null {
  return w.style?.requestId && w.styleRng ? w.styleRng.hex(8) : null;
}

/** Writes one order line to the app log. */
export function writeOrderLine(w: World, ts: number, line: OrderLine, marks: LineMarks): void {
  const style = w.style;
  if (style === null) {
    const context = Object.fromEntries(line.fields);
    w.bus.emit(APP_SINK, ts, laravelLine(ts, w.env, 'INFO', DEFAULT_MESSAGES[line.event], context), marks.pay === undefined ? undefined : { pay: marks.pay });
    return;
  }
  if (!w.bus.inWindow(ts)) return;
  const r = renderOrderLine(style, ts, line, requestId(w));
  const ev = w.bus.emit(APP_SINK, ts, r.text, marks);
  if (ev && marks.about !== undefined) {
    ev.about = marks.about;
    ev.logged = r.logged;
  }
}

/** Writes the line a shop logs when a gateway callback arrives. */
export function writeCallbackLine(w: World, ts: number, cb: CallbackPayload, orderId: string, marks: LineMarks): void {
  const style = w.style;
  if (style === null) {
    w.bus.emit(APP_SINK, ts, laravelLine(ts, w.env, 'INFO', cb.opMessage, cb.opContext), { pay: marks.pay, forged: marks.forged });
    return;
  }
  if (!w.bus.inWindow(ts)) return;
  const line: CallbackLine = { gateway: cb.gateway, orderId, fields: cb.fields, raw: cb.raw };
  w.bus.emit(APP_SINK, ts, renderCallbackLine(style, ts, line, requestId(w)), { pay: marks.pay, forged: marks.forged });
}
