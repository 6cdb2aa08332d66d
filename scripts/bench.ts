// npm run bench: how fast and how lean is `salvage reconstruct`, measured against
// `zcat -f | wc -l` on the same files in the same run. A benchmark, not a test: nothing here
// passes or fails, it prints what it measured. The corpora are built once and cached under
// bench-out/ (never inside the real data it copies from):
//
//   shop      `salvage simulate` 40,000 orders over 3 days (~1.26 M lines), as written and gzipped
//   realdata  Elastic's public nginx_logs sample ×20: 20 rotated files (access.log, access.log.1,
//             access.log.2.gz … access.log.19.gz), each copy moved 21 days later than the one
//             before, since byte-identical copies would be read once (README "Copies are read once")
//   1m        a simulated shop of ~1 M lines (32,000 orders over 3 days)
//   10m       ~10 M lines: one simulated shop of 320,000 orders over 24 days (the traffic of the
//             eight 40,000-order, 3-day shops this corpus used to be stitched from), written by
//             one simulate run that streams (src/simulate/stream.ts) in the default heap
//
//   sharded   the shop corpus (plain) as one process, then as a sharded run (issue 14): 2 extract
//             shards side by side, 2 correlate partitions side by side, finish, each a separate
//             process against the node at BENCH_ES_URL (or SALVAGE_TEST_ES_URL; skipped without);
//             per stage wall, CPU and peak RSS, and whether the outputs are byte-identical
//
// BENCH_ONLY=realdata,10m picks parts (default: all); BENCH_RUNS (3) repeats the small corpora,
// BENCH_RUNS_10M (1) the 10 M one; BENCH_REALDATA points at shared/realdata; SALVAGE_MAX_HEAP_MB
// is passed to salvage as usual.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { filesUnder } from './files-under';
import { pipeline } from 'node:stream/promises';
import { gzipSync, createGzip } from 'node:zlib';

const root = resolve(__dirname, '..', '..');
const bin = join(root, 'bin', 'salvage.js');
const out = join(root, 'bench-out');
const orders = Number(process.env.BENCH_ORDERS ?? 40000);
const days = Number(process.env.BENCH_DAYS ?? 3);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const runs10m = Number(process.env.BENCH_RUNS_10M ?? 1);
const realdata = resolve(process.env.BENCH_REALDATA ?? join(root, '..', 'shared', 'realdata'));

const PARTS = ['shop', 'realdata', '1m', '10m', 'sharded'] as const;
type Part = (typeof PARTS)[number];

/** One row of the table: files read together by one `reconstruct`. */
interface Corpus {
  label: string;
  inputs: string[];
  keys?: string;
  runs: number;
}

interface Row {
  corpus: Corpus;
  files: number;
  bytes: number;
  lines: number;
  zcatSecs: number;
  zcatCpu: number;
  secs: number;
  cpu: number;
  /** The 1-minute load average when salvage's runs began: how shared the machine was. */
  load: number;
  rssMb: number;
  exit: number;
}

