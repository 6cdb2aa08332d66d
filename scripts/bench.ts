// npm run bench: how fast and how lean is `salvage reconstruct`, measured against
// `zcat -f | wc -l` on the same files. The corpora are built with `salvage simulate` (a
// million-line shop, plain and gzipped) and cached under bench-out/. A benchmark, not a test:
// nothing here passes or fails, it prints what it measured.

import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const root = resolve(__dirname, '..', '..');
const bin = join(root, 'bin', 'salvage.js');
const out = join(root, 'bench-out');
const orders = Number(process.env.BENCH_ORDERS ?? 40000);
const days = Number(process.env.BENCH_DAYS ?? 3);
const runs = Number(process.env.BENCH_RUNS ?? 3);

function walk(dir: string): string[] {
  const r: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) r.push(...walk(p));
    else r.push(p);
  }
  return r;
}

async function gzipTree(src: string, dst: string): Promise<void> {
  for (const f of walk(src)) {
    const target = join(dst, relative(src, f)) + (f.endsWith('.gz') ? '' : '.gz');
    mkdirSync(dirname(target), { recursive: true });
    if (f.endsWith('.gz')) await pipeline(createReadStream(f), createWriteStream(target));
    else await pipeline(createReadStream(f), createGzip({ level: 6 }), createWriteStream(target));
  }
}

function timeIt(cmd: string, args: string[]): { seconds: number; rssMb: number; stdout: string } {
  // GNU time reports the peak RSS of the process (worker threads included).
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, kb] = last.split(' ').map(Number);
  return { seconds: secs ?? NaN, rssMb: (kb ?? NaN) / 1024, stdout: r.stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const corpus = join(out, `shop-${orders}x${days}`);
  if (!existsSync(join(corpus, 'truth', 'meta.json'))) {
    rmSync(corpus, { recursive: true, force: true });
    process.stderr.write(`[bench] simulating ${orders} orders over ${days} days (cached in ${relative(root, corpus)})…\n`);
    execFileSync(process.execPath, [bin, 'simulate', '--out', corpus, '--orders', String(orders), '--days', String(days), '--seed', '1', '--damage', 'none'], { stdio: 'inherit' });
  }
  const plain = join(corpus, 'logs');
  const gz = join(out, `shop-${orders}x${days}-gz`);
  if (!existsSync(gz)) {
    process.stderr.write('[bench] gzipping a copy of the corpus…\n');
    await gzipTree(plain, gz);
  }
  const rows: string[] = [];
  for (const [label, dir] of [['plain', plain], ['gzip', gz]] as const) {
    const files = walk(dir);
    const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
    const zc = [...Array(runs)].map(() => timeIt('bash', ['-c', `zcat -f ${files.map((f) => `'${f}'`).join(' ')} | wc -l`]));
    const lines = Number(zc[0]!.stdout.trim());
    const zcSecs = median(zc.map((r) => r.seconds));
    const rec = [...Array(runs)].map(() => timeIt(process.execPath, [bin, 'reconstruct', dir, '--out', join(out, `out-${label}`), '-q', '--keys', join(corpus, 'keys.json')]));
    const secs = median(rec.map((r) => r.seconds));
    const rss = Math.max(...rec.map((r) => r.rssMb));
    rows.push(
      `${label.padEnd(6)} ${String(files.length).padStart(5)} ${(bytes / 1048576).toFixed(1).padStart(9)} ${String(lines).padStart(10)} ` +
        `${zcSecs.toFixed(2).padStart(8)} ${Math.round(lines / zcSecs).toLocaleString('en-US').padStart(13)} ` +
        `${secs.toFixed(2).padStart(8)} ${Math.round(lines / secs).toLocaleString('en-US').padStart(12)} ${(bytes / 1048576 / secs).toFixed(1).padStart(7)} ${rss.toFixed(0).padStart(8)} ` +
        `${(lines / secs / (lines / zcSecs)).toFixed(2).padStart(6)}`,
    );
  }
  process.stdout.write(
    `salvage reconstruct benchmark (median of ${runs} runs; ${process.env.BENCH_NOTE ?? ''}node ${process.version}, ${require('node:os').availableParallelism()} cores)\n` +
      'input  files  size (MB)      lines  zcat (s)  zcat lines/s  salvage (s)  lines/s    MB/s  RSS (MB)  ratio\n' +
      rows.join('\n') + '\n' +
      'ratio = salvage line rate / zcat -f | wc -l line rate (the target is ≥ 0.5); RSS is the peak resident set of the whole process.\n',
  );
}

main().catch((e) => {
  process.stderr.write(String(e && (e as Error).stack) + '\n');
  process.exitCode = 1;
});
