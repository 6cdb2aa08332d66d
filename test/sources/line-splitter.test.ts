import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { HEAD_BYTES, LineSplitter, type SplitterStats } from '../../src/sources/line-splitter';

// The reference is the obvious whole-buffer split: a line is the bytes between newlines less
// one trailing CR; a final empty piece (input ending in \n, or empty input) is not a line; a line
// longer than maxLineBytes is reported as overlong with its first min(HEAD_BYTES, length) bytes.

type Rec =
  | { kind: 'line'; hex: string; lineNo: number; offset: number }
  | { kind: 'overlong'; head: string; length: number; lineNo: number; offset: number };

function reference(buf: Buffer, max: number): { recs: Rec[]; stats: SplitterStats } {
  const recs: Rec[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < buf.length) {
    let nl = buf.indexOf(0x0a, start);
    const terminated = nl >= 0;
    if (!terminated) nl = buf.length;
    let end = nl;
    if (end > start && buf[end - 1] === 0x0d) end--;
    lineNo++;
    const len = end - start;
    if (len > max) {
      recs.push({ kind: 'overlong', head: buf.subarray(start, start + Math.min(len, HEAD_BYTES)).toString('hex'), length: len, lineNo, offset: start });
    } else {
      recs.push({ kind: 'line', hex: buf.subarray(start, end).toString('hex'), lineNo, offset: start });
    }
    start = nl + 1;
  }
  return {
    recs,
    stats: { lines: lineNo, bytes: buf.length, unterminatedLastLine: buf.length > 0 && buf[buf.length - 1] !== 0x0a },
  };
}

function collector(): { recs: Rec[]; visitor: ConstructorParameters<typeof LineSplitter>[0] } {
  const recs: Rec[] = [];
  return {
    recs,
    visitor: {
      line(b, s, e, lineNo, offset) {
        recs.push({ kind: 'line', hex: b.toString('hex', s, e), lineNo, offset });
      },
      overlong(head, length, lineNo, offset) {
        recs.push({ kind: 'overlong', head: head.toString('hex'), length, lineNo, offset });
      },
    },
  };
}

/** Feed `buf` in chunks whose sizes cycle through `sizes`. */
function split(buf: Buffer, sizes: number[], max: number): { recs: Rec[]; stats: SplitterStats } {
  const c = collector();
  const s = new LineSplitter(c.visitor, max);
  let pos = 0;
  let i = 0;
  while (pos < buf.length) {
    const n = sizes[i++ % sizes.length]!;
    s.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  return { recs: c.recs, stats: s.end() };
}

// Bytes biased towards the ones that matter to a splitter.
const byte = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0x0a, 0x0d, 0x41) },
  { weight: 7, arbitrary: fc.integer({ min: 0, max: 255 }) },
);
// Log-like input: lines of varied length (some past HEAD_BYTES), \n or \r\n, maybe no final newline.
const lineBody = fc.oneof(
  fc.uint8Array({ maxLength: 12 }),
  fc.uint8Array({ minLength: 180, maxLength: 450 }),
  fc.array(byte, { maxLength: 40 }).map((a) => Uint8Array.from(a)),
);
const logLike = fc
  .tuple(fc.array(fc.tuple(lineBody, fc.constantFrom('\n', '\r\n')), { maxLength: 12 }), fc.boolean())
  .map(([lines, trailing]) => {
    const parts: Buffer[] = [];
    lines.forEach(([body, eol], i) => {
      parts.push(Buffer.from(body));
      if (trailing || i < lines.length - 1) parts.push(Buffer.from(eol));
    });
    return Buffer.concat(parts);
  });
const anyBytes = fc.array(byte, { maxLength: 600 }).map((a) => Buffer.from(a));
const chunkSizes = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }),
  fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 6 }),
  fc.constant<number[]>([1]),
);
const maxLine = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 150, max: 320 }), fc.constant(1 << 20));

