import type { ZoneClock } from '../../../parsers/time';
import { isoWithOffset } from '../../../parsers/time';

// Values written into MySQL/MariaDB statements. A string that is plain printable text is written
// as '…' with quotes doubled (the one escape that means the same with and without the server's
// NO_BACKSLASH_ESCAPES mode); anything with a backslash or a control character (NUL, newlines,
// Ctrl-Z) is written as a hex literal with a utf8mb4 introducer, which no sql_mode reads
// differently. Strings are always whole UTF-8 characters, so a hex literal never splits one.

const NEEDS_HEX = /[\\\u0000-\u001f\u007f]/;

export function sqlString(v: string | null | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  if (NEEDS_HEX.test(v)) return v === '' ? "''" : `_utf8mb4 X'${Buffer.from(v, 'utf8').toString('hex')}'`;
  return "'" + v.replace(/'/g, "''") + "'";
}

export function sqlIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function sqlDecimal(v: number): string {
  return v.toFixed(2);
}

/** An ISO time with offset → `YYYY-MM-DD HH:MM:SS` on the shop's wall clock (what its DATETIME
 *  and TIMESTAMP columns held: both platforms write local time without an offset). */
export function sqlWallTime(iso: string | null | undefined, zone: ZoneClock): string | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const s = isoWithOffset(Math.floor(ms / 1000) * 1000, zone.offsetAt(ms));
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
}

/** Longest text a column takes, in characters, and whether it holds only 3-byte UTF-8 (MySQL's
 *  `utf8`/utf8mb3: no emoji or other characters outside the Basic Multilingual Plane). */
export interface TextColumn {
  maxChars: number;
  mb3?: boolean;
}

/** Why a value cannot go into a text column as it is, or null when it can. */
export function textProblem(v: string, col: TextColumn): string | null {
  const chars = [...v].length;
  if (chars > col.maxChars) return `${chars} characters, the column holds ${col.maxChars}`;
  if (col.mb3 && /[\u{10000}-\u{10FFFF}]/u.test(v)) return 'characters outside utf8mb3 (the column is utf8)';
  return null;
}
