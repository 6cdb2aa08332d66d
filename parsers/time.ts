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

/**
 * Remembers the last `$time_local` parsed (neighbouring lines usually share their second), and
 * the last day and offset seen (they share those far longer): a new second of a known day is
 * read from its six clock digits, without the month lookup and date arithmetic. The result is
 * always what parseTimeLocal gives.
 */
export class TimeLocalCache {
  private last = '';
  private parsed: ParsedTime = { ms: NaN, offsetMin: 0 };
  /** A valid time whose day (`21/Nov/2026:`) and offset (` +0800`) are remembered; '' for none. */
  private day = '';
  /** The instant of that day's local midnight, and its offset. */
  private dayMs = NaN;
  private dayOffset = 0;

  parse(s: string): ParsedTime {
    if (s !== this.last) {
      this.parsed = this.sameDay(s) ? this.clock(s) : this.fresh(s);
      this.last = s;
    }
    return this.parsed;
  }

  /**
   * parse(line.slice(start, end)), for a time inside a line: a second of the remembered day is
   * read in place, without making a string of it (the noise gate reads every line's time this
   * way). Its own last result is kept apart from parse()'s.
   */
  parseIn(line: string, start: number, end: number): ParsedTime {
    const d = this.day;
    if (end - start === 26 && d !== '') {
      let same = true;
      for (let i = 0; i < 12 && same; i++) same = line.charCodeAt(start + i) === d.charCodeAt(i);
      for (let i = 20; i < 26 && same; i++) same = line.charCodeAt(start + i) === d.charCodeAt(i);
      if (same) {
        const ms = this.clockMs(line, start);
        const last = this.inParsed;
        if (last !== undefined && last.ms === ms && last.offsetMin === this.dayOffset) return last;
        return (this.inParsed = { ms, offsetMin: Number.isNaN(ms) ? 0 : this.dayOffset });
      }
    }
    return (this.inParsed = this.parse(line.slice(start, end)));
  }

  private inParsed: ParsedTime | undefined;

  private sameDay(s: string): boolean {
    const d = this.day;
    if (d === '' || s.length !== 26) return false;
    for (let i = 0; i < 12; i++) if (s.charCodeAt(i) !== d.charCodeAt(i)) return false;
    for (let i = 20; i < 26; i++) if (s.charCodeAt(i) !== d.charCodeAt(i)) return false;
    return true;
  }

  /** The clock part of a time on the remembered day, checked as parseTimeLocal checks it. */
  private clock(s: string): ParsedTime {
    const ms = this.clockMs(s, 0);
    return Number.isNaN(ms) ? { ms: NaN, offsetMin: 0 } : { ms, offsetMin: this.dayOffset };
  }

  /** The instant of the clock part of the time at `at` in `s`, on the remembered day; NaN if malformed. */
  private clockMs(s: string, at: number): number {
    if (s.charCodeAt(at + 14) !== 58 || s.charCodeAt(at + 17) !== 58) return NaN;
    const h = num(s, at + 12, 2);
    const mi = num(s, at + 15, 2);
    const sec = num(s, at + 18, 2);
    if (Number.isNaN(h + mi + sec) || h > 23 || mi > 59 || sec > 60) return NaN;
    return this.dayMs + h * 3_600_000 + mi * 60_000 + sec * 1000;
  }

  private fresh(s: string): ParsedTime {
    const p = parseTimeLocal(s);
    if (!Number.isNaN(p.ms)) {
      this.day = s;
      this.dayMs = p.ms - (num(s, 12, 2) * 3_600_000 + num(s, 15, 2) * 60_000 + num(s, 18, 2) * 1000);
      this.dayOffset = p.offsetMin;
    }
    return p;
  }
}

function daysInMonth(year: number, month0: number): number {
  if (month0 === 1) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month0 === 3 || month0 === 5 || month0 === 8 || month0 === 10 ? 30 : 31;
}

/** nginx `$time_local`: `21/Nov/2026:14:03:11 +0800`, exactly. Returns NaN ms when malformed. */
export function parseTimeLocal(s: string): ParsedTime {
  if (
    s.length !== 26 || s.charCodeAt(2) !== 47 /* / */ || s.charCodeAt(6) !== 47 || s.charCodeAt(11) !== 58 /* : */ ||
    s.charCodeAt(14) !== 58 || s.charCodeAt(17) !== 58 || s.charCodeAt(20) !== 32 /* space */
  ) {
    return { ms: NaN, offsetMin: 0 };
  }
  const signChar = s.charCodeAt(21);
  if (signChar !== 43 /* + */ && signChar !== 45 /* - */) return { ms: NaN, offsetMin: 0 };
  const day = num(s, 0, 2);
  const mon = MONTHS[s.slice(3, 6)];
  const year = num(s, 7, 4);
  const h = num(s, 12, 2);
  const mi = num(s, 15, 2);
  const sec = num(s, 18, 2);
  const oh = num(s, 22, 2);
  const om = num(s, 24, 2);
  if (
    mon === undefined || Number.isNaN(day + year + h + mi + sec + oh + om) || day < 1 || day > daysInMonth(year, mon) ||
    h > 23 || mi > 59 || sec > 60 || oh > 14 || om > 59
  ) {
    return { ms: NaN, offsetMin: 0 };
  }
  const offsetMin = (signChar === 45 ? -1 : 1) * (oh * 60 + om);
  return { ms: Date.UTC(year, mon, day, h, mi, sec) - offsetMin * 60000, offsetMin };
}