test('LineSplitter: any bytes in any chunking give the reference lines, offsets and overlong reports', () => {
  fc.assert(
    fc.property(fc.oneof(logLike, anyBytes), chunkSizes, maxLine, (buf, sizes, max) => {
      const want = reference(buf, max);
      const got = split(buf, sizes, max);
      assert.deepEqual(got.recs, want.recs);
      assert.deepEqual(got.stats, want.stats);
    }),
    { numRuns: 1500 },
  );
});

test('LineSplitter: a line of exactly maxLineBytes followed by CRLF is not overlong, wherever the chunk boundary falls', () => {
  // Regression: "abcd\r" | "\n" with maxLineBytes 4 used to be reported overlong with length 5.
  const buf = Buffer.from('abcd\r\nxy\r\n');
  for (let cut = 1; cut < buf.length; cut++) {
    const c = collector();
    const s = new LineSplitter(c.visitor, 4);
    s.push(buf.subarray(0, cut));
    s.push(buf.subarray(cut));
    s.end();
    assert.deepEqual(
      c.recs,
      [
        { kind: 'line', hex: Buffer.from('abcd').toString('hex'), lineNo: 1, offset: 0 },
        { kind: 'line', hex: Buffer.from('xy').toString('hex'), lineNo: 2, offset: 6 },
      ],
      `cut at ${cut}`,
    );
  }
});

test('LineSplitter: the overlong head is the line\'s own bytes, never the following lines or its CR', () => {
  // Regression: with maxLineBytes < HEAD_BYTES the head used to run on into the next lines.
  const c = collector();
  const s = new LineSplitter(c.visitor, 4);
  s.push(Buffer.from('abcdefgh\r\n12\n'));
  s.end();
  assert.deepEqual(c.recs, [
    { kind: 'overlong', head: Buffer.from('abcdefgh').toString('hex'), length: 8, lineNo: 1, offset: 0 },
    { kind: 'line', hex: Buffer.from('12').toString('hex'), lineNo: 2, offset: 10 },
  ]);
});

test('LineSplitter: an overlong line spanning many chunks is reported once, and the lines after it are intact', () => {
  const long = Buffer.alloc(5000, 0x61);
  long.write('HEAD-START', 0, 'latin1');
  const buf = Buffer.concat([Buffer.from('first\n'), long, Buffer.from('\r\nsecond\nthird')]);
  for (const size of [1, 7, 64, 999, 5006]) {
    const got = split(buf, [size], 100);
    assert.deepEqual(
      got.recs,
      [
        { kind: 'line', hex: Buffer.from('first').toString('hex'), lineNo: 1, offset: 0 },
        { kind: 'overlong', head: long.subarray(0, HEAD_BYTES).toString('hex'), length: 5000, lineNo: 2, offset: 6 },
        { kind: 'line', hex: Buffer.from('second').toString('hex'), lineNo: 3, offset: 5008 },
        { kind: 'line', hex: Buffer.from('third').toString('hex'), lineNo: 4, offset: 5015 },
      ],
      `chunk size ${size}`,
    );
    assert.deepEqual(got.stats, { lines: 4, bytes: buf.length, unterminatedLastLine: true });
  }
});

test('LineSplitter: an overlong last line without a newline is still reported, and flagged unterminated', () => {
  const got = split(Buffer.from('ok\n' + 'z'.repeat(300)), [16], 50);
  assert.deepEqual(got.recs, [
    { kind: 'line', hex: Buffer.from('ok').toString('hex'), lineNo: 1, offset: 0 },
    { kind: 'overlong', head: Buffer.from('z'.repeat(HEAD_BYTES)).toString('hex'), length: 300, lineNo: 2, offset: 3 },
  ]);
  assert.equal(got.stats.unterminatedLastLine, true);
});

test('LineSplitter: lines are copied out of chunks that the stream reuses afterwards', () => {
  const c = collector();
  const s = new LineSplitter(c.visitor, 1000);
  const chunk = Buffer.from('alpha\nbra');
  s.push(chunk);
  chunk.fill(0x21); // a stream recycling its buffer
  const next = Buffer.from('vo\ncharlie\n');
  s.push(next);
  s.end();
  assert.deepEqual(
    c.recs.map((r) => (r.kind === 'line' ? Buffer.from(r.hex, 'hex').toString('latin1') : r.kind)),
    ['alpha', 'bravo', 'charlie'],
  );
});

