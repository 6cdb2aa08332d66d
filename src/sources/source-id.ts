import { dirname } from 'node:path';

// Which log a file belongs to. Rotated copies usually sit in a sub-folder of the live log's
// folder (BT panel: history_backups/<site>/…; logrotate olddir: old/, archive/), so those
// folder names are dropped: the live file and its rotations are one source for the coverage
// and clock checks.
const ROTATION_DIRS = /\/(?:history_backups(?:\/[^/]+)?|old|archive|rotated|backup)$/;

export function sourceFolder(file: string): string {
  let d = dirname(file.replace(/\\/g, '/'));
  for (let i = 0; i < 3 && ROTATION_DIRS.test(d); i++) d = d.replace(ROTATION_DIRS, '');
  return d;
}

/** A source is a format in a folder: `nginx-combined@logs/nginx/web1`. */
export function sourceId(format: string | null, file: string): string {
  return `${format ?? 'unknown'}@${sourceFolder(file)}`;
}
