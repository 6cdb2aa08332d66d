// Money is kept in integer fen (1/100 yuan) everywhere inside the simulator; strings appear only at the edges.

/** `990` → `"9.90"` (PHP decimal(10,2) / sprintf('%.2f')). */
export function fenToYuanString(fen: number): string {
  const neg = fen < 0;
  const a = Math.abs(Math.round(fen));
  const s = `${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
  return neg ? `-${s}` : s;
}

/** `990` → `9.9` (a JSON number in yuan). */
export function fenToYuan(fen: number): number {
  return Math.round(fen) / 100;
}

/** `"9.90"`, `"9.9"`, `"10"` → 990. Throws on anything that is not a plain decimal. */
export function yuanToFen(yuan: string | number): number {
  const s = typeof yuan === 'number' ? yuan.toFixed(2) : yuan.trim();
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new Error(`not a yuan amount: ${s}`);
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -fen : fen;
}

/**
 * Go `strconv.FormatFloat(f, 'f', -1, 64)`: the shortest decimal that round-trips, never in
 * exponent form. JavaScript's Number#toString produces the same digits for |x| in [1e-6, 1e21).
 */
export function goFormatFloat(x: number): string {
  if (!Number.isFinite(x)) throw new Error('not finite');
  const s = String(x);
  if (!/e/i.test(s)) return s;
  const [mant, expStr] = s.toLowerCase().split('e') as [string, string];
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const pointAt = (mant.replace('-', '').indexOf('.') === -1 ? mant.replace('-', '').length : mant.replace('-', '').indexOf('.')) + exp;
  let out: string;
  if (pointAt <= 0) out = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length);
  else out = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return neg ? `-${out}` : out;
}
