// Damage to single lines: cut short mid-write, and binary junk lines (a crash, a bad sector, a stray write).
import type { Line, OutFile } from '../files';
import type { Rng } from '../prng';
import type { DamageLog } from './log';

function perFileAction(log: DamageLog, cache: Map<string, number>, f: OutFile, type: 'cut_line' | 'garbage_bytes', detail: string): number {
  let id = cache.get(f.path);
  if (id === undefined) {
    id = log.add({ type, file: f.path, detail });
    cache.set(f.path, id);
  }
  return id;
}

/**
 * Where to cut. A line that proves a payment is cut inside its evidence (the request line of an access-log
 * entry, the JSON context of an app-log entry), so that after the cut it really proves nothing; other
 * lines are cut anywhere.
 */
function cutPoint(l: Line, rng: Rng): number {
  const t = l.text as string;
  if (l.pay !== undefined) {
    const q = t.indexOf('"');
    const http = t.indexOf(' HTTP/1.', q);
    if (q >= 0 && http > q + 6) return rng.int(q + 6, http - 1);
    const open = t.indexOf('{');
    const close = t.lastIndexOf('}');
    if (open >= 0 && close > open + 2) return rng.int(open + 1, close - 1);
  }
  return rng.int(12, t.length - 8);
}

/** Cuts `n` lines short (about half of them lines that prove a payment). They keep their newline. */
export function applyCutLines(files: readonly OutFile[], n: number, rng: Rng, log: DamageLog): void {
  const candidates = files.filter((f) => f.lines.length > 0);
  if (candidates.length === 0) return;
  const payIdx = new Map<string, number[]>();
  const ids = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const f = rng.pick(candidates);
    let idx: number;
    if (rng.chance(0.5)) {
      let list = payIdx.get(f.path);
      if (!list) {
        list = [];
        f.lines.forEach((l, j) => {
          if (l.pay !== undefined) list!.push(j);
        });
        payIdx.set(f.path, list);
      }
      idx = list.length > 0 ? rng.pick(list) : rng.int(0, f.lines.length - 1);
    } else idx = rng.int(0, f.lines.length - 1);
    const l = f.lines[idx]!;
    if (typeof l.text !== 'string' || l.text.length < 24 || l.damaged) continue;
    l.text = l.text.slice(0, cutPoint(l, rng));
    l.damaged = true;
    log.mark(perFileAction(log, ids, f, 'cut_line', 'lines cut short in the middle (the rest of the write never reached the disk)'), l);
  }
}

/** Inserts `n` lines of binary junk (no newline bytes inside). */
export function applyGarbage(files: readonly OutFile[], n: number, rng: Rng, log: DamageLog): void {
  const candidates = files.filter((f) => f.lines.length > 0);
  if (candidates.length === 0) return;
  const ids = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const f = rng.pick(candidates);
    const junk = rng.bytes(rng.int(16, 160));
    for (let j = 0; j < junk.length; j++) if (junk[j] === 0x0a) junk[j] = 0x00;
    const l: Line = { text: junk };
    log.mark(perFileAction(log, ids, f, 'garbage_bytes', 'lines of binary junk (NUL runs and random bytes, as after a crash or a bad block)'), l);
    f.lines.splice(rng.int(0, f.lines.length), 0, l);
  }
}
