import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';

// Documents for the run's indices, sent in bulk requests as they come. The readers hand
// evidence over synchronously and cannot be made to wait, and the node may take documents more
// slowly than the workers make them: requests that cannot be sent yet are kept in memory up to
// a few, then on disk in the stage's private scratch folder (owner-only: evidence holds buyers'
// data), and sent in order as the node takes them. So memory stays bounded whatever the node's
// pace. Any document the node refuses ends the stage with an error; the stage is then run
// again (its documents have fixed ids).

const DOCS_PER_REQUEST = 2000;
const BYTES_PER_REQUEST = 4 * 1024 * 1024;
/** Requests in flight at once. */
const IN_FLIGHT = 2;
/** Requests waiting in memory; more wait on disk. */
const WAITING_IN_MEMORY = 2;

export interface DocOp {
  index: string;
  id: string;
  /** Absent: the index's own spreading by id. */
  routing?: string;
  doc: unknown;
}

interface Chunk {
  docs: number;
  text?: string;
  path?: string;
}

interface BulkAnswer {
  errors: boolean;
  items: Record<string, { status: number; error?: { type?: string; reason?: string } }>[];
}

export class DocWriter {
  private text = '';
  private docs = 0;
  private readonly waiting: Chunk[] = [];
  private inMemory = 0;
  private inFlight = 0;
  private spilled = 0;
  private failure: Error | null = null;
  private sentDocs = 0;
  private wake: (() => void) | null = null;

  /** `spillDir`: a private folder of the stage's, for requests the node cannot take yet. */
  constructor(private readonly client: Client, private readonly spillDir: string) {}

  get sent(): number {
    return this.sentDocs;
  }

  add(op: DocOp): void {
    const head = { index: { _index: op.index, _id: op.id, ...(op.routing !== undefined ? { routing: op.routing } : {}) } };
    this.text += JSON.stringify(head) + '\n' + JSON.stringify(op.doc) + '\n';
    this.docs++;
    if (this.docs >= DOCS_PER_REQUEST || this.text.length >= BYTES_PER_REQUEST) this.cut();
  }

  /** Waits while requests are waiting to be sent: callers that can wait call this now and then. */
  async room(): Promise<void> {
    while (this.waiting.length > 0 && !this.failure) await this.next();
    if (this.failure) throw this.failure;
  }

  /** Everything added so far sent and acknowledged (throws the first refusal). */
  async flush(): Promise<void> {
    this.cut();
    while ((this.waiting.length > 0 || this.inFlight > 0) && !(this.failure && this.inFlight === 0)) await this.next();
    if (this.failure) throw this.failure;
  }

  private next(): Promise<void> {
    return new Promise((res) => (this.wake = res));
  }

  private cut(): void {
    if (this.docs === 0) return;
    const chunk: Chunk = { docs: this.docs };
    if (this.inMemory < WAITING_IN_MEMORY) {
      chunk.text = this.text;
      this.inMemory++;
    } else {
      chunk.path = join(this.spillDir, `bulk-${this.spilled++}.ndjson`);
      writeFileSync(chunk.path, this.text, { mode: 0o600 });
    }
    this.text = '';
    this.docs = 0;
    this.waiting.push(chunk);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < IN_FLIGHT && this.waiting.length > 0 && !this.failure) {
      const chunk = this.waiting.shift()!;
      let body: string;
      if (chunk.text !== undefined) {
        body = chunk.text;
        this.inMemory--;
      } else {
        body = readFileSync(chunk.path!, 'utf8');
        rmSync(chunk.path!, { force: true });
      }
      this.inFlight++;
      this.send(body, chunk.docs)
        .catch((e: unknown) => {
          this.failure ??= e instanceof Error ? e : new Error(String(e));
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
          const w = this.wake;
          this.wake = null;
          w?.();
        });
    }
  }

  private async send(body: string, docs: number): Promise<void> {
    const r = (await this.client.transport.request({ method: 'POST', path: '/_bulk', bulkBody: body })) as BulkAnswer;
    if (r.errors) {
      const bad = r.items.map((it) => Object.values(it)[0]).find((x) => x?.error);
      throw new Error(`Elasticsearch refused a document: ${bad?.error?.type ?? '?'}: ${bad?.error?.reason ?? ''} / Elasticsearch 拒绝了文档`);
    }
    this.sentDocs += docs;
  }
}
