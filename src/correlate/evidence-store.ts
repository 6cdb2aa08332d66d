import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Evidence } from '../model/types';
import type { JoinedEvidence } from './build-transaction';

// Holds evidence grouped by order until correlation ends. Below a bound it is a Map; past the
// bound every item goes to one of a fixed number of partition files chosen by a hash of the
// order number, so memory stays bounded whatever the input size, and each partition can later
// be grouped on its own. Either way `groups()` yields every order with all of its evidence.

export interface StoreOptions {
  /** Evidence items held in memory before spilling to disk. */
  maxInMemory: number;
  partitions: number;
  /** Folder for spill files (a private temporary folder is made inside it). */
  spillParent?: string;
}

// Per partition: 32 partitions × 64 KiB keeps the write buffers small.
const FLUSH_BYTES = 64 << 10;

function hashOf(s: string): number {
  // FNV-1a: cheap and stable across runs, which keeps partition contents deterministic.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class EvidenceStore {
  private memory: Map<string, JoinedEvidence[]> | null = new Map();
  private held = 0;
  private dir: string | null = null;
  private fds: number[] = [];
  private buffers: string[] = [];
  private spilledItems = 0;

  constructor(private readonly opts: StoreOptions) {}

  get spilled(): boolean {
    return this.memory === null;
  }

  /** Items written to disk so far (0 while everything fits in memory). */
  get spilledCount(): number {
    return this.spilledItems;
  }

  add(orderId: string, e: JoinedEvidence): void {
    if (this.memory !== null) {
      let l = this.memory.get(orderId);
      if (!l) this.memory.set(orderId, (l = []));
      l.push(e);
      if (++this.held > this.opts.maxInMemory) this.spill();
      return;
    }
    this.write(orderId, e);
  }

  /** Every order with its evidence. Partitions are read one at a time. */
  *groups(): Generator<[string, JoinedEvidence[]]> {
    if (this.memory !== null) {
      for (const id of [...this.memory.keys()].sort()) yield [id, this.memory.get(id)!];
      return;
    }
    this.flushAll();
    for (let p = 0; p < this.opts.partitions; p++) {
      const text = readFileSync(join(this.dir!, `p${p}.ndjson`), 'utf8');
      const byOrder = new Map<string, JoinedEvidence[]>();
      let start = 0;
      while (start < text.length) {
        let nl = text.indexOf('\n', start);
        if (nl < 0) nl = text.length;
        if (nl > start) {
          const rec = JSON.parse(text.slice(start, nl)) as { o: string; e: JoinedEvidence };
          if (rec.e.tsMs === null) rec.e.tsMs = NaN; // JSON has no NaN
          let l = byOrder.get(rec.o);
          if (!l) byOrder.set(rec.o, (l = []));
          l.push(rec.e);
        }
        start = nl + 1;
      }
      for (const id of [...byOrder.keys()].sort()) yield [id, byOrder.get(id)!];
    }
  }

  /** Remove spill files. Safe to call more than once. */
  dispose(): void {
    for (const fd of this.fds) {
      try { closeSync(fd); } catch { /* already closed */ }
    }
    this.fds = [];
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private spill(): void {
    this.dir = mkdtempSync(join(this.opts.spillParent ?? tmpdir(), 'salvage-spill-'));
    for (let p = 0; p < this.opts.partitions; p++) {
      this.fds.push(openSync(join(this.dir, `p${p}.ndjson`), 'w', 0o600));
      this.buffers.push('');
    }
    const mem = this.memory!;
    this.memory = null;
    for (const [id, list] of mem) for (const e of list) this.write(id, e);
  }

  private write(orderId: string, e: Evidence): void {
    const p = hashOf(orderId) % this.opts.partitions;
    this.buffers[p] += JSON.stringify({ o: orderId, e }) + '\n';
    this.spilledItems++;
    if (this.buffers[p]!.length >= FLUSH_BYTES) {
      writeSync(this.fds[p]!, this.buffers[p]!);
      this.buffers[p] = '';
    }
  }

  private flushAll(): void {
    for (let p = 0; p < this.opts.partitions; p++) {
      if (this.buffers[p]) {
        writeSync(this.fds[p]!, this.buffers[p]!);
        this.buffers[p] = '';
      }
    }
  }
}
