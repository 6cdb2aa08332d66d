// `salvage simulate` for a run without damage, in bounded memory: orders are written out as they are
// simulated, events wait on disk in sorted runs (event-runs.ts), each log file is written (and
// gzipped) as its sink's runs are merged, the truth is read off the lines as they go by, and
// recoverable.ndjson is put together from order-sized buckets at the end. The bytes are those of
// the in-memory path (runSimulation), which the tests hold it to.
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createGzip } from 'node:zlib';
import { buildBuyerPool } from './buyers';
import { makeDamagePlan } from './damage/plan';
import { EventRuns } from './event-runs';
import { nginxFileName } from './files';
import { fenToYuan } from './money';
import type { SimulateOptions } from './options';
import { simulateAcgFaka } from './platforms/acgfaka';
import { emitBalanceChanges } from './platforms/balance';
import { simulateDujiaoka } from './platforms/dujiaoka';
import type { OrderRec, SimContext } from './platforms/order';
import { Rng } from './prng';
import type { MetaFile, SimulationResult } from './simulate';
import { metaJsonOf } from './simulate';
import { simulateNoise } from './noise';
import { MemoryTextStore } from './text-store';
import { isoLocal, localDayIndex, localDayStartMs, ymd } from './time';
import { sampleInstant } from './traffic';
import { acgRow, dujiaokaRow, normalisedStatus, scanOrderIds } from './truth';
import { LOGGED_EMAIL, LOGGED_GOODS } from './vocabulary/render';
import { buildWorld as buildWorldWith, HOSTS, keysJson, type World } from './world';

/** Events held in memory before they go to disk as a run (about 300 bytes each with their text): a
 *  10M-line run makes a few hundred runs, and merging them holds a read buffer for each. */
const RUN_EVENTS = 40_000;
/** recoverable.ndjson is put together this many orders at a time. */
const BUCKET_ORDERS = 1 << 14;
const CHUNK_CHARS = 1 << 20;

/** Text appended to a file in large writes. */
class TextFile {
  private readonly fd: number;
  private acc = '';
  bytes = 0;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }

  write(s: string): void {
    this.acc += s;
    if (this.acc.length >= CHUNK_CHARS) this.flush();
  }

  private flush(): void {
    if (this.acc === '') return;
    const b = Buffer.from(this.acc, 'utf8');
    for (let done = 0; done < b.length; ) done += writeSync(this.fd, b, done, b.length - done);
    this.bytes += b.length;
    this.acc = '';
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** A log file being written: plain, or gzip (level 6, no name, mtime 0, as zlib.gzipSync writes it). */
class LogWriter {
  private readonly fd: number;
  private readonly gz: ReturnType<typeof createGzip> | null;
  private acc = '';
  size = 0;
  lines = 0;

  constructor(
    dir: string,
    readonly path: string,
    readonly sink: string,
    gzip: boolean,
  ) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    this.fd = openSync(target, 'w');
    this.gz = gzip ? createGzip({ level: 6 }) : null;
    this.gz?.on('data', (b: Buffer) => this.put(b));
  }

  private put(b: Buffer): void {
    for (let done = 0; done < b.length; ) done += writeSync(this.fd, b, done, b.length - done);
    this.size += b.length;
  }

  /** Adds a line; returns a promise only when the gzip stream wants the caller to wait. */
  line(text: string): Promise<void> | null {
    this.lines++;
    this.acc += `${text}\n`;
    return this.acc.length >= CHUNK_CHARS ? this.flush() : null;
  }

  private flush(): Promise<void> | null {
    if (this.acc === '') return null;
    const b = Buffer.from(this.acc, 'utf8');
    this.acc = '';
    if (this.gz === null) {
      this.put(b);
      return null;
    }
    return this.gz.write(b) ? null : once(this.gz, 'drain').then(() => {});
  }

  async close(): Promise<MetaFile> {
    await this.flush();
    if (this.gz !== null) {
      const ended = once(this.gz, 'end');
      this.gz.end();
      await ended;
    }
    closeSync(this.fd);
    return { path: this.path, sink: this.sink, gzip: this.gz !== null, encoding: 'utf8', bytes: this.size, lines: this.lines };
  }
}

