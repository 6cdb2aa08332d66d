import type { ZoneClock } from '../time';
import { wallMsFromYmdHis } from '../time';

// Shared by the application-log parsers (thinkphp, jsonl, generic): the numeric timestamps
// they meet, read by hand from a position in the line, so no regex is built or run per line.
//
//   YYYY-MM-DD HH:MM:SS   YYYY/MM/DD HH:MM:SS   YYYY-MM-DDTHH:MM:SS
//   then optionally a fraction (`.123`, `,123456`: milliseconds are kept, the rest dropped)
//   then optionally an offset: `Z`, `+08:00`, `+0800`, `+08`.
// Without an offset the time is local wall time, resolved with the run's ZoneClock (--tz).

export interface Stamp {
  /** The written fields as if UTC (Date.UTC), fraction included. */
  wallMs: number;
  /** Minutes east of UTC when the stamp carries an offset, else undefined. */
  offsetMin: number | undefined;
  /** Index just past the stamp. */
  end: number;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return NaN;
  return a * 10 + b;
}

/** Reads a stamp starting exactly at `from`; null when there is none (or it is not a real date). */
export function scanStamp(s: string, from = 0): Stamp | null {
  if (s.length < from + 19) return null;
  const sep = s.charCodeAt(from + 4);
  if ((sep !== 45 /* - */ && sep !== 47 /* / */) || s.charCodeAt(from + 7) !== sep) return null;
  const t = s.charCodeAt(from + 10);
  if (t !== 32 /* space */ && t !== 84 /* T */) return null;
  if (s.charCodeAt(from + 13) !== 58 /* : */ || s.charCodeAt(from + 16) !== 58) return null;
  let wallMs = wallMsFromYmdHis(s, from);
  if (Number.isNaN(wallMs)) return null;
  let i = from + 19;
  const f = s.charCodeAt(i);
  if ((f === 46 /* . */ || f === 44 /* , */) && isDigit(s.charCodeAt(i + 1))) {
    i++;
    let ms = 0;
    let n = 0;
    while (isDigit(s.charCodeAt(i))) {
      if (n < 3) ms = ms * 10 + (s.charCodeAt(i) - 48);
      n++;
      i++;
    }
    for (; n < 3; n++) ms *= 10;
    wallMs += ms;
  }
  let offsetMin: number | undefined;
  const z = s.charCodeAt(i);
  if (z === 90 /* Z */) {
    offsetMin = 0;
    i++;
  } else if (z === 43 /* + */ || z === 45 /* - */) {
    const h = two(s, i + 1);
    if (!Number.isNaN(h) && h <= 14) {
      let j = i + 3;
      let m = 0;
      if (s.charCodeAt(j) === 58 /* : */ && !Number.isNaN(two(s, j + 1))) {
        m = two(s, j + 1);
        j += 3;
      } else if (!Number.isNaN(two(s, j)) && !isDigit(s.charCodeAt(j + 2))) {
        m = two(s, j);
        j += 2;
      }
      if (m <= 59 && !isDigit(s.charCodeAt(j))) {
        offsetMin = (z === 45 ? -1 : 1) * (h * 60 + m);
        i = j;
      }
    }
  }
  return { wallMs, offsetMin, end: i };
}

export interface Resolved {
  tsMs: number;
  tzOffsetMin: number;
}

/** The instant of a stamp: its own offset when written, else the clock's reading of the wall time. */
export function resolveStamp(st: Stamp, clock: ZoneClock): Resolved {
  if (st.offsetMin !== undefined) return { tsMs: st.wallMs - st.offsetMin * 60000, tzOffsetMin: st.offsetMin };
  const r = clock.resolveWall(st.wallMs);
  return { tsMs: r.ms, tzOffsetMin: r.offsetMin };
}

/**
 * Epoch seconds, milliseconds, microseconds or nanoseconds, told apart by size (any date between
 * 1973 and 5138 is read correctly): the offset reported is the clock's at that instant.
 */
export function fromEpoch(n: number, clock: ZoneClock): Resolved | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  const ms = n < 1e11 ? n * 1000 : n < 1e14 ? n : n < 1e17 ? n / 1e3 : n / 1e6;
  const tsMs = Math.round(ms);
  if (tsMs > 8.64e15) return null;
  return { tsMs, tzOffsetMin: clock.offsetAt(tsMs) };
}

/** Strips a UTF-8 byte-order mark, which editors on Windows put before a file's first line. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
