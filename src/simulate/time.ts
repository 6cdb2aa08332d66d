// Shop-local time formatting. The simulated shops run in Asia/Shanghai (UTC+8, no DST since 1991),
// so a fixed offset is exact and much faster than a zone database for a million lines.

export const TZ_NAME = 'Asia/Shanghai';
export const TZ_OFFSET_MIN = 480;
const OFFSET_MS = TZ_OFFSET_MIN * 60_000;
const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function p2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

interface DayParts {
  y: number;
  mo: number;
  d: number;
}

const dayCache = new Map<number, DayParts>();

function dayParts(localDay: number): DayParts {
  let parts = dayCache.get(localDay);
  if (!parts) {
    const dt = new Date(localDay * DAY_MS);
    parts = { y: dt.getUTCFullYear(), mo: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
    if (dayCache.size > 4096) dayCache.clear();
    dayCache.set(localDay, parts);
  }
  return parts;
}

/** Local date and time-of-day parts of an epoch-ms instant. */
export function localParts(ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const local = Math.floor(ms / 1000) * 1000 + OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  const secOfDay = Math.floor((local - day * DAY_MS) / 1000);
  const { y, mo, d } = dayParts(day);
  return { y, mo, d, h: Math.floor(secOfDay / 3600), mi: Math.floor((secOfDay % 3600) / 60), s: secOfDay % 60 };
}

/** Index of the local calendar day (days since 1970-01-01 local). */
export function localDayIndex(ms: number): number {
  return Math.floor((ms + OFFSET_MS) / DAY_MS);
}

/** Epoch ms of local midnight starting local day `day`. */
export function localDayStartMs(day: number): number {
  return day * DAY_MS - OFFSET_MS;
}

/** nginx `$time_local`: `21/Nov/2026:14:03:11 +0800`. */
export function nginxTime(ms: number): string {
  const t = localParts(ms);
  return `${p2(t.d)}/${MONTHS[t.mo - 1]}/${t.y}:${p2(t.h)}:${p2(t.mi)}:${p2(t.s)} +0800`;
}

/** PHP `Y-m-d H:i:s` local. */
export function ymdHis(ms: number): string {
  const t = localParts(ms);
  return `${t.y}-${p2(t.mo)}-${p2(t.d)} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}`;
}

/** `Y-m-d` local. */
export function ymd(ms: number): string {
  const t = localParts(ms);
  return `${t.y}-${p2(t.mo)}-${p2(t.d)}`;
}

/** ISO 8601 with the shop offset: `2026-11-21T14:03:11+08:00`. */
export function isoLocal(ms: number): string {
  const t = localParts(ms);
  return `${t.y}-${p2(t.mo)}-${p2(t.d)}T${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}+08:00`;
}

/** `YmdHis`: `20261121140311`. */
export function compactYmdHis(ms: number): string {
  const t = localParts(ms);
  return `${t.y}${p2(t.mo)}${p2(t.d)}${p2(t.h)}${p2(t.mi)}${p2(t.s)}`;
}

/** `ymdHis`: `261121140311`. */
export function compactYmdHisShort(ms: number): string {
  return compactYmdHis(ms).slice(2);
}

/** Parses an nginx `$time_local` back to epoch ms (used by damage that rewrites times). */
export function parseNginxTime(s: string): number {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s);
  if (!m) return NaN;
  const mo = MONTHS.indexOf(m[2]!);
  const off = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return Date.UTC(Number(m[3]), mo, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - off;
}
