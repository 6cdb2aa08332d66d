import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir`, in name order at each level: the bench and the digests see the same list on every machine. */
export function filesUnder(dir: string): string[] {
  const r: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) r.push(...filesUnder(p));
    else r.push(p);
  }
  return r;
}
