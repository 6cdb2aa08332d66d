// Events on disk, for runs too big to hold: the bus hands over what it holds every so many events,
// each sink's events sorted by time (a run), and at the end each sink's runs are merged back into
// one stream in time order. Array#sort is stable and a merge that takes the earlier run on equal
// times keeps emission order across runs too, so the merged stream is exactly what sorting every
// event of the sink at once would give.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { SimEvent } from './events';

/** One event as read back: what the line model needs of it. */
export interface SpilledEvent {
  ts: number;
  pay?: number;
  forged?: number;
  about?: number;
  logged?: number;
  /** Its physical lines (several for multi-line entries). */
  lines: string[];
}

/** Where one sink's events of one run lie in the runs file. */
interface Section {
  start: number;
  end: number;
}

const HEADER = 8 + 4 * 4 + 1;
const WRITE_BUFFER = 1 << 20;

/**
 * The runs of a simulation: one file, appended to one run at a time, each run holding a section
 * per sink. Keeps only the sections' offsets in memory.
 */
export class EventRuns {
  private readonly fd: number;
  private readonly pending = Buffer.allocUnsafe(WRITE_BUFFER);
  private pendingLen = 0;
  private size = 0;
  /** Per sink, its sections in run order. */
  readonly sections = new Map<string, Section[]>();

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w+', 0o600);
  }

  private flushPending(): void {
    for (let done = 0; done < this.pendingLen; ) done += writeSync(this.fd, this.pending, done, this.pendingLen - done, this.size - this.pendingLen + done);
    this.pendingLen = 0;
  }

  private put(b: Buffer, len: number): void {
    if (this.pendingLen + len > WRITE_BUFFER) this.flushPending();
    if (len > WRITE_BUFFER) {
      this.size += len;
      for (let done = 0; done < len; ) done += writeSync(this.fd, b, done, len - done, this.size - len + done);
      return;
    }
    b.copy(this.pending, this.pendingLen, 0, len);
    this.pendingLen += len;
    this.size += len;
  }

  /** Appends one run: every sink's events, each list already sorted by time. */
  addRun(sinks: ReadonlyMap<string, readonly SimEvent[]>): void {
    const head = Buffer.allocUnsafe(HEADER);
    const len = Buffer.allocUnsafe(4);
    for (const [sink, events] of sinks) {
      if (events.length === 0) continue;
      const start = this.size;
      for (const ev of events) {
        head.writeDoubleLE(ev.ts, 0);
        head.writeInt32LE(ev.pay ?? -1, 8);
        head.writeInt32LE(ev.forged ?? -1, 12);
        head.writeInt32LE(ev.about ?? -1, 16);
        head.writeUInt32LE(ev.lineCount, 20);
        head.writeUInt8(ev.logged ?? 0, 24);
        this.put(head, HEADER);
        for (let i = 0; i < ev.lineCount; i++) {
          const text = ev.store.get(ev.ref + i);
          const b = Buffer.from(text, 'utf8');
          len.writeUInt32LE(b.length, 0);
          this.put(len, 4);
          this.put(b, b.length);
        }
      }
      let list = this.sections.get(sink);
      if (!list) this.sections.set(sink, (list = []));
      list.push({ start, end: this.size });
    }
  }

  /** The sinks that have events, sorted by name. */
  sinkNames(): string[] {
    return [...this.sections.keys()].sort();
  }

  /** The events of `sink` in time order (emission order for equal times), one per `next()`. */
  merge(sink: string): Merger {
    this.flushPending();
    return new Merger((this.sections.get(sink) ?? []).map((s, run) => new Cursor(this.fd, s, run)));
  }

  close(): void {
    closeSync(this.fd);
  }
}

const READ_BUFFER = 32 << 10;

/** Reads one section's events in order, a block at a time. */
class Cursor {
  private buf = Buffer.allocUnsafe(READ_BUFFER);
  private bufStart = 0;
  private bufLen = 0;
  private pos: number;
  ev: SpilledEvent | null = null;

  constructor(
    private readonly fd: number,
    private readonly section: Section,
    readonly run: number,
  ) {
    this.pos = section.start;
  }

  /** Makes sure bytes [pos, pos + n) are in the buffer. */
  private need(n: number): void {
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.bufLen) return;
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    const want = Math.min(this.buf.length, this.section.end - this.pos);
    let got = 0;
    while (got < want) {
      const r = readSync(this.fd, this.buf, got, want - got, this.pos + got);
      if (r === 0) break;
      got += r;
    }
    if (got < n) throw new Error('event runs file ends early');
    this.bufStart = this.pos;
    this.bufLen = got;
  }

  next(): boolean {
    if (this.pos >= this.section.end) {
      this.ev = null;
      return false;
    }
    this.need(HEADER);
    let o = this.pos - this.bufStart;
    const b = this.buf;
    const ev: SpilledEvent = { ts: b.readDoubleLE(o), lines: [] };
    const pay = b.readInt32LE(o + 8);
    const forged = b.readInt32LE(o + 12);
    const about = b.readInt32LE(o + 16);
    const count = b.readUInt32LE(o + 20);
    const logged = b.readUInt8(o + 24);
    if (pay >= 0) ev.pay = pay;
    if (forged >= 0) ev.forged = forged;
    if (about >= 0) {
      ev.about = about;
      ev.logged = logged;
    }
    this.pos += HEADER;
    for (let i = 0; i < count; i++) {
      this.need(4);
      o = this.pos - this.bufStart;
      const len = this.buf.readUInt32LE(o);
      this.pos += 4;
      this.need(len);
      o = this.pos - this.bufStart;
      ev.lines.push(this.buf.toString('utf8', o, o + len));
      this.pos += len;
    }
    this.ev = ev;
    return true;
  }
}

/** A k-way merge of one sink's runs: a heap of cursors, the earliest event (then the earliest run) on top. */
export class Merger {
  private readonly heap: Cursor[] = [];

  constructor(cursors: Cursor[]) {
    for (const c of cursors) if (c.next()) heapPush(this.heap, c);
  }

  next(): SpilledEvent | null {
    const h = this.heap;
    if (h.length === 0) return null;
    const c = h[0]!;
    const ev = c.ev!;
    if (c.next()) heapSiftDown(h, 0);
    else {
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        heapSiftDown(h, 0);
      }
    }
    return ev;
  }
}

function before(a: Cursor, b: Cursor): boolean {
  return a.ev!.ts < b.ev!.ts || (a.ev!.ts === b.ev!.ts && a.run < b.run);
}

function heapPush(h: Cursor[], c: Cursor): void {
  h.push(c);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(h[i]!, h[p]!)) break;
    [h[i], h[p]] = [h[p]!, h[i]!];
    i = p;
  }
}

function heapSiftDown(h: Cursor[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < h.length && before(h[l]!, h[m]!)) m = l;
    if (r < h.length && before(h[r]!, h[m]!)) m = r;
    if (m === i) return;
    [h[i], h[m]] = [h[m]!, h[i]!];
    i = m;
  }
}
