import type { Client } from '@elastic/elasticsearch';

// Documents for the run's indices, sent in bulk requests as they come. The readers hand
// evidence over synchronously, so `add` never waits: documents gather into a request, and a
// full request is sent while the next one gathers. Any document the node refuses ends the stage
// with an error; the stage is then run again (its documents have fixed ids).

const DOCS_PER_REQUEST = 2000;
const BYTES_PER_REQUEST = 4 * 1024 * 1024;
/** Requests in flight before the next one waits for one of them (at `flush`). */
const IN_FLIGHT = 2;

export interface DocOp {
  index: string;
  id: string;
  /** Absent: the index's own spreading by id. */
  routing?: string;
  doc: unknown;
}

export class DocWriter {
  private body: unknown[] = [];
  private bytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | null = null;
  private sentDocs = 0;

  constructor(private readonly client: Client) {}

  get sent(): number {
    return this.sentDocs;
  }

  add(op: DocOp): void {
    const head = { index: { _index: op.index, _id: op.id, ...(op.routing !== undefined ? { routing: op.routing } : {}) } };
    this.body.push(head, op.doc);
    // A rough size: the documents are mostly the evidence text.
    this.bytes += 64 + JSON.stringify(op.doc).length;
    if (this.body.length / 2 >= DOCS_PER_REQUEST || this.bytes >= BYTES_PER_REQUEST) this.send();
  }

  /** Waits for room when too many requests are out: callers that can wait call this between files. */
  async room(): Promise<void> {
    while (this.inFlight.size >= IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /** Everything added so far sent and acknowledged (throws the first refusal). */
  async flush(): Promise<void> {
    this.send();
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private send(): void {
    if (this.body.length === 0) return;
    const body = this.body;
    const docs = body.length / 2;
    this.body = [];
    this.bytes = 0;
    const p: Promise<void> = this.client
      .bulk({ operations: body })
      .then((r) => {
        if (r.errors) {
          const bad = r.items.find((it) => Object.values(it)[0]?.error);
          const err = bad ? Object.values(bad)[0]!.error : undefined;
          throw new Error(`Elasticsearch refused a document: ${err?.type ?? '?'}: ${err?.reason ?? ''} / Elasticsearch 拒绝了文档`);
        }
        this.sentDocs += docs;
      })
      .catch((e: unknown) => {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }
}
