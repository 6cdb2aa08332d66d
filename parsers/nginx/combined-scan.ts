// Where the fields of a plain nginx combined/main line are, found without building any string:
// the noise gate (src/pipeline/noise-gate.ts) reads most access-log lines through this and never
// parses them. It answers only for lines whose reading by the COMBINED regex (combined.ts) it is
// sure of, and says "not sure" (false) for everything else, which then takes the full parser:
//   - no backslash anywhere (so no escapes: every quoted field ends at the next `"`, and
//     unescapeNginx leaves the request as it is);
//   - `$remote_addr $ident $remote_user` as printable ASCII words, one space apart (the regex's
//     `\S` would also take non-ASCII characters; those lines are left to it);
//   - then ` [time] "request" ddd bytes "referrer" "user agent"`, optionally ` "xff"`, and the line
//     ends there: no trailing space, nothing appended.
// For such a line the regex's first match has exactly these fields: its optional groups are
// greedy and every one of them is taken.

/** Offsets written by scanPlainCombined. */
export const SCAN = {
  /** Time text between the brackets: [TIME_START, TIME_END). */
  TIME_START: 0,
  TIME_END: 1,
  /** Request text between its quotes: [REQUEST_START, REQUEST_END). */
  REQUEST_START: 2,
  REQUEST_END: 3,
  /** The three status digits start here. */
  STATUS: 4,
} as const;

/** True when `line` is a plain combined line as described above; its field offsets are then in `at`. */
export function scanPlainCombined(line: string, at: Int32Array): boolean {
  const n = line.length;
  if (line.indexOf('\\') >= 0) return false;
  let i = 0;
  for (let word = 0; word < 3; word++) {
    const start = i;
    for (; i < n; i++) {
      const c = line.charCodeAt(i);
      if (c === 32) break;
      if (c < 33 || c > 126) return false;
    }
    if (i === start || i === n) return false;
    i++;
  }
  if (line.charCodeAt(i) !== 91 /* [ */) return false;
  const timeStart = i + 1;
  const timeEnd = line.indexOf(']', timeStart);
  if (timeEnd < 0 || timeEnd - timeStart < 20 || timeEnd - timeStart > 40) return false;
  if (line.charCodeAt(timeEnd + 1) !== 32 || line.charCodeAt(timeEnd + 2) !== 34 /* " */) return false;
  const requestStart = timeEnd + 3;
  const requestEnd = line.indexOf('"', requestStart);
  if (requestEnd < 0 || line.charCodeAt(requestEnd + 1) !== 32) return false;
  const status = requestEnd + 2;
  if (!isDigit(line.charCodeAt(status)) || !isDigit(line.charCodeAt(status + 1)) || !isDigit(line.charCodeAt(status + 2))) return false;
  if (line.charCodeAt(status + 3) !== 32) return false;
  i = status + 4;
  if (line.charCodeAt(i) === 45 /* - */) i++;
  else {
    const digits = i;
    while (i < n && isDigit(line.charCodeAt(i))) i++;
    if (i === digits) return false;
  }
  // Two or three quoted fields, and the end of the line.
  for (let field = 0; field < 3; field++) {
    if (field === 2 && i === n) break;
    if (line.charCodeAt(i) !== 32 || line.charCodeAt(i + 1) !== 34) return false;
    const close = line.indexOf('"', i + 2);
    if (close < 0) return false;
    i = close + 1;
  }
  if (i !== n) return false;
  at[SCAN.TIME_START] = timeStart;
  at[SCAN.TIME_END] = timeEnd;
  at[SCAN.REQUEST_START] = requestStart;
  at[SCAN.REQUEST_END] = requestEnd;
  at[SCAN.STATUS] = status;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
