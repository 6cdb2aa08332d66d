// Splits a byte stream into lines without decoding it, so that every line keeps its exact
// byte offset (provenance) and undecodable bytes reach the decoder intact. Works on Buffers
// and calls a synchronous visitor per line: no per-line promise, and no per-line string unless
// the visitor makes one. Like split2, it has a maxLength guard: an overlong line is reported
// with its head and length, and its bytes are skipped rather than held in memory.
//
// A line is the bytes between two newlines, less one trailing CR. It is overlong when that is
// more than maxLineBytes; its reported length excludes the CR, and its head is its first
// min(HEAD_BYTES, length) bytes, whatever the chunking. At most maxLineBytes + 1 bytes of a
// line in progress are held (the +1 is a CR that may turn out to end it).

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
  /** Copies of the earlier parts of the line in progress (not skipping), and their total size. */
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  private lineStart = 0;
  private skipping = false;
  private skipLen = 0;
  private skipHead: Buffer = Buffer.alloc(0);
  private skipHeadLen = 0;
  private skipLast = -1;
  private unterminated = false;

  constructor(
    private readonly visitor: LineVisitor,
    private readonly maxLineBytes: number,
  ) {}

  /** Bytes of input currently held between calls (the line in progress, or an overlong line's head). */
  get bufferedBytes(): number {
    return this.pieceBytes + (this.skipping ? this.skipHead.length : 0);
  }

  push(chunk: Buffer): void {
    const base = this.consumed;
    const len = chunk.length;
    this.consumed += len;
    if (len === 0) return;
    let pos = 0;
    if (this.skipping) {
      const nl = chunk.indexOf(NL);
      this.skipAppend(chunk, 0, nl < 0 ? len : nl);
      if (nl < 0) return;
      this.finishOverlong();
      pos = nl + 1;
    } else if (this.pieces.length > 0) {
      const nl = chunk.indexOf(NL);
      const total = this.pieceBytes + (nl < 0 ? len : nl);
      if (total > this.maxLineBytes + 1) {
        // Too long even if it ends with a CR: keep only the head from now on.
        this.beginOverlong(this.lineStart);
        for (const p of this.pieces) this.skipAppend(p, 0, p.length);
        this.dropPieces();
        this.skipAppend(chunk, 0, nl < 0 ? len : nl);
        if (nl < 0) return;
        this.finishOverlong();
      } else if (nl < 0) {
        // Copy: the stream may reuse the chunk's memory after we return.
        this.pieces.push(Buffer.from(chunk));
        this.pieceBytes += len;
        return;
      } else {
        this.pieces.push(chunk.subarray(0, nl));
        const joined = Buffer.concat(this.pieces, total);
        this.dropPieces();
        this.emit(joined, 0, total, this.lineStart);
      }
      pos = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(NL, pos);
      if (nl < 0) break;
      this.emit(chunk, pos, nl, base + pos);
      pos = nl + 1;
    }
    if (pos < len) {
      if (len - pos > this.maxLineBytes + 1) {
        this.beginOverlong(base + pos);
        this.skipAppend(chunk, pos, len);
      } else {
        this.pieces.push(Buffer.from(chunk.subarray(pos)));
        this.pieceBytes = len - pos;
        this.lineStart = base + pos;
      }
    }
  }

  /** Flush the last line if the input did not end with a newline. */
  end(): SplitterStats {
    if (this.skipping) {
      this.unterminated = true;
      this.finishOverlong();
    } else if (this.pieces.length > 0) {
      this.unterminated = true;
      const c = Buffer.concat(this.pieces, this.pieceBytes);
      this.dropPieces();
      this.emit(c, 0, c.length, this.lineStart);
    }
    return { lines: this.lineNo, bytes: this.consumed, unterminatedLastLine: this.unterminated };
  }

  private dropPieces(): void {
    this.pieces = [];
    this.pieceBytes = 0;
  }

  private emit(buf: Buffer, start: number, end: number, offset: number): void {
    if (end > start && buf[end - 1] === CR) end--;
    this.lineNo++;
    if (end - start > this.maxLineBytes) {
      this.visitor.overlong(Buffer.from(buf.subarray(start, Math.min(end, start + HEAD_BYTES))), end - start, this.lineNo, offset);
    } else {
      this.visitor.line(buf, start, end, this.lineNo, offset);
    }
  }

  private beginOverlong(start: number): void {
    this.skipping = true;
    this.skipHead = Buffer.allocUnsafe(HEAD_BYTES);
    this.skipHeadLen = 0;
    this.skipLen = 0;
    this.skipLast = -1;
    this.lineStart = start;
  }

  /** Count `buf[start..end)` into the overlong line, keeping only its first HEAD_BYTES. */
  private skipAppend(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    if (this.skipHeadLen < HEAD_BYTES) {
      this.skipHeadLen += buf.copy(this.skipHead, this.skipHeadLen, start, Math.min(end, start + HEAD_BYTES - this.skipHeadLen));
    }
    this.skipLen += end - start;
    this.skipLast = buf[end - 1]!;
  }

  private finishOverlong(): void {
    const length = this.skipLast === CR ? this.skipLen - 1 : this.skipLen;
    this.lineNo++;
    const head = Buffer.from(this.skipHead.subarray(0, Math.min(this.skipHeadLen, length)));
    this.skipping = false;
    this.skipHead = Buffer.alloc(0);
    this.visitor.overlong(head, length, this.lineNo, this.lineStart);
  }
}
