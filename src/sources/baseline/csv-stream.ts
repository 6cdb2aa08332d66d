// A push parser for CSV text (RFC 4180: quoted fields, `""` inside quotes, line breaks inside
// quotes), fed decoded text in chunks of any size and calling `row` once per record. Nothing
// but the record in progress is held. An unquoted `NULL` or `\N` (MySQL's SELECT … INTO
// OUTFILE) is null; an unquoted empty cell is ''.

export type Cell = string | null;

export class CsvStream {
  private cells: Cell[] = [];
  private cur = '';
  private quoted = false;
  /** The current cell was quoted (so `NULL` in it is text). */
  private wasQuoted = false;
  /** Just saw a quote inside a quoted cell: it either doubles (`""`) or closes the cell. */
  private quotePending = false;
  private delimiter: string | null;
  private any = false;

  constructor(
    private readonly row: (cells: Cell[]) => void,
    delimiter?: string,
  ) {
    this.delimiter = delimiter ?? null;
  }

  push(text: string): void {
    if (this.delimiter === null) {
      // Comma unless the first line has more tabs or semicolons (a spreadsheet export).
      const nl = text.indexOf('\n');
      const head = nl >= 0 ? text.slice(0, nl) : text;
      const count = (ch: string) => head.split(ch).length - 1;
      const c = count(','), t = count('\t'), s = count(';');
      this.delimiter = t > c && t >= s ? '\t' : s > c ? ';' : ',';
    }
    const d = this.delimiter;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (this.quotePending) {
        this.quotePending = false;
        if (ch === '"') {
          this.cur += '"';
          continue;
        }
        this.quoted = false;
        // fall through: `ch` follows the closing quote
      }
      if (this.quoted) {
        if (ch === '"') this.quotePending = true;
        else this.cur += ch;
        continue;
      }
      if (ch === d) {
        this.endCell();
      } else if (ch === '\n') {
        this.endCell();
        this.endRow();
      } else if (ch === '\r') {
        // part of CRLF, or stray: never data outside quotes
      } else if (ch === '"' && this.cur.trim() === '' && !this.wasQuoted) {
        this.quoted = true;
        this.wasQuoted = true;
        this.cur = '';
        this.any = true;
      } else {
        this.cur += ch;
        this.any = true;
      }
    }
  }

  end(): void {
    if (this.quotePending) {
      this.quotePending = false;
      this.quoted = false;
    }
    if (this.any || this.cells.length > 0) {
      this.endCell();
      this.endRow();
    }
  }

  private endCell(): void {
    let v: Cell = this.cur;
    if (!this.wasQuoted) {
      v = v.trim();
      if (v === 'NULL' || v === '\\N') v = null;
    }
    this.cells.push(v);
    this.cur = '';
    this.wasQuoted = false;
    this.any = true;
  }

  private endRow(): void {
    const cells = this.cells;
    this.cells = [];
    this.any = false;
    // A blank line is not a record.
    if (cells.length === 1 && cells[0] === '') return;
    this.row(cells);
  }
}
