// Text gathered as UTF-8 bytes in one reused buffer, for the files the main thread writes a
// great deal of (scratch blocks, the record spool, the outputs). Concatenating strings and
// encoding the result once (`Buffer.from(parts.join(''))`, or `s += line` then a write) looks
// cheap but is not: V8 flattens the rope and encodes it on a slow path. Encoding each piece
// straight into a buffer measured about 10× faster per byte (node 20, JSON lines with and
// without Chinese text), and on a 10,000-order shop the scratch file's flush alone had been
// ~10% of the main thread's time (issue 11).

/** UTF-16 code units to UTF-8 bytes: at most 3 bytes a unit (a surrogate pair is 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;

export class Utf8Gather {
  private buf: Buffer;
  private used = 0;

  /** `capacity`: the usual most it holds between clears; it grows for a larger piece and shrinks back on `clear`. */
  constructor(private readonly capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Bytes gathered since the last clear. */
  get length(): number {
    return this.used;
  }

  /** Appends `text`; returns how many bytes it took. */
  add(text: string): number {
    this.reserve(text.length * MAX_BYTES_PER_UNIT);
    const n = this.buf.write(text, this.used, 'utf8');
    this.used += n;
    return n;
  }

  /** Appends one newline byte. */
  newline(): void {
    this.reserve(1);
    this.buf[this.used++] = 0x0a;
  }

  /** The bytes gathered: a view, valid until the next add or clear. */
  view(): Buffer {
    return this.buf.subarray(0, this.used);
  }

  /** Starts again; a buffer grown for one large piece is let go, so memory stays near `capacity`. */
  clear(): void {
    this.used = 0;
    if (this.buf.length > this.capacity * 4) this.buf = Buffer.allocUnsafe(this.capacity);
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.used + bytes, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}
