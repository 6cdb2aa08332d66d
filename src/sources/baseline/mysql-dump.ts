import type { Cell } from './csv-stream';

// A push parser for mysqldump / phpMyAdmin / Navicat output, fed decoded text in chunks of any
// size. One line of a dump can hold a whole table (`INSERT INTO … VALUES (…),(…),…;` with
// thousands of rows), so rows are emitted as each tuple closes: only the tuple in progress is
// held, never the statement. String values follow MySQL's escaping (backslash escapes and a
// doubled quote); an unquoted NULL is null. Other statements are read only as far as needed:
// CREATE TABLE bodies (bounded) for the column names an INSERT without a column list relies on.

export interface DumpSink {
  /** A CREATE TABLE was read: the table and its columns in order. */
  createTable(table: string, columns: string[]): void;
  /** An INSERT starts; `columns` is null when the statement has no column list. Return false to skip its rows. */
  insert(table: string, columns: string[] | null): boolean;
  row(values: Cell[]): void;
}

export class DumpSyntaxError extends Error {
  override name = 'DumpSyntaxError';
}

type State =
  | 'top' | 'lineComment' | 'blockComment'
  | 'stmt' | 'values' | 'tuple' | 'skipStmt';

/** Statements other than INSERT are kept up to this size (a CREATE TABLE is a few KB). */
const MAX_STATEMENT = 1 << 20;
/** An INSERT's head (table and column list) must fit in this. */
const MAX_INSERT_HEAD = 1 << 16;

const ESCAPES: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };

export class DumpStream {
  private state: State = 'top';
  /** Text of the statement being read (head of an INSERT, or a whole other statement). */
  private stmt = '';
  private stmtOverflow = false;
  /** Quote state inside `stmt` / `skipStmt`: the open quote char, or ''. */
  private q = '';
  private escapeNext = false;
  /** Two-character lookahead across chunk boundaries: the previous char, when it may start a comment. */
  private prev = '';
  private commentClose = false;
  // Tuple parsing.
  private values: Cell[] = [];
  private cur = '';
  private inString = '';
  private strQuotePending = false;
  private strEscape = false;
  private wasString = false;
  private depth = 0;
  private keepRows = false;

  constructor(private readonly sink: DumpSink) {}

  push(text: string): void {
    for (let i = 0; i < text.length; i++) this.char(text[i]!);
  }

  end(): void {
    if (this.state === 'tuple' || this.state === 'values') throw new DumpSyntaxError('the dump ends inside an INSERT statement (cut short?)');
    if (this.state === 'stmt' && /^\s*(INSERT|REPLACE)\b/i.test(this.stmt)) throw new DumpSyntaxError('the dump ends inside an INSERT statement (cut short?)');
  }

  private char(c: string): void {
    switch (this.state) {
      case 'top':
        return this.top(c);
      case 'lineComment':
        if (c === '\n') this.state = 'top';
        return;
      case 'blockComment':
        if (this.commentClose && c === '/') {
          this.state = 'top';
          this.commentClose = false;
          return;
        }
        this.commentClose = c === '*';
        return;
      case 'stmt':
        return this.statement(c);
      case 'skipStmt':
        if (this.quoted(c)) return;
        if (c === ';') this.state = 'top';
        return;
      case 'values':
        return this.betweenTuples(c);
      case 'tuple':
        return this.tuple(c);
    }
  }

  private top(c: string): void {
    const p = this.prev;
    this.prev = '';
    if (p === '-') {
      if (c === '-') {
        this.state = 'lineComment';
        return;
      }
      this.begin('-');
      this.statement(c);
      return;
    }
    if (p === '/') {
      if (c === '*') {
        // `/*!40101 SET … */` conditional comments carry only session settings: skipped.
        this.state = 'blockComment';
        this.commentClose = false;
        return;
      }
      this.begin('/');
      this.statement(c);
      return;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === ';' || c === '\ufeff') return;
    if (c === '#') {
      this.state = 'lineComment';
      return;
    }
    if (c === '-' || c === '/') {
      this.prev = c;
      return;
    }
    this.begin('');
    this.statement(c);
  }

  private begin(text: string): void {
    this.state = 'stmt';
    this.stmt = text;
    this.stmtOverflow = false;
    this.q = '';
    this.escapeNext = false;
  }

  /** Tracks quotes in statement text; true when `c` is inside (or opens/closes) a quoted part. */
  private quoted(c: string): boolean {
    if (this.q) {
      if (this.escapeNext) this.escapeNext = false;
      else if (c === '\\' && this.q !== '`') this.escapeNext = true;
      else if (c === this.q) this.q = '';
      return true;
    }
    if (c === "'" || c === '"' || c === '`') {
      this.q = c;
      return true;
    }
    return false;
  }

  private statement(c: string): void {
    const inQuote = this.quoted(c);
    if (!inQuote && c === ';') {
      this.finishStatement();
      this.state = 'top';
      return;
    }
    if (!inQuote && c === '(' && /^\s*(INSERT|REPLACE)\b/i.test(this.stmt) && /\bVALUES?\s*$/i.test(this.stmt)) {
      this.startInsert();
      this.state = 'tuple';
      this.startTuple();
      return;
    }
    if (this.stmt.length < MAX_STATEMENT) this.stmt += c;
    else this.stmtOverflow = true;
    if (this.stmt.length > MAX_INSERT_HEAD && /^\s*(INSERT|REPLACE)\b/i.test(this.stmt)) {
      throw new DumpSyntaxError('an INSERT statement whose head (before VALUES) is longer than 64 KB: not a dump this reader understands');
    }
  }

