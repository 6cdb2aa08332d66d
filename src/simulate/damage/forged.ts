// Damage: forged and replayed payment callbacks. They land in the logs like real ones, are answered
// with fail/500 by the shop, and never make an order paid.
import { publicIp } from '../buyers';
import type { Rng } from '../prng';
import { isoLocal } from '../time';
import { acgForgedCallback } from '../platforms/acgfaka';
import { buildCallback, makeGatewayTxn, type CallbackPayload } from '../platforms/callbacks';
import { dujiaokaForgedCallback } from '../platforms/dujiaoka';
import type { OrderRec, SimContext } from '../platforms/order';
import type { DamageLog } from './log';

export type Forgery = 'bad_signature' | 'wrong_amount' | 'replay';

export interface ForgedRecord {
  orderIdx: number;
  forgery: Forgery;
  ms: number;
  /** The damage.json action describing it. */
  action: number;
}

function pickTarget(rng: Rng, list: readonly OrderRec[]): OrderRec {
  const epay = list.filter((o) => o.pay.channel === 'epay');
  return epay.length > 0 && rng.chance(0.7) ? rng.pick(epay) : rng.pick(list);
}

export function planForgedCallbacks(ctx: SimContext, count: number, rng: Rng, log: DamageLog): ForgedRecord[] {
  const w = ctx.w;
  const records: ForgedRecord[] = [];
  const unpaid = ctx.orders.filter((o) => o.paidMs === null && o.createdMs + 120_000 < w.endMs);
  const paid = ctx.orders.filter((o) => o.paidMs !== null && o.genuinePayload && o.paidMs + 120_000 < w.endMs);
  for (let i = 0; i < count; i++) {
    let forgery: Forgery = rng.weighted<Forgery>([
      ['bad_signature', 0.45],
      ['wrong_amount', 0.3],
      ['replay', 0.25],
    ]);
    if (forgery === 'replay' && paid.length === 0) forgery = 'bad_signature';
    if (forgery !== 'replay' && unpaid.length === 0) {
      if (paid.length === 0) break;
      forgery = 'replay';
    }
    const o = pickTarget(rng, forgery === 'replay' ? paid : unpaid);
    let ms: number;
    let cb: CallbackPayload;
    if (forgery === 'replay') {
      ms = o.paidMs! + rng.int(60, Math.max(61, Math.min(30 * 3600, Math.floor((w.endMs - o.paidMs! - 1000) / 1000)))) * 1000;
      cb = o.genuinePayload!;
    } else {
      ms = o.createdMs + rng.int(30, Math.max(31, Math.min(900, Math.floor((w.endMs - o.createdMs - 1000) / 1000)))) * 1000;
      // the forger invents the gateway side of a payment that never happened
      const txn = makeGatewayTxn(rng, w, o.pay, o.createdMs, ms - rng.int(5, 60) * 1000, o.actualFen);
      cb = buildCallback(w, o, txn, ms, rng, forgery);
      if (rng.chance(0.4)) cb = { ...cb, ua: rng.pick(['python-requests/2.31.0', 'curl/7.88.1', 'Go-http-client/1.1']) };
    }
    if (ms >= w.endMs) continue;
    const ip = publicIp(rng);
    const action = log.add({
      type: 'forged_callback',
      detail: `${forgery} ${o.pay.gateway} callback for ${o.orderId} from ${ip} at ${isoLocal(ms)}; the shop rejected it and the order's paid state is unchanged`,
      extra: { order_id: o.orderId, forgery, channel: o.pay.channel, gateway: o.pay.gateway, at: isoLocal(ms), client_ip: ip },
    });
    const idx = records.length;
    records.push({ orderIdx: o.idx, forgery, ms, action });
    if (w.opts.platform === 'dujiaoka') dujiaokaForgedCallback(ctx, o, rng, ms, cb, ip, idx);
    else acgForgedCallback(ctx, o, rng, ms, cb, ip, idx);
  }
  return records;
}