/** Fixed-size records appended to a file through a buffer. */
class RecordFile {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(64 << 10);
  private len = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o600);
  }

  add3(a: number, b: number, c: number): void {
    if (this.len + 12 > this.buf.length) this.flush();
    this.buf.writeUInt32LE(a, this.len);
    this.buf.writeUInt32LE(b, this.len + 4);
    this.buf.writeUInt32LE(c, this.len + 8);
    this.len += 12;
  }

  private flush(): void {
    for (let done = 0; done < this.len; ) done += writeSync(this.fd, this.buf, done, this.len - done);
    this.len = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Reads a file's `\n`-ended lines in order, a block at a time. */
class LineReader {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  private rest = '';
  private lines: string[] = [];
  private at = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }

  next(): string | null {
    while (this.at >= this.lines.length) {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, this.pos);
      if (n === 0) return null;
      this.pos += n;
      const parts = (this.rest + this.buf.toString('utf8', 0, n)).split('\n');
      this.rest = parts.pop()!;
      this.lines = parts;
      this.at = 0;
    }
    return this.lines[this.at++]!;
  }

  close(): void {
    closeSync(this.fd);
  }
}

const LOGGED_NAMES: readonly (readonly [number, string])[] = [
  [LOGGED_EMAIL, 'buyer_email'],
  [LOGGED_GOODS, 'goods_id'],
];

/** Runs a simulation without damage (`--damage none`) and writes it to `opts.out`, holding no more than a run of events. */
export async function simulateStreaming(opts: SimulateOptions, phase: (name: string) => void = () => {}, runEvents = RUN_EVENTS): Promise<SimulationResult> {
  if (opts.damage !== 'none') throw new Error('simulateStreaming writes runs without damage only');
  const out = opts.out;
  const spill = join(out, `.simulate-spill-${process.pid}`);
  mkdirSync(spill, { recursive: true });
  const runs = new EventRuns(join(spill, 'events'));
  try {
    return await streamRun(opts, out, spill, runs, runEvents, phase);
  } finally {
    runs.close();
    rmSync(spill, { recursive: true, force: true });
  }
}

