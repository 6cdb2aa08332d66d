import type { OrderKeys } from './order-keys';
import { byTimeThenPlace, withJoinedBy, type ClockShift, type JoinSink, type Miss, type ParkedLine } from './parked-line';

// A callback whose body was not logged names no order, but its time does: the shop marks the
// order paid while answering it, and the buyer's next status poll says so. An order whose poll
// first answered "paid" at t takes the one callback of its gateway handler in the window
// before t; when there are several, none is taken (the record keeps the poll's time). Times
// are taken with their clock corrections, since the callback and the poll may have been
// logged by different servers.

/** How long before a "paid" status poll an unlogged callback may have arrived (polls run every few seconds). */
export const CALLBACK_WINDOW_MS = 15_000;

export function joinUnloggedCallbacks(callbacks: readonly ParkedLine[], keys: OrderKeys, readJson: (l: ParkedLine) => string, sink: JoinSink, miss: Miss, shift: ClockShift = () => 0): number {
  const byHandler = new Map<string, { l: ParkedLine; t: number }[]>();
  const timed = callbacks.map((l) => ({ l, t: l.tsMs - shift(l.source) })).sort((a, b) => a.t - b.t || byTimeThenPlace(a.l, b.l));
  for (const c of timed) {
    let list = byHandler.get(c.l.handler ?? '');
    if (!list) byHandler.set(c.l.handler ?? '', (list = []));
    list.push(c);
  }
  const orders: { oid: string; t: number; handler: string }[] = [];
  for (let row = 0; row < keys.size; row++) {
    const t = keys.observed(row) - shift(keys.observedSourceOf(row));
    const handler = keys.handler(row);
    if (!Number.isNaN(t) && handler !== null) orders.push({ oid: keys.id(row), t, handler });
  }
  orders.sort((a, b) => a.t - b.t || (a.oid < b.oid ? -1 : 1));
  const taken = new Set<ParkedLine>();
  let joins = 0;
  for (const { oid, t, handler } of orders) {
    const inWindow = (byHandler.get(handler) ?? []).filter((c) => !taken.has(c.l) && c.t <= t && t - c.t <= CALLBACK_WINDOW_MS);
    if (inWindow.length !== 1) continue;
    const l = inWindow[0]!.l;
    taken.add(l);
    joins++;
    sink.addLate(oid, withJoinedBy(readJson(l), `time: the only ${handler} callback in the ${CALLBACK_WINDOW_MS / 1000} s before the order's status first showed "paid"`));
  }
  for (const l of callbacks) if (!taken.has(l)) miss(l, 'callback whose content was not logged, and no single order it can be tied to by time', readJson(l));
  return joins;
}