const HOUR_MS = 3600000;
const MINUTE_MS = 60000;
const DAY_MS = 86400000;

/**
 * Resolves local wall-clock times (app logs carry none) to instants in a fixed IANA zone.
 * Around a clock change it follows the usual "compatible" rule (as JavaScript's Temporal and
 * most libraries do), the same in every zone: a wall time that occurs twice (clocks set back)
 * is the earlier instant, and a wall time that never occurs (clocks set forward) is read with
 * the offset in force before the change, which moves it forward by the size of the gap
 * (02:30 in New York on the spring-forward day is 02:30-05:00, i.e. 07:30Z = 03:30 EDT). The
 * offset returned is the one used, so isoWithOffset(ms, offsetMin) shows the wall time as logged.
 */
export class ZoneClock {
  private readonly zone: IANAZone;
  /** Offset per wall-clock hour, or NaN for an hour near a clock change (see `minutes`). */
  private readonly cache = new Map<number, number>();
  /** Offset per wall-clock minute, for hours near a clock change only. */
  private readonly minutes = new Map<number, number>();

  constructor(readonly zoneName: string) {
    const z = IANAZone.create(zoneName);
    if (!z.isValid) throw new Error(`unknown time zone: ${zoneName}`);
    this.zone = z;
  }

  /** Offset per UTC hour, or NaN for an hour in which the offset changes. */
  private readonly byUtcHour = new Map<number, number>();

  /** Offset in minutes east of UTC that applies at this instant. Asked once per evidence line
   *  and per written time, so it is cached per UTC hour: asking the zone costs microseconds. */
  offsetAt(utcMs: number): number {
    const hour = Math.floor(utcMs / HOUR_MS);
    let off = this.byUtcHour.get(hour);
    if (off === undefined) {
      // The same offset at the start, middle and end of the hour: no change inside it (no zone
      // has changed its offset twice within one hour).
      const start = hour * HOUR_MS;
      const first = this.zone.offset(start);
      off = this.zone.offset(start + HOUR_MS / 2) === first && this.zone.offset(start + HOUR_MS - 1) === first ? first : NaN;
      if (this.byUtcHour.size > 100000) this.byUtcHour.clear();
      this.byUtcHour.set(hour, off);
    }
    return Number.isNaN(off) ? this.zone.offset(utcMs) : off;
  }

  /** Wall time given as if UTC (Date.UTC of the local fields) → real instant and offset. */
  resolveWall(wallMs: number): ParsedTime {
    const hour = Math.floor(wallMs / HOUR_MS);
    let off = this.cache.get(hour);
    if (off === undefined) {
      // The true instant is within ±14 h of wallMs; a day either side is safely before/after it.
      const start = hour * HOUR_MS;
      const before = this.zone.offset(start - DAY_MS);
      const after = this.zone.offset(start + HOUR_MS + DAY_MS);
      off = before === after && this.zone.offset(start - before * MINUTE_MS) === before ? before : NaN;
      if (this.cache.size > 100000) this.cache.clear();
      this.cache.set(hour, off);
    }
    if (Number.isNaN(off)) {
      const minute = Math.floor(wallMs / MINUTE_MS);
      off = this.minutes.get(minute);
      if (off === undefined) {
        off = this.nearChange(minute * MINUTE_MS);
        if (this.minutes.size > 100000) this.minutes.clear();
        this.minutes.set(minute, off);
      }
    }
    return { ms: wallMs - off * MINUTE_MS, offsetMin: off };
  }

  private nearChange(wallMs: number): number {
    const before = this.zone.offset(wallMs - DAY_MS);
    const after = this.zone.offset(wallMs + DAY_MS);
    const beforeFits = this.zone.offset(wallMs - before * MINUTE_MS) === before;
    const afterFits = this.zone.offset(wallMs - after * MINUTE_MS) === after;
    if (beforeFits && afterFits) return Math.max(before, after); // occurs twice: the earlier instant
    if (beforeFits) return before;
    if (afterFits) return after;
    return before; // in the gap
  }
}

/** `2026-11-21 14:03:11` (or with T) read as wall time; NaN when malformed (including 2026-02-30). */
export function wallMsFromYmdHis(s: string, from = 0): number {
  const y = num(s, from, 4);
  const mo = num(s, from + 5, 2);
  const d = num(s, from + 8, 2);
  const h = num(s, from + 11, 2);
  const mi = num(s, from + 14, 2);
  const sec = num(s, from + 17, 2);
  if (Number.isNaN(y + mo + d + h + mi + sec) || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo - 1) || h > 23 || mi > 59 || sec > 60) return NaN;
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
