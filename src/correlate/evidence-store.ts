import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinedEvidence } from './build-transaction';
import { parseEvidence } from '../pipeline/evidence-batch';

// Holds evidence (as JSON text, the way it arrives) grouped by order until correlation ends. Below a bound it is a Map; past the
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
  private memory: Map<string, string[]> | null = new Map();
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

  add(orderId: string, json: string): void {
    if (this.memory !== null) {
      let l = this.memory.get(orderId);
      if (!l) this.memory.set(orderId, (l = []));
      l.push(json);
      if (++this.held > this.opts.maxInMemory) this.spill();
      return;
    }
    this.write(orderId, json);
  }

  /** Every order with its evidence. Partitions are read one at a time. */
  *groups(): Generator<[string, JoinedEvidence[]]> {
    if (this.memory !== null) {
      for (const id of [...this.memory.keys()].sort()) yield [id, this.memory.get(id)!.map((j) => parseEvidence(j) as JoinedEvidence)];
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
          // Each line is `<order id>\t<evidence JSON>`: order ids never hold a tab or newline here.
          const tab = text.indexOf('\t', start);
          // A fresh copy: a slice would keep the whole partition text alive for as long as the
          // order id is held (records and summaries hold it to the end of the run).
          const id = text.slice(start, tab).split('').join('');
          let l = byOrder.get(id);
          if (!l) byOrder.set(id, (l = []));
          l.push(parseEvidence(text.slice(tab + 1, nl)) as JoinedEvidence);
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
    for (const [id, list] of mem) for (const j of list) this.write(id, j);
  }

  private write(orderId: string, json: string): void {
    const p = hashOf(orderId) % this.opts.partitions;
    // Tabs and newlines in an order id would break the line format; such ids are escaped.
    const id = /[\t\n]/.test(orderId) ? orderId.replace(/[\t\n]/g, ' ') : orderId;
    this.buffers[p] += id + '\t' + json + '\n';
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