  private finishStatement(): void {
    const s = this.stmt;
    this.stmt = '';
    if (this.stmtOverflow) return;
    const m = /^\s*CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:`[^`]+`|[\w$]+)(?:\s*\.\s*(?:`[^`]+`|[\w$]+))?)\s*\(([\s\S]*)\)[^)]*$/i.exec(s);
    if (m) this.sink.createTable(tableName(m[1]!), columnsOfCreate(m[2]!));
    else if (/^\s*(INSERT|REPLACE)\b/i.test(s)) {
      // INSERT … SELECT, or INSERT … SET col = …: no VALUES tuples to read.
      throw new DumpSyntaxError(`an INSERT without VALUES tuples (${s.slice(0, 60).replace(/\s+/g, ' ')}…): not a dump this reader understands`);
    }
  }

  private startInsert(): void {
    const head = this.stmt;
    this.stmt = '';
    const m = /^\s*(?:INSERT|REPLACE)\s+(?:(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE)\s+)*(?:INTO\s+)?((?:`[^`]+`|[\w$]+)(?:\s*\.\s*(?:`[^`]+`|[\w$]+))?)\s*(?:\(([^)]*)\))?\s*VALUES?\s*$/i.exec(head);
    if (!m) throw new DumpSyntaxError(`cannot read the INSERT statement head "${head.slice(0, 80).replace(/\s+/g, ' ')}"`);
    const cols = m[2] !== undefined ? splitTopLevel(m[2]).map((x) => unquoteIdent(x.trim())).filter((x) => x !== '') : null;
    this.keepRows = this.sink.insert(tableName(m[1]!), cols);
  }

  private betweenTuples(c: string): void {
    if (c === '(') {
      this.state = 'tuple';
      this.startTuple();
    } else if (c === ';') {
      this.state = 'top';
    } else if (c === ',' || c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      // between tuples
    } else {
      // ON DUPLICATE KEY UPDATE … and the like: nothing more to read in this statement.
      this.state = 'skipStmt';
      this.q = '';
      this.escapeNext = false;
      this.quoted(c);
    }
  }

  private startTuple(): void {
    this.values = [];
    this.cur = '';
    this.inString = '';
    this.strQuotePending = false;
    this.strEscape = false;
    this.wasString = false;
    this.depth = 0;
  }

  private tuple(c: string): void {
    if (this.strQuotePending) {
      this.strQuotePending = false;
      if (c === this.inString) {
        this.cur += c; // doubled quote inside the string
        return;
      }
      this.inString = '';
      // fall through: `c` follows the string
    }
    if (this.inString) {
      if (this.strEscape) {
        this.strEscape = false;
        // MySQL keeps the backslash of \% and \_ (they matter only in LIKE patterns).
        if (c === '%' || c === '_') this.cur += '\\' + c;
        else this.cur += ESCAPES[c] ?? c;
      } else if (c === '\\') this.strEscape = true;
      else if (c === this.inString) this.strQuotePending = true;
      else this.cur += c;
      return;
    }
    if (c === "'" || c === '"') {
      // A string, possibly after an introducer (_binary, _utf8mb4, X, B) that is dropped.
      if (!this.wasString && /^\s*(_\w+|[xXbB])?\s*$/.test(this.cur)) {
        this.inString = c;
        this.wasString = true;
        this.cur = '';
        return;
      }
      this.cur += c;
      return;
    }
    if (c === '(') {
      this.depth++;
      this.cur += c;
      return;
    }
    if (c === ')' && this.depth > 0) {
      this.depth--;
      this.cur += c;
      return;
    }
    if (c === ',' || c === ')') {
      this.values.push(this.value());
      if (c === ')') {
        if (this.keepRows) this.sink.row(this.values);
        this.values = [];
        this.state = 'values';
      }
      return;
    }
    if (this.wasString) {
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') return;
      throw new DumpSyntaxError(`unexpected "${c}" after a string value in an INSERT tuple`);
    }
    this.cur += c;
  }

  private value(): Cell {
    const v = this.cur;
    const s = this.wasString;
    this.cur = '';
    this.wasString = false;
    if (s) return v;
    const t = v.trim();
    if (/^NULL$/i.test(t)) return null;
    return t;
  }
}

function unquoteIdent(s: string): string {
  const t = s.trim();
  if (t.startsWith('`') && t.endsWith('`') && t.length >= 2) return t.slice(1, -1).replace(/``/g, '`');
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) return t.slice(1, -1);
  return t;
}

/** `db`.`tbl` → tbl. */
function tableName(s: string): string {
  const parts = s.split(/\s*\.\s*(?=`|[\w$])/);
  return unquoteIdent(parts[parts.length - 1]!);
}

/** Split at commas outside parentheses and quotes. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let q = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      cur += c;
      if (c === '\\' && q !== '`') {
        cur += s[++i] ?? '';
      } else if (c === q) q = '';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') q = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '') out.push(cur);
  return out;
}

const NOT_COLUMNS = /^(PRIMARY|KEY|UNIQUE|INDEX|CONSTRAINT|FULLTEXT|SPATIAL|CHECK|FOREIGN)\b/i;

/** Column names of a CREATE TABLE body, in order (keys and constraints left out). */
export function columnsOfCreate(body: string): string[] {
  const cols: string[] = [];
  for (const def of splitTopLevel(body)) {
    const t = def.trim();
    if (t === '' || NOT_COLUMNS.test(t)) continue;
    const m = /^(`(?:[^`]|``)+`|"[^"]+"|[\w$]+)/.exec(t);
    if (m) cols.push(unquoteIdent(m[1]!));
  }
  return cols;
}