test('LineSplitter: empty input, empty chunks and empty lines', () => {
  assert.deepEqual(split(Buffer.alloc(0), [1], 10), { recs: [], stats: { lines: 0, bytes: 0, unterminatedLastLine: false } });
  const c = collector();
  const s = new LineSplitter(c.visitor, 10);
  s.push(Buffer.alloc(0));
  s.push(Buffer.from('\n\r\n'));
  s.push(Buffer.alloc(0));
  assert.deepEqual(s.end(), { lines: 2, bytes: 3, unterminatedLastLine: false });
  assert.deepEqual(c.recs, [
    { kind: 'line', hex: '', lineNo: 1, offset: 0 },
    { kind: 'line', hex: '', lineNo: 2, offset: 1 },
  ]);
});

function gcFunction(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

test('LineSplitter: a 10 MB line with maxLineBytes 1 MiB is skipped, not held, and the next line is fine', () => {
  const MiB = 1 << 20;
  const max = MiB;
  const lineLen = 10 * MiB;
  const gc = gcFunction();

  // Fed as a stream would: one 64 KiB buffer, refilled and pushed again (so the test itself
  // allocates nothing while the line goes through).
  const c = collector();
  const s = new LineSplitter(c.visitor, max);
  const chunk = Buffer.alloc(64 * 1024, 0x78);
  s.push(Buffer.from('before\n'));
  gc();
  const baseline = process.memoryUsage().arrayBuffers;
  let maxHeld = 0;
  let maxGrowth = 0;
  for (let sent = 0; sent < lineLen; sent += chunk.length) {
    s.push(chunk);
    maxHeld = Math.max(maxHeld, s.bufferedBytes);
    if ((sent / chunk.length) % 16 === 15) {
      gc();
      maxGrowth = Math.max(maxGrowth, process.memoryUsage().arrayBuffers - baseline);
    }
  }
  s.push(Buffer.from('\r\nafter\n'));
  const stats = s.end();

  assert.ok(maxHeld <= max + 1 + HEAD_BYTES, `splitter held ${maxHeld} bytes`);
  assert.ok(maxGrowth < max + 256 * 1024, `external memory grew by ${maxGrowth} bytes while the line streamed through`);
  assert.deepEqual(c.recs, [
    { kind: 'line', hex: Buffer.from('before').toString('hex'), lineNo: 1, offset: 0 },
    { kind: 'overlong', head: Buffer.alloc(HEAD_BYTES, 0x78).toString('hex'), length: lineLen, lineNo: 2, offset: 7 },
    { kind: 'line', hex: Buffer.from('after').toString('hex'), lineNo: 3, offset: 7 + lineLen + 2 },
  ]);
  assert.deepEqual(stats, { lines: 3, bytes: 7 + lineLen + 8, unterminatedLastLine: false });
});

test('LineSplitter: a 10 MB line inside one big chunk (newline included) is reported overlong with a small head', () => {
  const MiB = 1 << 20;
  const buf = Buffer.alloc(10 * MiB + 6, 0x79);
  buf[10 * MiB] = 0x0a;
  buf.write('next\n', 10 * MiB + 1, 'latin1');
  const c = collector();
  const heads: number[] = [];
  const s = new LineSplitter(
    {
      line: c.visitor.line,
      overlong(head, length, lineNo, offset) {
        heads.push(head.length);
        c.visitor.overlong(head, length, lineNo, offset);
      },
    },
    MiB,
  );
  s.push(buf);
  assert.equal(s.bufferedBytes, 0);
  s.end();
  assert.deepEqual(heads, [HEAD_BYTES]);
  assert.deepEqual(c.recs[1], { kind: 'line', hex: Buffer.from('next').toString('hex'), lineNo: 2, offset: 10 * MiB + 1 });
  assert.equal(c.recs[0]!.kind === 'overlong' && c.recs[0]!.length, 10 * MiB);
});
