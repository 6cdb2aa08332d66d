import { workerData } from 'node:worker_threads';
import { checkedView } from '../model/types';
import { quietRecord, settleParts, type SettledParts } from '../correlate/order-build';
import { LocalShelf } from '../correlate/order-shelf';
import { scoreRecord } from '../score/score';
import { BUILDING } from '../settings';
import type { BuilderSetup, FromBuilder, ToBuilder, WireSettled } from './build-protocol';

// A builder thread: the shelf of the orders the main thread has let go of (src/correlate/
// order-shelf.ts). It parses their evidence, builds the record of each order that went quiet,
// and parks both in its own scratch file, so the main thread's share of the work is to group
// evidence by order. At the end of the run it settles its orders and sends the records back in
// order-number order.

const { port, shared, spillParent } = workerData as BuilderSetup;
// Records stay text here: a record that stands goes back as it was parked, never parsed.
const shelf = new LocalShelf<SettledParts>({ quiet: (id, items, c) => quietRecord(id, items, c, scoreRecord), final: (o, c) => settleParts(o, c, scoreRecord) }, spillParent);
let corrections: ReadonlyMap<string, number> = new Map();

function send(m: FromBuilder): void {
  port.postMessage(m);
  // The main thread may be asleep on this count, waiting for the message just posted.
  Atomics.add(shared, 0, 1);
  Atomics.notify(shared, 0);
}

function wire(s: SettledParts): WireSettled {
  if (s.kept) return { id: s.id, text: s.text, checked: s.checkedText, dropped: s.dropped, kept: true };
  // A record built just now comes with all of its evidence: only the checks' view crosses.
  return { id: s.id, text: JSON.stringify(s.record), checked: JSON.stringify(s.checked.map(checkedView)), dropped: s.dropped, kept: false };
}

function park(m: Extract<ToBuilder, { t: 'park' }>): void {
  if (m.corrections) corrections = new Map(m.corrections);
  let at = 0;
  for (let i = 0; i < m.ids.length; i++) {
    const n = m.counts[i]!;
    shelf.park(m.ids[i]!, m.items.slice(at, at + n), m.build[i] ? corrections : null);
    at += n;
  }
  Atomics.add(shared, 1, m.items.length);
  Atomics.notify(shared, 1);
}

function settle(m: Extract<ToBuilder, { t: 'settle' }>): void {
  const retracted = new Map(m.retracted.map(([id, lines]) => [id, new Set(lines)]));
  let batch: WireSettled[] = [];
  for (const s of shelf.settle(new Map(m.corrections), new Map(m.open), retracted)) {
    batch.push(wire(s));
    if (batch.length >= BUILDING.settledPerMessage) {
      send({ t: 'settled', batch });
      batch = [];
    }
  }
  if (batch.length > 0) send({ t: 'settled', batch });
  const bytes = shelf.bytes;
  shelf.dispose();
  send({ t: 'end', bytes });
  port.close();
}

port.on('message', (m: ToBuilder) => {
  try {
    if (m.t === 'park') park(m);
    else settle(m);
  } catch (e) {
    shelf.dispose();
    const err = e as NodeJS.ErrnoException;
    send({ t: 'fatal', message: err.stack ?? err.message, code: typeof err.code === 'string' ? err.code : undefined, path: err.path });
    port.close();
  }
});
