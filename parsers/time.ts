import { IANAZone } from 'luxon';

// Time helpers for the hot path: digits are read by hand and zone offsets are cached per hour,
// because building a DateTime per log line would dominate the cost of parsing.

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

function num(s: string, from: number, len: number): number {
  let n = 0;
  for (let i = from; i < from + len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

export interface ParsedTime {
  ms: number;
  offsetMin: number;
}

/** Remembers the last `$time_local` parsed: neighbouring lines usually share their second. */
export class TimeLocalCache {
  private last = '';
  private parsed: ParsedTime = { ms: NaN, offsetMin: 0 };
  parse(s: string): ParsedTime {
    if (s !== this.last) {
      this.parsed = parseTimeLocal(s);
      this.last = s;
    }
    return this.parsed;
  }
}

/** nginx `$time_local`: `21/Nov/2026:14:03:11 +0800`. Returns NaN ms when malformed. */
export function parseTimeLocal(s: string): ParsedTime {
  if (s.length < 26 || s.charCodeAt(2) !== 47 /* / */ || s.charCodeAt(6) !== 47) return { ms: NaN, offsetMin: 0 };
  const day = num(s, 0, 2);
  const mon = MONTHS[s.slice(3, 6)];
  const year = num(s, 7, 4);
  const h = num(s, 12, 2);
  const mi = num(s, 15, 2);
  const sec = num(s, 18, 2);
  const sign = s.charCodeAt(21) === 45 /* - */ ? -1 : 1;
  const oh = num(s, 22, 2);
  const om = num(s, 24, 2);
  if (mon === undefined || Number.isNaN(day + year + h + mi + sec + oh + om) || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60) {
    return { ms: NaN, offsetMin: 0 };
  }
  const offsetMin = sign * (oh * 60 + om);
  return { ms: Date.UTC(year, mon, day, h, mi, sec) - offsetMin * 60000, offsetMin };
}

/** Resolves local wall-clock times (app logs carry none) to instants in a fixed IANA zone. */
export class ZoneClock {
  private readonly zone: IANAZone;
  private readonly cache = new Map<number, number>();

  constructor(readonly zoneName: string) {
    const z = IANAZone.create(zoneName);
    if (!z.isValid) throw new Error(`unknown time zone: ${zoneName}`);
    this.zone = z;
  }

  /** Offset in minutes east of UTC that applies at this instant. */
  offsetAt(utcMs: number): number {
    return this.zone.offset(utcMs);
  }

  /** Wall time given as if UTC (Date.UTC of the local fields) → real instant and offset. */
  resolveWall(wallMs: number): ParsedTime {
    const hour = Math.floor(wallMs / 3600000);
    let off = this.cache.get(hour);
    if (off === undefined) {
      const guess = wallMs - this.zone.offset(wallMs) * 60000;
      off = this.zone.offset(guess);
      if (this.cache.size > 100000) this.cache.clear();
      this.cache.set(hour, off);
    }
    return { ms: wallMs - off * 60000, offsetMin: off };
  }
}

/** `2026-11-21 14:03:11` (or with T) read as wall time; NaN when malformed. */
export function wallMsFromYmdHis(s: string, from = 0): number {
  const y = num(s, from, 4);
  const mo = num(s, from + 5, 2);
  const d = num(s, from + 8, 2);
  const h = num(s, from + 11, 2);
  const mi = num(s, from + 14, 2);
  const sec = num(s, from + 17, 2);
  if (Number.isNaN(y + mo + d + h + mi + sec) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, sec);
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** ISO 8601 with the given offset, e.g. `2026-11-21T14:03:11+08:00`; milliseconds only when non-zero. */
export function isoWithOffset(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60000);
  const frac = d.getUTCMilliseconds();
  const sign = offsetMin < 0 ? '-' : '+';
  const a = Math.abs(offsetMin);
  return (
    d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate()) +
    'T' + pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) + ':' + pad2(d.getUTCSeconds()) +
    (frac ? '.' + String(frac).padStart(3, '0') : '') +
    sign + pad2(Math.floor(a / 60)) + ':' + pad2(a % 60)
  );
}
