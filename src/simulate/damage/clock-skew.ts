// Damage: one nginx host's clock runs ahead. The offset itself is applied when that host formats
// $time_local (world.hostSkewMs); this records it against every file of the host.
import type { OutFile } from '../files';
import type { DamageLog } from './log';

export function recordClockSkew(files: readonly OutFile[], host: string, ms: number, log: DamageLog): void {
  for (const f of files) {
    if (f.sink !== `nginx/${host}`) continue;
    log.add({
      type: 'clock_skew',
      file: f.path,
      detail: `every timestamp written by ${host} is ${ms / 1000 >= 0 ? '+' : ''}${ms / 1000} s off true time (the host also rotates by its own clock)`,
      extra: { host, offset_seconds: ms / 1000 },
    });
  }
}
