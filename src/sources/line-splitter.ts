// Splits a byte stream into lines without decoding it, so that every line keeps its exact
// byte offset (provenance) and undecodable bytes reach the decoder intact. Works on Buffers
// and calls a synchronous visitor per line: no per-line promise, and no per-line string unless
// the visitor makes one. Like split2, it has a maxLength guard: an overlong line is reported
// with its head and length, and its bytes are skipped rather than held in memory.

export interface LineVisitor {
  /** A complete line, without its terminator. `buf[start..end)` is only valid during the call. */
  line(buf: Buffer, start: number, end: number, lineNo: number, offset: number): void;
  /** A line longer than maxLineBytes: its first bytes, its full length, and where it started. */
  overlong(head: Buffer, length: number, lineNo: number, offset: number): void;
}

export interface SplitterStats {
  lines: number;
  bytes: number;
  /** True when the input did not end with a newline (the last line may have been cut). */
  unterminatedLastLine: boolean;
}

const NL = 0x0a;
const CR = 0x0d;
export const HEAD_BYTES = 200;

export class LineSplitter {
  private consumed = 0;
  private lineNo = 0;
  private carry: Buffer | null = null;
  private carryStart = 0;
  private skipping = false;
  private skipLen = 0;
  private skipHead: Buffer = Buffer.alloc(0);
  private skipStart = 0;
  private unterminated = false;

  constructor(
    private readonly visitor: LineVisitor,
    private readonly maxLineBytes: number,
  ) {}

  push(chunk: Buffer): void {
    const base = this.consumed;
    const len = chunk.length;
    this.consumed += len;
    let pos = 0;
    if (this.skipping) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.skipLen += len;
        return;
      }
      this.skipLen += nl;
      this.finishOverlong();
      pos = nl + 1;
    } else if (this.carry !== null) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        if (this.carry.length + len > this.maxLineBytes) {
          this.beginOverlong(Buffer.concat([this.carry, chunk.subarray(0, HEAD_BYTES)]), this.carry.length + len, this.carryStart);
          this.carry = null;
        } else {
          this.carry = Buffer.concat([this.carry, chunk]);
        }
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
      this.carry = null;
      this.emit(joined, 0, joined.length, this.carryStart);
      pos = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(NL, pos);
      if (nl < 0) break;
      this.emit(chunk, pos, nl, base + pos);
      pos = nl + 1;
    }
    if (pos < len) {
      const rest = len - pos;
      if (rest > this.maxLineBytes) {
        this.beginOverlong(chunk.subarray(pos, pos + HEAD_BYTES), rest, base + pos);
      } else {
        // Copy: the stream may reuse the chunk's memory after we return.
        this.carry = Buffer.from(chunk.subarray(pos));
        this.carryStart = base + pos;
      }
    }
  }

  /** Flush the last line if the input did not end with a newline. */
  end(): SplitterStats {
    if (this.skipping) {
      this.unterminated = true;
      this.finishOverlong();
    } else if (this.carry !== null) {
      this.unterminated = true;
      const c = this.carry;
      this.carry = null;
      this.emit(c, 0, c.length, this.carryStart);
    }
    return { lines: this.lineNo, bytes: this.consumed, unterminatedLastLine: this.unterminated };
  }

  private emit(buf: Buffer, start: number, end: number, offset: number): void {
    if (end > start && buf[end - 1] === CR) end--;
    this.lineNo++;
    if (end - start > this.maxLineBytes) {
      this.visitor.overlong(Buffer.from(buf.subarray(start, start + HEAD_BYTES)), end - start, this.lineNo, offset);
    } else {
      this.visitor.line(buf, start, end, this.lineNo, offset);
    }
  }

  private beginOverlong(head: Buffer, lengthSoFar: number, start: number): void {
    this.skipping = true;
    this.skipHead = Buffer.from(head.subarray(0, HEAD_BYTES));
    this.skipLen = lengthSoFar;
    this.skipStart = start;
  }

  private finishOverlong(): void {
    this.lineNo++;
    this.visitor.overlong(this.skipHead, this.skipLen, this.lineNo, this.skipStart);
    this.skipping = false;
    this.skipHead = Buffer.alloc(0);
  }
}
