import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding salvage's package.json, found from this file whether it runs from src/ or dist/. */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the salvage package folder (package.json beside rules/)');
}