async function streamRun(opts: SimulateOptions, out: string, spill: string, runs: EventRuns, runEvents: number, phase: (name: string) => void): Promise<SimulationResult> {
  const root = Rng.root(opts.seed);
  const endMs = opts.startMs + opts.days * 86_400_000;
  // drawn as the in-memory path draws it; with no damage it plans nothing
  makeDamagePlan(opts.damage, root.fork('damage-plan'), { startMs: opts.startMs, endMs, orders: opts.orders, hosts: HOSTS.length, appSink: null });
  const w: World = buildWorld(opts, runs, runEvents);
  const stock = new Map<number, number>();
  for (const g of w.catalogue) if (Number.isFinite(g.stock)) stock.set(g.id, g.stock);

  // each order as it is done: its orders.ndjson row, and its recoverable.ndjson row but for what the logs decide
  mkdirSync(join(out, 'truth'), { recursive: true });
  const ordersFile = new TextFile(join(out, 'truth', 'orders.ndjson'));
  const heads = new TextFile(join(spill, 'recoverable-heads'));
  const byId = new Map<string, number>();
  const paidOrder = new Uint8Array(opts.orders);
  const byStatus: Record<string, number> = {};
  let orderCount = 0;
  let paid = 0;
  const toRow = opts.platform === 'dujiaoka' ? dujiaokaRow : acgRow;
  const onOrder = (o: OrderRec): void => {
    orderCount++;
    ordersFile.write(`${JSON.stringify(toRow(o))}\n`);
    const status = normalisedStatus(opts.platform, o);
    o.norm = status;
    const isPaid = o.paidMs !== null;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (isPaid) {
      paid++;
      paidOrder[o.idx] = 1;
    }
    heads.write(
      `${JSON.stringify({
        order_id: o.orderId,
        status,
        paid: isPaid,
        amount: fenToYuan(o.actualFen),
        currency: 'CNY',
        channel: o.pay.channel,
        created_at: isoLocal(o.createdMs),
        paid_at: o.paidMs !== null ? isoLocal(o.paidMs) : null,
        buyer_email: opts.platform === 'dujiaoka' ? o.buyer.email : o.buyer.contact || null,
        goods_id: String(o.goods.id),
        trade_no: isPaid && o.txn ? o.txn.tradeNo : null,
      })}\n`,
    );
  };
  const ctx: SimContext = { w, orders: [], balances: [], stock, onOrder, ids: byId };

  const tr = w.rng.fork('created');
  const times: number[] = [];
  for (let i = 0; i < opts.orders; i++) times.push(sampleInstant(tr, w, w.dayFactor));
  times.sort((a, b) => a - b);
  const pool = buildBuyerPool(w.rng.fork('buyers'), opts.orders, HOSTS.length);
  if (opts.platform === 'dujiaoka') simulateDujiaoka(ctx, times, pool);
  else simulateAcgFaka(ctx, times, pool);
  ordersFile.close();
  heads.close();
  phase('orders');
  emitBalanceChanges(ctx);
  ctx.balances.length = 0;
  simulateNoise(w);
  w.bus.handOver();
  phase('noise');

  // the log files, sink by sink; the truth read off their lines on the way
  const withLogged = opts.vocabulary !== null;
  const shown = new Uint8Array(opts.orders);
  const logged = new Uint8Array(withLogged ? opts.orders : 0);
  const buckets: (RecordFile | undefined)[] = [];
  const mention = (order: number, file: number, line: number): void => {
    const k = Math.floor(order / BUCKET_ORDERS);
    (buckets[k] ??= new RecordFile(join(spill, `mentions-${k}`))).add3(order, file, line);
  };
  const written: MetaFile[] = [];
  let inLine: number[] = [];
  let fileId = 0;
  let lineNo = 0;
  const onId = (id: string): void => {
    const idx = byId.get(id);
    if (idx === undefined || inLine.includes(idx)) return;
    inLine.push(idx);
    mention(idx, fileId, lineNo);
  };
  let file: LogWriter | null = null;
  const open = (path: string, sink: string, gzip: boolean): void => {
    fileId = written.length;
    file = new LogWriter(out, path, sink, gzip);
  };
  const close = async (): Promise<void> => {
    if (file === null) return;
    written.push(await file.close());
    file = null;
  };
  /** Writes a line and reads the truth off it; a promise only when the gzip stream asks to wait. */
  const lineOut = (text: string): Promise<void> | null => {
    const f = file!;
    lineNo = f.lines + 1;
    inLine = [];
    scanOrderIds(opts.platform, text, onId);
    return f.line(text);
  };

  for (const sink of runs.sinkNames()) {
    const merged = runs.merge(sink);
    const nginx = sink.startsWith('nginx/');
    const daily = sink === 'app/laravel' && opts.logging === 'operator';
    const skew = nginx ? (w.hostSkewMs[w.hosts.indexOf(sink.slice('nginx/'.length))] ?? 0) : 0;
    const lastDay = localDayIndex(w.endMs - 1 + skew);
    let day = nginx ? localDayIndex(w.startMs + skew) : Number.NaN;
    const openDay = (d: number): void => {
      if (nginx) open(nginxFileName(sink.slice('nginx/'.length), d === lastDay ? null : d), sink, d !== lastDay);
      else open(`logs/app/laravel-${ymd(localDayStartMs(d))}.log`, sink, false);
    };
    if (nginx) openDay(day);
    else if (!daily) open(sink === 'app/laravel' ? 'logs/app/laravel.log' : `logs/${sink}`, sink, false);
    for (let ev = merged.next(); ev !== null; ev = merged.next()) {
      if (nginx || daily) {
        const d = localDayIndex(ev.ts + skew);
        if (daily && d !== day) {
          await close();
          day = d;
          openDay(d);
        }
        while (nginx && day < d) {
          await close();
          openDay(++day);
        }
      }
      // only the first line of an entry carries its marks; with no damage every entry is whole
      if (ev.pay !== undefined && ev.forged === undefined) shown[ev.pay] = 1;
      if (withLogged && ev.about !== undefined && ev.logged && ev.forged === undefined) logged[ev.about]! |= ev.logged;
      for (const text of ev.lines) {
        const wait = lineOut(text);
        if (wait !== null) await wait;
      }
    }
    while (nginx && day < lastDay) {
      await close();
      openDay(++day);
    }
    await close();
  }
  phase('logs');

  // files in path order, as the truth numbers them
  const order = written.map((_, i) => i).sort((a, b) => (written[a]!.path < written[b]!.path ? -1 : written[a]!.path > written[b]!.path ? 1 : 0));
  const finalIdx = new Uint32Array(written.length);
  order.forEach((from, to) => (finalIdx[from] = to));
  const files = order.map((i) => written[i]!);
  for (const b of buckets) b?.close();

  let recoverable = 0;
  const rec = new TextFile(join(out, 'truth', 'recoverable.ndjson'));
  const headReader = new LineReader(join(spill, 'recoverable-heads'));
  const filePrefix = files.map((f) => `{"file":${JSON.stringify(f.path)},"line":`);
  for (let k = 0; k * BUCKET_ORDERS < orderCount; k++) {
    const from = k * BUCKET_ORDERS;
    const to = Math.min(orderCount, from + BUCKET_ORDERS);
    const lists = bucketMentions(buckets[k]?.path ?? null, from, to, finalIdx);
    for (let i = from; i < to; i++) {
      const head = headReader.next()!;
      const r = paidOrder[i] === 1 && shown[i] === 1;
      if (r) recoverable++;
      let tail = `,"recoverable":${r}`;
      if (withLogged) tail += `,"logged":${JSON.stringify(LOGGED_NAMES.filter(([bit]) => (logged[i]! & bit) !== 0).map(([, name]) => name))}`;
      const flat = lists[i - from]!;
      let lines = '';
      for (let q = 0; q < flat.length; q += 2) lines += `${q === 0 ? '' : ','}${filePrefix[flat[q]!]}${flat[q + 1]}}`;
      rec.write(`${head.slice(0, -1)}${tail},"lines":[${lines}]}\n`);
    }
  }
  headReader.close();
  rec.close();

  writeFileSync(join(out, 'keys.json'), `${JSON.stringify(keysJson(w), null, 2)}\n`);
  const counts = { orders: orderCount, paid, recoverable, byStatus };
  writeFileSync(join(out, 'truth', 'meta.json'), `${JSON.stringify(metaJsonOf(w, files, counts), null, 2)}\n`);
  writeFileSync(join(out, 'truth', 'damage.json'), `${JSON.stringify({ profile: opts.damage, actions: [] }, null, 2)}\n`);
  phase('truth');
  return {
    out,
    files: files.map((f) => ({ path: f.path, bytes: f.bytes, lines: f.lines })),
    totalLines: files.reduce((s, f) => s + f.lines, 0),
    orders: orderCount,
    paid,
    recoverable,
    byStatus,
    damageActions: 0,
  };
}

