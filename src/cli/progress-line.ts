// The progress line of a long run, as a pure function of where the run is and how wide the
// terminal is. It must stay on one line at any width: a line wider than the terminal wraps,
// and `\r` then rewrites only its last row, so each update would scroll. Width is counted in
// terminal columns (CJK characters take two).
//
// No progress library is used: cli-progress, the usual choice, keeps a line from wrapping by
// switching the terminal's line wrapping off (an escape sequence left behind if the process is
// killed), and its bars leave no room for what salvage needs to say.

export interface ProgressState {
  filesDone: number;
  filesTotal: number;
  /** On-disk bytes read (compressed files count as stored, as the summary counts them). */
  diskBytes: number;
  diskTotal: number;
  /** Lines read so far, in finished and unfinished files. */
  lines: number;
  elapsedMs: number;
  /** How far in time every input has got, as the operator reads it. */
  upTo: string | null;
}

/** Columns a character takes in a terminal: 2 for East Asian wide and full-width forms, 0 for combining marks. */
function charWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200b) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd)
  ) return 2;
  return 1;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** The longest prefix of `s` that fits in `width` columns. */
export function fitWidth(s: string, width: number): string {
  let w = 0;
  let out = '';
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width) break;
    w += cw;
    out += ch;
  }
  return out;
}

/** "12.5/80.7 MB", or GB once the total passes 10 GB. */
function amounts(done: number, total: number): string {
  const gb = total >= 10 * 1073741824;
  const unit = gb ? 1073741824 : 1048576;
  const fmt = (b: number) => {
    const v = b / unit;
    return v >= 100 ? v.toFixed(0) : v.toFixed(1);
  };
  return `${fmt(done)}/${fmt(total)} ${gb ? 'GB' : 'MB'}`;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  if (h > 99) return '>99h';
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The segments of the line, in the order shown, each with how readily it is dropped when space is short (higher goes first). */
function segments(p: ProgressState): { text: string; drop: number }[] {
  const secs = p.elapsedMs / 1000;
  const frac = p.diskTotal > 0 ? Math.min(1, p.diskBytes / p.diskTotal) : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
  const rate = secs > 0 ? p.diskBytes / secs : 0;
  const eta = secs >= 1 && rate > 0 && p.diskBytes > 0 ? clock(Math.max(0, p.diskTotal - p.diskBytes) / rate) : '--:--';
  const lps = secs > 0 ? Math.round(p.lines / secs) : 0;
  return [
    { text: `[salvage] files ${p.filesDone}/${p.filesTotal} 文件`, drop: 0 },
    { text: `${Math.floor(frac * 100)}%`, drop: 0 },
    { text: `${amounts(p.diskBytes, p.diskTotal)} on disk 磁盘`, drop: 2 },
    { text: `${p.lines.toLocaleString('en-US')} lines 行`, drop: 4 },
    { text: `${lps.toLocaleString('en-US')} lines/s 行/秒`, drop: 3 },
    { text: `ETA 剩余 ${eta}`, drop: 1 },
    ...(p.upTo ? [{ text: `logs up to 日志已读至 ${p.upTo}`, drop: 5 }] : []),
  ];
}

/**
 * One progress line, at most `width - 1` columns (the last column is left free: some terminals
 * wrap when it is written). The least needed parts go first when space is short, then the line is cut.
 */
export function progressLine(p: ProgressState, width = Infinity): string {
  const max = Math.max(1, width - 1);
  let parts = segments(p);
  const join = () => parts.map((s) => s.text).join(' · ');
  while (displayWidth(join()) > max && parts.some((s) => s.drop > 0)) {
    const worst = Math.max(...parts.map((s) => s.drop));
    parts = parts.filter((s) => s.drop !== worst);
  }
  return fitWidth(join(), max);
}
