// `salvage simulate`: one deterministic run of a simulated 发卡网 shop, from traffic to damaged logs to truth.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildBuyerPool } from './buyers';
import { recordClockSkew } from './damage/clock-skew';
import { applyCopytruncate } from './damage/copytruncate';
import { planForgedCallbacks } from './damage/forged';
import { applyGbk } from './damage/gbk';
import { corruptGz, duplicateFile, truncateGz } from './damage/gz';
import { applyCutLines, applyGarbage } from './damage/lines';
import { DamageLog } from './damage/log';
import { applyMissingHours } from './damage/missing-hours';
import { makeDamagePlan } from './damage/plan';
import { assembleFiles, type OutFile } from './files';
import { EPUSDT_MAX_RETRY, RETRY_DELAYS_S } from './gateways/retry';
import { simulateNoise } from './noise';
import type { SimulateOptions } from './options';
import { simulateAcgFaka } from './platforms/acgfaka';
import { emitBalanceChanges } from './platforms/balance';
import { simulateDujiaoka } from './platforms/dujiaoka';
import type { SimContext } from './platforms/order';
import { Rng } from './prng';
import { readBack, type Readback } from './readback';
import { serializeFiles } from './serialize';
import { simulateStreaming } from './stream';
import { MemoryTextStore, SpillTextStore, type TextStore } from './text-store';
import { TZ_NAME } from './time';
import { sampleInstant } from './traffic';
import { acgRow, buildTruth, dujiaokaRow, type TruthResult } from './truth';
import { APP_SINK, buildWorld, HOSTS, keysJson, PROXY_IP, SITE, type World } from './world';

export interface SimulatedFile {
  path: string;
  bytes: number;
  lines: number;
}

export interface SimulationResult {
  out: string;
  files: SimulatedFile[];
  totalLines: number;
  orders: number;
  paid: number;
  recoverable: number;
  byStatus: Record<string, number>;
  damageActions: number;
}

/** Everything a run produces, before it is written (tests use this directly). */
export interface SimulationModel {
  world: World;
  ctx: SimContext;
  files: OutFile[];
  readbacks: Readback[];
  truth: TruthResult;
}

/**
 * Where a run keeps what it has made: the generated text (in memory unless a spill store is given)
 * and the log files (as `bytes` in memory, or, given `dir`, written under it as they are made).
 */
export interface RunStorage {
  store?: TextStore;
  dir?: string;
}

