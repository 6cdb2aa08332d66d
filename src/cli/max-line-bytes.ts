import { UsageError } from './command';

/** The longest line `--max-line-bytes` may allow: 256 MiB. A line is held whole while it is
 *  read (as bytes, then as text), so the limit is also what one line may cost in memory; the
 *  launcher (bin/salvage.js) raises the heap budget to match a large limit. */
export const MAX_LINE_BYTES_CAP = 256 * 1024 * 1024;
export const MIN_LINE_BYTES = 1024;

/** Checks a --max-line-bytes value: a whole number of bytes from 1 KiB to 256 MiB. */
export function checkMaxLineBytes(n: number): void {
  if (!Number.isInteger(n) || n < MIN_LINE_BYTES || n > MAX_LINE_BYTES_CAP) {
    throw new UsageError(`--max-line-bytes must be a whole number of bytes from ${MIN_LINE_BYTES} to ${MAX_LINE_BYTES_CAP} (256 MiB), got ${n} / --max-line-bytes 须为 ${MIN_LINE_BYTES} 到 ${MAX_LINE_BYTES_CAP}（256 MiB）之间的整数`);
  }
}
