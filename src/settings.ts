// Every tuning setting of the pipeline and every default a command falls back to, in one place,
// each with why it has the value it has. Changing one changes what a run does (and, for the
// windows and thresholds, its outputs): test/e2e/outputs-unchanged.test.ts says when.
//
// Nothing here is read from the environment or the command line; the commands do that, and fall
// back to these values.

/** The whole process's peak resident memory a run should stay within (issue 11's budget, worker
 *  threads included; measured with GNU time's %M by `npm run bench`). report.json → run.memory
 *  says whether a run did. */
export const MEMORY = {
  rssBudgetMb: 256,
} as const;

/** Reading files: chunk sizes, batches that cross threads, how many files are open at once. */
export const READING = {
  /** Bytes read from a file at a time. Small enough that a paced reader stops within minutes of
   *  log time of where it was asked to. */
  chunkBytes: 256 * 1024,
  /** How often a file being read says how far in time it has got (bytes of input). */
  progressBytes: 256 * 1024,
  /** Evidence items (or rejects) a worker gathers before it posts them to the main thread. */
  batchItems: 2000,
  /** Batches a worker has in flight before its reading pauses: bounds memory when the main thread
   *  is the slower side. A batch waits in the main thread's message queue as serialized bytes and
   *  then as strings, up to ~2 MB each: 16 per worker reached the 16 often on the bench corpus and
   *  held ~20 MB more at the peak than 4 do, for no gain in speed (the main thread is the slower
   *  side then anyway). */
  batchesInFlight: 4,
  /** Files each worker reads at once, taking turns: enough for the usual web, app and callback
   *  logs of the same hours. */
  filesPerWorker: 2,
  /** Files read at once without worker threads. */
  filesInProcess: 3,
  /** What a gzip file is taken to decompress to, times its size, when files are shared out among
   *  workers by the work they hold (log text compresses about this well). */
  gzipExpansion: 6,
  /** Seconds a worker may send nothing while it has a file to read before the run is stopped
   *  (SALVAGE_STALL_SECONDS overrides): longer than any chunk takes on the slowest machine we know,
   *  short enough that a person is still there. */
  stallSeconds: 120,
} as const;

/** Building records off the main thread (src/pipeline/build-pool.ts), when there are worker threads at all. */
export const BUILDING = {
  /** Threads that park finished orders and build their records. One keeps up with two readers on
   *  the bench corpus; each thread costs its own heap (the memory budget counts every thread). */
  threads: 1,
  /** Evidence items handed to a builder and not yet parked by it before the main thread waits:
   *  bounds what sits in the builder's message queue when it is the slower side. */
  itemsBehind: 2_000,
  /** Items gathered before they are posted to a builder even in the middle of a sweep. */
  postItems: 500,
  /** Orders settled per message at the end of the run. */
  settledPerMessage: 256,
  /** Seconds the main thread waits for a builder that says nothing before the run is stopped
   *  (a thread that died, out of memory, cannot say so). */
  stallSeconds: 300,
} as const;

/** The correlator's windows and bounds (src/correlate/correlator.ts). */
export const CORRELATION = {
  /** How long after a keyless order-creation line the buyer's first keyed request may come. */
  fuzzyWindowMs: 30_000,
  /** Evidence items held in memory before the quietest orders are finished early. */
  maxInMemory: 20_000,
  /** An order with no evidence for this long (behind the watermark) has gone quiet and is finished. */
  quietMs: 10 * 60_000,
  /** Lines written out of time order by up to this much still count as on time. */
  slackMs: 5 * 60_000,
  /** How far in time one file may be read ahead of the others before it waits. */
  leadMs: 5 * 60_000,
  /** Quiet orders are looked for each time the watermark moves on by this much. */
  sweepStepMs: 60_000,
  /** A file ahead in time waits for the others only once the open orders hold this share of
   *  `maxInMemory` items: before that, waiting saves no memory and leaves a thread idle (rotated
   *  logs that do not overlap in time were read one at a time, the workers ~45% idle on Elastic's
   *  nginx sample ×20). */
  paceAboveOpenShare: 0.25,
} as const;

/** Buffers in front of files the run writes: how much text waits before it goes to disk. */
export const SPOOLS = {
  /** An output file (LineWriter): enough to make a write call worth it, small beside the records. */
  lineWriterBytes: 64 * 1024,
  /** One input's rejects before they go to its scratch file (one such buffer per file being read). */
  rejectSpoolBytes: 64 * 1024,
  /** Finished records held in memory before the record spool moves them to disk (then only an
   *  index entry each stays): a few megabytes at most, whatever the run's size. */
  recordsInMemory: 1000,
  /** Finished records' text waiting before it goes to the record spool's file. */
  recordSpoolBytes: 1 << 20,
  /** The correlator's block files. It has half a dozen of them, each holding what waits already
   *  encoded: 256 KB each rather than 1 MB keeps that small (issue 11). */
  blockFileBytes: 256 * 1024,
} as const;

/** Indexing into Elasticsearch (src/sinks/es/bulk-writer.ts). */
export const INDEXING = {
  /** Documents per bulk request: the size the client's own helper starts from. */
  batchDocs: 500,
  /** Bytes per bulk request (the body as sent); a batch is sent when either limit is reached. Well
   *  under the node's http.max_content_length (100 MB) and light on its heap. */
  batchBytes: 4_000_000,
  /** Requests in flight at once: the source is read only when one is free, so a slow node slows
   *  the reading instead of letting batches pile up in memory. */
  concurrency: 2,
  /** Attempts per document (and per request) before it goes to the dead letter. */
  maxAttempts: 6,
  /** The first wait after a 429 or 5xx; it doubles with each attempt (less up to a quarter, at
   *  random, so clients do not retry in step), up to maxWaitMs. */
  baseWaitMs: 250,
  maxWaitMs: 15_000,
} as const;

/** The commands' defaults, for options the user did not give. */
export const COMMAND_DEFAULTS = {
  /** Zone of log times written without an offset: the shops salvage is for are in China. */
  tz: 'Asia/Shanghai',
  /** Longer lines are rejected (and skipped without being held in memory): no log line we have
   *  met comes near it, and a line is held whole while it is read. */
  maxLineBytes: 1 << 20,
  /** restore.sql's threshold, the default for SQL exports too: below it a row is written commented out. */
  sqlMinConfidence: 0.8,
  /** reconstruct's --review-below: at or above it, every paid claim in the drills was right
   *  (docs/confidence.md). */
  reviewBelow: 0.9,
} as const;
