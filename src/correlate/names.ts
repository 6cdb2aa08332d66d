// Text that repeats on every line (file names, rule ids, pay handlers) is kept once, and each
// source (format and folder, see clock-skew.ts) gets a small number, so that what the
// correlator keeps per order and per parked line is a few plain values.

export class Names {
  private readonly shared = new Map<string, string>();
  private readonly bySource: string[] = [];

  /** The shared copy of a name that repeats on many lines. */
  name(s: string): string {
    const got = this.shared.get(s);
    if (got !== undefined) return got;
    this.shared.set(s, s);
    return s;
  }

  /** A source's number (from 1, in the order sources are first seen): what OrderKeys and parked lines keep. */
  sourceCode(source: string): number {
    const i = this.bySource.indexOf(source);
    if (i >= 0) return i + 1;
    this.bySource.push(source);
    return this.bySource.length;
  }

  /** The source with this number; '' for 0 (none known). */
  source(code: number): string {
    return this.bySource[code - 1] ?? '';
  }

  /** Every source, numbered from 1 by position. */
  get sources(): readonly string[] {
    return this.bySource;
  }
}