/** Runs the simulation. Pure given the options: same options, same model, same bytes. */
export function runSimulation(opts: SimulateOptions, phase: (name: string) => void = () => {}, storage: RunStorage = {}): SimulationModel {
  const store = storage.store ?? new MemoryTextStore();
  const dir = storage.dir ?? null;
  const root = Rng.root(opts.seed);
  const endMs = opts.startMs + opts.days * 86_400_000;
  const plan = makeDamagePlan(opts.damage, root.fork('damage-plan'), {
    startMs: opts.startMs,
    endMs,
    orders: opts.orders,
    hosts: HOSTS.length,
    appSink: opts.platform === 'dujiaoka' ? APP_SINK : null,
  });
  const skew = HOSTS.map((_, i) => (plan.skew && plan.skew.host === i ? plan.skew.ms : 0));
  const w = buildWorld(opts, skew, store);
  const stock = new Map<number, number>();
  for (const g of w.catalogue) if (Number.isFinite(g.stock)) stock.set(g.id, g.stock);
  const ctx: SimContext = { w, orders: [], balances: [], stock };

  const tr = w.rng.fork('created');
  const times: number[] = [];
  for (let i = 0; i < opts.orders; i++) times.push(sampleInstant(tr, w, w.dayFactor));
  times.sort((a, b) => a - b);
  const pool = buildBuyerPool(w.rng.fork('buyers'), opts.orders, HOSTS.length);
  if (opts.platform === 'dujiaoka') simulateDujiaoka(ctx, times, pool);
  else simulateAcgFaka(ctx, times, pool);
  phase('orders');

  const log = new DamageLog();
  const forged = plan.forgedCallbacks > 0 ? planForgedCallbacks(ctx, plan.forgedCallbacks, w.rng.fork('forged'), log) : [];
  emitBalanceChanges(ctx);
  simulateNoise(w);
  phase('noise');
  w.bus.sortAll();
  phase('sort');

  applyMissingHours(w.bus, plan.missing, log);
  const files = assembleFiles(w, opts.logging === 'operator');
  // every event is now a line of some file: the bus's own lists would only hold a copy of the order
  w.bus.sinks.clear();
  if (plan.skew) recordClockSkew(files, HOSTS[plan.skew.host]!, plan.skew.ms, log);
  const dr = w.rng.fork('damage');
  applyCopytruncate(files, plan.copytruncate, dr.fork('copytruncate'), log);
  applyCutLines(files, plan.cutLines, dr.fork('cut'), log);
  applyGarbage(files, plan.garbageLines, dr.fork('garbage'), log);
  if (plan.gbk) applyGbk(files, dr.fork('gbk'), log);
  phase('line damage');
  serializeFiles(files, dir);
  phase('serialize+gzip');

  // Byte damage works on one file at a time: a written file is read back for it, and written again.
  const bytesOf = (f: OutFile): Buffer => f.bytes ?? readFileSync(join(dir!, f.path));
  const loaded = (f: OutFile): OutFile => {
    f.bytes = bytesOf(f);
    return f;
  };
  const gzr = dr.fork('gz');
  const targets = gzr.shuffle(files.filter((f) => f.gzip && f.lines.length > 0));
  let k = 0;
  const severe = opts.damage === 'severe';
  for (let i = 0; i < plan.truncatedGz && k < targets.length; i++, k++) truncateGz(loaded(targets[k]!), severe ? 0.3 : 0.55, severe ? 0.7 : 0.92, gzr, log);
  for (let i = 0; i < plan.corruptedGz && k < targets.length; i++, k++) corruptGz(loaded(targets[k]!), gzr, log);
  for (let i = 0; i < plan.duplicateFiles; i++) duplicateFile(files, gzr, log, bytesOf);

  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const readbacks = files.map(readBack);
  if (dir !== null) {
    for (const f of files) {
      if (!f.bytes) continue;
      writeOut(dir, f.path, f.bytes);
      delete f.bytes;
      delete f.intactBytes;
    }
  }
  phase('byte damage+readback');
  const truth = buildTruth(opts.platform, opts.damage, ctx.orders, readbacks, log, forged, opts.vocabulary !== null);
  phase('truth');
  return { world: w, ctx, files, readbacks, truth };
}

function ndjson(rows: readonly unknown[]): Buffer {
  const parts: Buffer[] = [];
  let acc = '';
  for (const r of rows) {
    acc += `${JSON.stringify(r)}\n`;
    if (acc.length > 4 << 20) {
      parts.push(Buffer.from(acc, 'utf8'));
      acc = '';
    }
  }
  parts.push(Buffer.from(acc, 'utf8'));
  return Buffer.concat(parts);
}

/** recoverable.ndjson, built as text: each row's JSON with its `lines` spliced in at the end. */
export function recoverableNdjson(t: TruthResult): Buffer {
  const filePrefix = t.files.map((f) => `{"file":${JSON.stringify(f)},"line":`);
  const parts: Buffer[] = [];
  let acc = '';
  t.rows.forEach((row, i) => {
    const head = JSON.stringify(row);
    const flat = t.lineRefs[i]!;
    let lines = '';
    for (let k = 0; k < flat.length; k += 2) lines += `${k === 0 ? '' : ','}${filePrefix[flat[k]!]}${flat[k + 1]}}`;
    acc += `${head.slice(0, -1)},"lines":[${lines}]}\n`;
    if (acc.length > 4 << 20) {
      parts.push(Buffer.from(acc, 'utf8'));
      acc = '';
    }
  });
  parts.push(Buffer.from(acc, 'utf8'));
  return Buffer.concat(parts);
}

/** What meta.json says of one written log file. */
export interface MetaFile {
  path: string;
  sink: string;
  gzip: boolean;
  encoding: 'utf8' | 'gbk';
  bytes: number;
  lines: number;
}

export function metaJson(m: SimulationModel): Record<string, unknown> {
  const { readbacks, truth } = m;
  const files = readbacks.map((rb) => ({ path: rb.file.path, sink: rb.file.sink, gzip: rb.file.gzip, encoding: rb.file.encoding, bytes: rb.file.size!, lines: rb.count }));
  return metaJsonOf(m.world, files, { orders: m.ctx.orders.length, paid: truth.stats.paid, recoverable: truth.stats.recoverable, byStatus: truth.stats.byStatus });
}

