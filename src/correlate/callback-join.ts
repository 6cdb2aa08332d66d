import type { Evidence } from '../model/types';
import type { OrderKeys } from './order-keys';
import type { Names } from './names';
import { BlockFile } from './block-file';
import { byTimeThenPlace, parkedLine, withJoinedBy, type ClockShift, type JoinSink, type Miss, type ParkedLine } from './parked-line';

// A callback whose body was not logged names no order, but its time does: the shop marks the
// order paid while answering it, and the buyer's next status poll says so. An order whose poll
// first answered "paid" at t takes the one callback of its gateway handler in the window
// before t; when there are several, none is taken (the record keeps the poll's time). Times
// are taken with their clock corrections, since the callback and the poll may have been
// logged by different servers. The callbacks wait on disk for the end of the run; what the join
// needs of each (handler, time, source) stays in memory.

/** How long before a "paid" status poll an unlogged callback may have arrived (polls run every few seconds). */
export const CALLBACK_WINDOW_MS = 15_000;

export class CallbackJoin {
  private readonly callbacks: ParkedLine[] = [];
  private readonly parked: BlockFile;

  constructor(
    private readonly keys: OrderKeys,
    private readonly names: Names,
    spillParent?: string,
  ) {
    this.parked = new BlockFile(spillParent, 'salvage-keyless-');
  }

  /** A callback (`e`, its text `json`) logged with a time but without its content. */
  add(e: Evidence, json: string): void {
    this.callbacks.push(parkedLine(e, this.names, this.parked.append([json]), null, this.names.name(String(e.fields.pay_handler ?? ''))));
  }

  /** The end of the run: each callback joins its order or is reported. Returns the number of joins. */
  finish(sink: JoinSink, miss: Miss, shift: ClockShift = () => 0): number {
    try {
      return joinByTime(this.callbacks, this.keys, (l) => this.parked.read(l.at)[0]!, sink, miss, shift);
    } finally {
      this.parked.dispose();
    }
  }
}

function joinByTime(callbacks: readonly ParkedLine[], keys: OrderKeys, readJson: (l: ParkedLine) => string, sink: JoinSink, miss: Miss, shift: ClockShift): number {
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
