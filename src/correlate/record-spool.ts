import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transaction } from '../model/types';
import { Utf8Gather } from '../util/utf8-gather';
import { SPOOLS } from '../settings';

// Finished records, kept until they can be written out in their final order (by creation time,
// then order number). Below a bound they stay in memory; past it each record is appended to a
// temporary file and only a small index entry stays in memory, so holding 40,000 records costs
// a few megabytes instead of a few hundred.

export interface RecordSummary {
  order_id: string;
  status: Transaction['status'];
  amount: number | null;
  paid_at: string | null;
  created_at: string | null;
}

interface IndexEntry {
  key: number;
  id: string;
  pos: number;
  len: number;
}

const FLUSH_BYTES = SPOOLS.recordSpoolBytes;

export class RecordSpool {
  private memory: { t: Transaction; text: string | undefined }[] | null = [];
  private index: IndexEntry[] = [];
  private readonly summaries: RecordSummary[] = [];
  private added = 0;
  private dir: string | null = null;
  private fd = -1;
  private pos = 0;
  /** Records appended since the last flush, already encoded. */
  private readonly pending = new Utf8Gather(FLUSH_BYTES + FLUSH_BYTES / 4);
  private pendingStart = 0;

  constructor(private readonly maxInMemory: number = SPOOLS.recordsInMemory, private readonly spillParent?: string) {}

  get count(): number {
    return this.added;
  }

  /** What the balance check needs of every paid record, without the record (records with no paid_at are not kept here). */
  get paidSummary(): readonly RecordSummary[] {
    return this.summaries;
  }

  /** `text`, when given, is the record's JSON already made (it is then not made again). */
  add(t: Transaction, text?: string): void {
    this.added++;
    if (t.paid_at !== null) this.summaries.push({ order_id: t.order_id, status: t.status, amount: t.amount, paid_at: t.paid_at, created_at: t.created_at });
    if (this.memory !== null) {
      this.memory.push({ t, text });
      if (this.memory.length > this.maxInMemory) this.spill();
      return;
    }
    this.append(t, text);
  }

  /** Every record, ordered by creation time then order number. */
  *sorted(): Generator<Transaction> {
    for (const [t] of this.sortedWithText()) yield t;
  }

  /** Every record in order, with its JSON text (the same as JSON.stringify of the record). */
  *sortedWithText(): Generator<[Transaction, string]> {
    if (this.memory !== null) {
      for (const m of [...this.memory].sort((a, b) => compareRecords(a.t, b.t))) yield [m.t, m.text ?? JSON.stringify(m.t)];
      return;
    }
    this.flush();
    const order = [...this.index].sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const buf = Buffer.alloc(64 * 1024);
    for (const e of order) {
      const b = e.len <= buf.length ? buf : Buffer.alloc(e.len);
      readSync(this.fd, b, 0, e.len, e.pos);
      const text = b.toString('utf8', 0, e.len);
      yield [JSON.parse(text) as Transaction, text];
    }
  }

  dispose(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private spill(): void {
    this.dir = mkdtempSync(join(this.spillParent ?? tmpdir(), 'salvage-records-'));
    this.fd = openSync(join(this.dir, 'records.ndjson'), 'w+', 0o600);
    const mem = this.memory!;
    this.memory = null;
    for (const m of mem) this.append(m.t, m.text);
  }

  private append(t: Transaction, text?: string): void {
    const len = this.pending.add(text ?? JSON.stringify(t));
    this.pending.newline();
    this.index.push({ key: createdKey(t), id: t.order_id, pos: this.pos, len });
    this.pos += len + 1;
    if (this.pending.length >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const b = this.pending.view();
    let done = 0;
    while (done < b.length) done += writeSync(this.fd, b, done, b.length - done, this.pendingStart + done);
    this.pendingStart += b.length;
    this.pending.clear();
  }
}

function createdKey(t: Transaction): number {
  return t.created_at ? Date.parse(t.created_at) : Number.MAX_SAFE_INTEGER;
}

export function compareRecords(a: Transaction, b: Transaction): number {
  const ca = createdKey(a);
  const cb = createdKey(b);
  return ca !== cb ? ca - cb : a.order_id < b.order_id ? -1 : a.order_id > b.order_id ? 1 : 0;
}
