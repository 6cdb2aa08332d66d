// A small streaming reader of RFC 4180 CSV (quoted cells may hold commas, quotes and newlines),
// enough for review.csv as salvage writes it. Fed chunks, it hands back the complete rows.

export class CsvRows {
  private cell = '';
  private row: string[] = [];
  private quoted = false;
  /** After a closing quote: a second quote is an escaped one. */
  private quoteSeen = false;
  /** An unquoted \r just read: a line ending if \n follows, else part of the cell. */
  private cr = false;

  push(chunk: string): string[][] {
    const out: string[][] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.quoted) {
        if (c === '"') {
          this.quoted = false;
          this.quoteSeen = true;
        } else this.cell += c;
        continue;
      }
      if (this.cr) {
        this.cr = false;
        if (c !== '\n') this.cell += '\r';
      }
      if (c === '"') {
        if (this.quoteSeen) this.cell += '"';
        this.quoted = true;
        this.quoteSeen = false;
        continue;
      }
      this.quoteSeen = false;
      if (c === '\r') {
        this.cr = true;
      } else if (c === ',') {
        this.row.push(this.cell);
        this.cell = '';
      } else if (c === '\n') {
        this.row.push(this.cell);
        out.push(this.row);
        this.row = [];
        this.cell = '';
      } else this.cell += c;
    }
    return out;
  }

  /** The last row when the text did not end with a newline. */
  end(): string[][] {
    if (this.cr) this.cell += '\r';
    this.cr = false;
    if (this.cell === '' && this.row.length === 0) return [];
    const last = [...this.row, this.cell];
    this.row = [];
    this.cell = '';
    return [last];
  }
}

/** The cell as the user wrote it: the `'` that guards against spreadsheet formulas is taken off. */
export function unguard(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}