export function metaJsonOf(
  w: World,
  metaFiles: readonly MetaFile[],
  counts: { orders: number; paid: number; recoverable: number; byStatus: Record<string, number> },
): Record<string, unknown> {
  const o = w.opts;
  const pays: Record<string, unknown> = {};
  for (const p of w.pays) {
    pays[String(p.id)] = {
      channel: p.channel,
      pay_check: p.payCheck,
      handleroute: p.handleroute,
      name: p.name,
      gateway: p.gateway,
      method: p.method,
      merchant_id: p.merchantId,
    };
  }
  return {
    platform: o.platform,
    tz: TZ_NAME,
    seed: o.seed,
    orders: o.orders,
    days: o.days,
    start: o.start,
    damage: o.damage,
    logging: o.logging,
    ...(o.vocabulary === null ? {} : { vocabulary: o.vocabulary }),
    pays,
    site: SITE,
    proxy_ip: PROXY_IP,
    hosts: HOSTS.map((h, i) => ({ name: h, clock_offset_seconds: (w.hostSkewMs[i] ?? 0) / 1000 })),
    app_env: w.env,
    order_expire_minutes: w.orderExpireMin,
    gateways: {
      retry_delays_s: RETRY_DELAYS_S,
      epusdt_max_retry: EPUSDT_MAX_RETRY,
      wechat_v2_sign_type: w.merchants.wechat.v2SignType,
      cny_per_usdt: w.merchants.epusdt.cnyPerUsdt,
    },
    files: metaFiles.map((f) => ({
      path: f.path,
      kind: f.sink.startsWith('nginx/') ? 'nginx' : 'app',
      source: f.sink,
      gzip: f.gzip,
      encoding: f.encoding,
      bytes: f.bytes,
      lines: f.lines,
    })),
    counts: { orders: counts.orders, paid: counts.paid, recoverable: counts.recoverable, by_status: counts.byStatus },
  };
}

function writeOut(dir: string, path: string, bytes: Buffer): void {
  const target = join(dir, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, bytes);
}

/**
 * Runs the simulation and writes `<out>/logs`, `<out>/keys.json` and `<out>/truth/`. A run without
 * damage streams (stream.ts): its memory does not grow with its size. A damaged run is built whole
 * (runSimulation), because where damage lands is drawn over whole files.
 */
export async function simulate(opts: SimulateOptions, phase: (name: string) => void = () => {}): Promise<SimulationResult> {
  const out = opts.out;
  for (const p of ['logs', 'truth', 'keys.json']) rmSync(join(out, p), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  if (opts.damage === 'none') return simulateStreaming(opts, phase);
  return simulateWhole(opts, phase);
}

/** The whole-run path, for any damage profile (tests compare the streaming path with it). */
export function simulateWhole(opts: SimulateOptions, phase: (name: string) => void = () => {}): SimulationResult {
  const out = opts.out;
  mkdirSync(out, { recursive: true });
  // the generated text waits here until it is written (text-store.ts); the name is not one simulate writes
  const store = new SpillTextStore(join(out, `.simulate-spill-${process.pid}`));
  let m: SimulationModel;
  try {
    m = runSimulation(opts, phase, { store, dir: out });
  } finally {
    store.close();
  }
  const files: SimulatedFile[] = [];
  let totalLines = 0;
  for (const rb of m.readbacks) {
    files.push({ path: rb.file.path, bytes: rb.file.size!, lines: rb.count });
    totalLines += rb.count;
  }
  writeFileSync(join(out, 'keys.json'), `${JSON.stringify(keysJson(m.world), null, 2)}\n`);
  mkdirSync(join(out, 'truth'), { recursive: true });
  const rows = m.ctx.orders.map(opts.platform === 'dujiaoka' ? dujiaokaRow : acgRow);
  writeFileSync(join(out, 'truth', 'orders.ndjson'), ndjson(rows));
  writeFileSync(join(out, 'truth', 'recoverable.ndjson'), recoverableNdjson(m.truth));
  writeFileSync(join(out, 'truth', 'meta.json'), `${JSON.stringify(metaJson(m), null, 2)}\n`);
  writeFileSync(join(out, 'truth', 'damage.json'), `${JSON.stringify(m.truth.damage, null, 2)}\n`);
  phase('write');
  return {
    out,
    files,
    totalLines,
    orders: m.ctx.orders.length,
    paid: m.truth.stats.paid,
    recoverable: m.truth.stats.recoverable,
    byStatus: m.truth.stats.byStatus,
    damageActions: m.truth.damage.actions.length,
  };
}