function buildWorld(opts: SimulateOptions, runs: EventRuns, every: number): World {
  return buildWorldWith(opts, HOSTS.map(() => 0), new MemoryTextStore(), { every, addRun: (s) => runs.addRun(s) });
}

/**
 * One bucket's mentions, per order: [file, line, file, line, …] in file then line order, files
 * numbered in path order (what the in-memory truth collects by reading the files in that order).
 */
function bucketMentions(path: string | null, from: number, to: number, finalIdx: Uint32Array): number[][] {
  const lists: number[][] = [];
  for (let i = from; i < to; i++) lists.push([]);
  if (path === null) return lists;
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(12 * 8192);
  try {
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      const whole = n - (n % 12);
      if (whole === 0) break;
      pos += whole;
      for (let o = 0; o < whole; o += 12) lists[buf.readUInt32LE(o) - from]!.push(finalIdx[buf.readUInt32LE(o + 4)]!, buf.readUInt32LE(o + 8));
    }
  } finally {
    closeSync(fd);
  }
  for (const flat of lists) {
    if (flat.length <= 2) continue;
    const pairs: [number, number][] = [];
    for (let q = 0; q < flat.length; q += 2) pairs.push([flat[q]!, flat[q + 1]!]);
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    flat.length = 0;
    for (const [f, l] of pairs) flat.push(f, l);
  }
  return lists;
}
