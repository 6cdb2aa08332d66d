// Damage: an application log that someone re-saved in GBK (a Windows editor or a GBK-locale copy tool).
import type { OutFile } from '../files';
import type { Rng } from '../prng';
import type { DamageLog } from './log';

export function applyGbk(files: readonly OutFile[], rng: Rng, log: DamageLog): void {
  const apps = files.filter((f) => f.sink.startsWith('app/') && f.lines.length > 0 && !f.gzip);
  if (apps.length === 0) return;
  const f = rng.pick(apps);
  f.encoding = 'gbk';
  log.add({ type: 'gbk_encoding', file: f.path, detail: 'the whole file is GBK-encoded instead of UTF-8 (Chinese messages are GBK bytes)', extra: { encoding: 'gbk' } });
}