function log(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

/** Built into a temporary folder and renamed, so an interrupted build is never taken as cached. */
async function cached(dir: string, build: (tmp: string) => Promise<void> | void): Promise<string> {
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await build(tmp);
  renameSync(tmp, dir);
  return dir;
}

function simulate(dir: string, args: string[]): void {
  execFileSync(process.execPath, [bin, 'simulate', '--out', dir, '--damage', 'none', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function gzipTree(src: string, dst: string): Promise<void> {
  for (const f of filesUnder(src)) {
    const target = join(dst, relative(src, f)) + (f.endsWith('.gz') ? '' : '.gz');
    mkdirSync(dirname(target), { recursive: true });
    if (f.endsWith('.gz')) await pipeline(createReadStream(f), createWriteStream(target));
    else await pipeline(createReadStream(f), createGzip({ level: 6 }), createWriteStream(target));
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CLF_TIME = /\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]/;

/** The line with its `[dd/Mon/yyyy:HH:MM:SS zone]` moved by `days` (the zone kept as written). */
function shiftClfTime(line: string, days: number): string {
  return line.replace(CLF_TIME, (all, d: string, mon: string, y: string, hh: string, mm: string, ss: string, zone: string) => {
    const m = MONTHS.indexOf(mon);
    if (m < 0) return all;
    const t = new Date(Date.UTC(Number(y), m, Number(d), Number(hh), Number(mm), Number(ss)) + days * 86_400_000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `[${p(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())} ${zone}]`;
  });
}

const REALDATA_COPIES = 20;
const REALDATA_SHIFT_DAYS = 21; // the sample spans 17 May – 4 Jun 2015

async function realdataCorpus(): Promise<Corpus | string> {
  const sample = join(realdata, 'elastic-examples', 'nginx_logs');
  if (!existsSync(sample)) return `Elastic's nginx_logs not found at ${sample} (set BENCH_REALDATA) / 未找到样本`;
  const dir = await cached(join(out, `realdata-nginx-x${REALDATA_COPIES}`), (tmp) => {
    log(`writing Elastic's nginx_logs ${REALDATA_COPIES} times as rotated files…`);
    const lines = readFileSync(sample, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    // Copy 0 is the oldest, so it is the file rotated furthest: access.log.19.gz; logrotate's
    // delaycompress leaves the newest rotation (access.log.1) plain, as the live access.log.
    for (let copy = 0; copy < REALDATA_COPIES; copy++) {
      const age = REALDATA_COPIES - 1 - copy;
      const text = lines.map((l) => shiftClfTime(l, copy * REALDATA_SHIFT_DAYS)).join('\n') + '\n';
      const name = age === 0 ? 'access.log' : `access.log.${age}`;
      if (age <= 1) writeFileSync(join(tmp, name), text);
      else writeFileSync(join(tmp, `${name}.gz`), gzipSync(text, { level: 6 }));
    }
  });
  return { label: `realdata ×${REALDATA_COPIES}`, inputs: [dir], runs };
}

async function shopCorpora(): Promise<Corpus[]> {
  const corpus = await cached(join(out, `shop-${orders}x${days}`), (tmp) => {
    log(`simulating ${orders} orders over ${days} days…`);
    simulate(tmp, ['--orders', String(orders), '--days', String(days), '--seed', '1']);
  });
  const plain = join(corpus, 'logs');
  const gz = await cached(join(out, `shop-${orders}x${days}-gz`), async (tmp) => {
    log('gzipping a copy of the corpus…');
    await gzipTree(plain, tmp);
  });
  const keys = join(corpus, 'keys.json');
  return [
    { label: `shop ${orders / 1000}k×${days}d`, inputs: [plain], keys, runs },
    { label: `shop ${orders / 1000}k×${days}d gz`, inputs: [gz], keys, runs },
  ];
}

async function oneMillion(): Promise<Corpus> {
  const dir = await cached(join(out, 'shop-1m'), (tmp) => {
    log('simulating a shop of about 1 M lines (32,000 orders over 3 days)…');
    simulate(tmp, ['--orders', '32000', '--days', '3', '--seed', '1m']);
  });
  return { label: '1M lines (sim)', inputs: [join(dir, 'logs')], keys: join(dir, 'keys.json'), runs };
}

/**
 * ~10 M lines (10.18 M): one simulated shop of 320,000 orders over 24 days, without damage. A run
 * without damage streams (src/simulate/stream.ts), so this is one simulate run in the default heap.
 */
async function tenMillion(): Promise<Corpus> {
  const dir = await cached(join(out, 'shop-10m-one'), (tmp) => {
    log('10M corpus: simulating 320,000 orders over 24 days (seed 10m, from 2026-11-21)…');
    simulate(tmp, ['--orders', '320000', '--days', '24', '--seed', '10m', '--start', '2026-11-21T00:00:00+08:00']);
  });
  return { label: '10M lines (sim)', inputs: [join(dir, 'logs')], keys: join(dir, 'keys.json'), runs: runs10m };
}

interface Timed {
  seconds: number;
  /** User + system CPU seconds, children included: on a shared machine wall time stretches with
   *  the load, CPU time much less. */
  cpu: number;
  rssMb: number;
  stdout: string;
  /** What the command wrote to stderr, less GNU time's own lines. */
  stderr: string;
  status: number;
}

function timeIt(cmd: string, args: string[]): Timed {
  // GNU time reports the peak RSS of the process (worker threads included).
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, user, sys, kb] = last.split(' ').map(Number);
  const stderr = r.stderr.trim().split('\n').slice(0, -1).filter((l) => !l.startsWith('Command exited with non-zero status')).join('\n');
  return { seconds: secs ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN), rssMb: (kb ?? NaN) / 1024, stdout: r.stdout, stderr, status: r.status ?? -1 };
}

/** As timeIt, without waiting: stages that run side by side, as on separate machines. */
function timeItAsync(cmd: string, args: string[]): Promise<Timed> {
  return new Promise((res) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      const lines = stderr.trim().split('\n');
      const [secs, user, sys, kb] = (lines.pop() ?? '').split(' ').map(Number);
      res({ seconds: secs ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN), rssMb: (kb ?? NaN) / 1024, stdout, stderr: lines.filter((l) => !l.startsWith('Command exited')).join('\n'), status: code ?? -1 });
    });
  });
}

/**
 * The shop corpus once as a single process and once as a sharded run through Elasticsearch
 * (2 extract shards, 2 correlate partitions, finish). The figures are per stage; the shards and
 * partitions run side by side on this one machine, so their wall times share its cores (and the
 * node's), and the CPU seconds are what each would cost on a machine of its own.
 */
async function shardedRun(es: string): Promise<string> {
  const [c] = await shopCorpora();
  const keys = ['--keys', c!.keys!];
  const single = join(out, 'out-sharded-single');
  const sharded = join(out, 'out-sharded');
  log(`sharded: ${c!.label} as one process…`);
  const one = timeIt(process.execPath, [bin, 'reconstruct', ...c!.inputs, ...keys, '--out', single, '-q']);
  const run = `bench-${Date.now()}`;
  const stage = (...more: string[]) => [bin, 'reconstruct', ...c!.inputs, ...keys, '--es', es, '--es-prefix', 'salvage-bench', '--run', run, '-q', ...more];
  const rows: [string, Timed][] = [['single process', one]];
  log('sharded: extract 0/2 and 1/2 side by side…');
  const ex = await Promise.all([0, 1].map((i) => timeItAsync(process.execPath, stage('--stage', 'extract', '--shard', `${i}/2`))));
  ex.forEach((t, i) => rows.push([`extract ${i}/2`, t]));
  log('sharded: correlate 0/2 and 1/2 side by side…');
  const co = await Promise.all([0, 1].map((i) => timeItAsync(process.execPath, stage('--stage', 'correlate', '--partition', `${i}/2`))));
  co.forEach((t, i) => rows.push([`correlate ${i}/2`, t]));
  log('sharded: finish…');
  rows.push(['finish', timeIt(process.execPath, stage('--stage', 'finish', '--out', sharded))]);
  for (const [name, t] of rows) if (t.status !== 0 && t.status !== 1) log(`${name}: exited ${t.status}:\n${t.stderr}`);
  const same = ['transactions.ndjson', 'review.csv', 'rejects.ndjson', 'unjoined.ndjson', 'restore.sql'].every((f) => {
    try { return readFileSync(join(single, f)).equals(readFileSync(join(sharded, f))); } catch { return false; }
  });
  // The run's indices are the bench's own: removed (best effort; a node that wants credentials keeps them).
  for (const path of [`salvage-bench-sharded-${run}-evidence,salvage-bench-sharded-${run}-transactions`, `salvage-bench-sharded-runs/_doc/${run}`]) {
    await fetch(`${es.replace(/\/$/, '')}/${path}`, { method: 'DELETE' }).catch(() => undefined);
  }
  const wallSharded = Math.max(ex[0]!.seconds, ex[1]!.seconds) + Math.max(co[0]!.seconds, co[1]!.seconds) + rows[rows.length - 1]![1].seconds;
  const cpuSharded = rows.slice(1).reduce((a, [, t]) => a + t.cpu, 0);
  return (
    `sharded run of ${c!.label} (run ${run}, index prefix salvage-bench; outputs ${same ? 'byte-identical to' : 'DIFFERENT from'} the single process)\n` +
    'stage             wall (s)   CPU s  peak RSS MB  exit\n' +
    rows.map(([n, t]) => `${n.padEnd(16)} ${t.seconds.toFixed(2).padStart(9)} ${t.cpu.toFixed(2).padStart(7)} ${t.rssMb.toFixed(0).padStart(12)} ${String(t.status).padStart(5)}`).join('\n') + '\n' +
    `sharded total: ${wallSharded.toFixed(2)} s wall (slowest of each side-by-side stage, added up), ${cpuSharded.toFixed(2)} CPU s over all stages (Elasticsearch's own CPU not counted)\n`
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(c: Corpus): Row {
  const files = c.inputs.flatMap((d) => (statSync(d).isDirectory() ? filesUnder(d) : [d]));
  const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
  log(`${c.label}: zcat -f | wc -l ×${c.runs}…`);
  const zc = [...Array(c.runs)].map(() => timeIt('bash', ['-c', `zcat -f ${files.map((f) => `'${f}'`).join(' ')} | wc -l`]));
  const lines = Number(zc[0]!.stdout.trim());
  log(`${c.label}: salvage reconstruct ×${c.runs} (${lines.toLocaleString('en-US')} lines)…`);
  const outDir = join(out, `out-${c.label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`);
  const load = loadavg()[0]!;
  const rec = [...Array(c.runs)].map(() => timeIt(process.execPath, [bin, 'reconstruct', ...c.inputs, '--out', outDir, '-q', ...(c.keys ? ['--keys', c.keys] : [])]));
  const row: Row = {
    corpus: c,
    files: files.length,
    bytes,
    lines,
    zcatSecs: median(zc.map((r) => r.seconds)),
    zcatCpu: median(zc.map((r) => r.cpu)),
    secs: median(rec.map((r) => r.seconds)),
    cpu: median(rec.map((r) => r.cpu)),
    load,
    rssMb: Math.max(...rec.map((r) => r.rssMb)),
    // 0 and 1 both mean finished (1: something needs review); anything else is in the table.
    exit: Math.max(...rec.map((r) => r.status)),
  };
  // Exit 4 (heap budget) and the like: salvage's own words say what stopped it.
  for (const r of rec) if (r.status !== 0 && r.status !== 1) log(`${c.label}: salvage exited ${r.status}:\n${r.stderr}`);
  log(format(row));
  return row;
}

const HEADER =
  'corpus                 runs files  size MB       lines  zcat (s)  salvage (s)  salvage lines/s  ratio  peak RSS MB  exit  zcat CPU s  salvage CPU s  load';

function format(r: Row): string {
  const rate = r.lines / r.secs;
  return (
    `${r.corpus.label.padEnd(22)} ${String(r.corpus.runs).padStart(4)} ${String(r.files).padStart(5)} ${(r.bytes / 1048576).toFixed(1).padStart(8)} ` +
    `${r.lines.toLocaleString('en-US').padStart(11)} ${r.zcatSecs.toFixed(2).padStart(9)} ${r.secs.toFixed(2).padStart(12)} ` +
    `${Math.round(rate).toLocaleString('en-US').padStart(16)} ${(r.zcatSecs / r.secs).toFixed(2).padStart(6)} ${r.rssMb.toFixed(0).padStart(12)} ${String(r.exit).padStart(5)} ` +
    `${r.zcatCpu.toFixed(2).padStart(11)} ${r.cpu.toFixed(2).padStart(14)} ${r.load.toFixed(1).padStart(5)}`
  );
}

function chosenParts(): Part[] {
  const only = process.env.BENCH_ONLY?.trim();
  if (!only) return [...PARTS];
  const names = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(PARTS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`BENCH_ONLY: unknown part(s) ${unknown.join(', ')} (known: ${PARTS.join(', ')}) / 未知的基准测试部分\n`);
    process.exit(2);
  }
  return PARTS.filter((p) => names.includes(p));
}

async function main(): Promise<void> {
  const parts = chosenParts();
  mkdirSync(out, { recursive: true });
  const rows: Row[] = [];
  const skipped: string[] = [];
  let shardedText = '';
  for (const part of parts) {
    if (part === 'shop') for (const c of await shopCorpora()) rows.push(measure(c));
    if (part === 'realdata') {
      const c = await realdataCorpus();
      if (typeof c === 'string') skipped.push(`realdata: ${c}`);
      else rows.push(measure(c));
    }
    if (part === '1m') rows.push(measure(await oneMillion()));
    if (part === '10m') rows.push(measure(await tenMillion()));
    if (part === 'sharded') {
      const es = process.env.BENCH_ES_URL ?? process.env.SALVAGE_TEST_ES_URL;
      if (!es) skipped.push('sharded: no Elasticsearch (set BENCH_ES_URL, or run under scripts/with-es.js) / 未指定 Elasticsearch');
      else shardedText = await shardedRun(es);
    }
  }
  process.stdout.write(
    `salvage reconstruct benchmark (${process.env.BENCH_NOTE ?? ''}node ${process.version}, ${availableParallelism()} cores, ` +
      `heap budget ${process.env.SALVAGE_MAX_HEAP_MB ?? '256 (default)'} MB; parts: ${parts.join(', ')})\n` +
      HEADER + '\n' +
      rows.map(format).join('\n') + '\n' +
      skipped.map((s) => `skipped ${s}\n`).join('') +
      'times are medians over the runs; ratio = zcat -f | wc -l time / salvage time, the same as the ratio of their line rates (target ≥ 0.5);\n' +
      'peak RSS is the largest resident set of the whole salvage process (worker threads included) over the runs; exit 0 or 1 = finished (1: needs review);\n' +
      'CPU s = user + system seconds (median), zcat and wc together; load = 1-minute load average as salvage started (above the core count, the machine was shared).\n' +
      shardedText,
  );
}

main().catch((e) => {
  process.stderr.write(String(e && (e as Error).stack) + '\n');
  process.exitCode = 1;
});
