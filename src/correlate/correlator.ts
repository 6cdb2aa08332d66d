import type { Evidence } from '../model/types';
import type { Scorer } from '../model/score-features';
import type { EvidenceBatch } from '../model/evidence-batch';
import { DEFAULT_CORRELATOR, type CorrelationResult, type CorrelatorOptions, type OrderVisitor } from './correlation';
import { Intake } from './intake';
import { RecordBuilder } from './record-builder';
import { recordBuilds } from './order-build';
import { LocalShelf } from './order-shelf';

export type { CorrelationResult, CorrelationState, CorrelatorOptions, OrderVisitor, Unjoined } from './correlation';

// Gathers evidence from every file and joins it into orders: by order number first, then by
// gateway trade number, card key hash or a rule's link key (one that a single order carries: a
// link two orders carry places nothing, whichever was read first; link-join.ts), and last, for
// lines that carry no key at all, by client and time (creation-join.ts: dujiaoka's POST
// /create-order) or by time alone (callback-join.ts: a callback whose body was not logged). A
// line that names only the start of an order number (a PHP stack trace cuts it) joins the one
// known order with that prefix at the end (prefix-join.ts). Results do not depend on the order
// evidence arrives in: every decision is made, or checked again, over sorted data.
//
// It works in two halves. The intake (intake.ts) takes the evidence while files are read: it
// files each line under its order, notes the few keys per order the joins and the clock
// estimate need (OrderKeys), parks keyless lines for their joins, and follows how far in time
// every input has got (the watermark). An order with no evidence since well before that mark
// has gone quiet: it is handed to the shelf (order-shelf.ts), which builds its record then and
// parks it on disk with its evidence, so memory holds the orders still in motion. The shelf
// runs on the calling thread by default, or on a thread of its own (opts.shelf). At
// the end, the record builder makes the joins only the end can decide (unlogged callbacks, a
// creation-line join decided otherwise, the final clock correction) and builds again just the
// records they touched; every other record stands as it was built.
//
// Records are scored by `score`, the confidence model (src/score/), which the pipeline passes
// in: the scorer is a later stage, and this one does not import it.

export class Correlator {
  private readonly intake: Intake;
  private readonly builder: RecordBuilder;

  constructor(score: Scorer, opts: Partial<CorrelatorOptions> = {}) {
    const o = { ...DEFAULT_CORRELATOR, ...opts };
    this.builder = new RecordBuilder(o.spillParent);
    this.intake = new Intake(o, o.shelf ? o.shelf() : new LocalShelf(recordBuilds(score), o.spillParent));
  }

  /** The files about to be read, with their first timestamps where known: what the watermark is made of. */
  expectFiles(files: { file: string; startMs: number | null }[]): void {
    this.intake.expectFiles(files);
  }

  /** How far in time a file has got (sent after its evidence up to there). */
  reached(file: string, ms: number): void {
    this.intake.reached(file, ms);
  }

  /** How far in time every input has been read (-Infinity before anything is known). */
  get watermark(): number {
    return this.intake.watermark;
  }

  /** Files being read that have run ahead in time and should wait for the others. */
  holdBack(running: ReadonlySet<string>): ReadonlySet<string> {
    return this.intake.holdBack(running);
  }

  /** A file has been read to the end: it no longer holds the watermark back. */
  fileDone(file: string): void {
    this.intake.fileDone(file);
  }

  /** Evidence as objects (tests, small callers): the same path as batches from the workers. */
  add(items: Evidence[], file?: string): void {
    this.intake.add(items, file);
  }

  addBatch(b: EvidenceBatch, file?: string): void {
    this.intake.addBatch(b, file);
  }

  /** The end of the run: every record built, each seen once by `visit` (the checks) as it is. */
  finish(visit?: OrderVisitor): CorrelationResult {
    return this.builder.finish(this.intake.handOver(), visit);
  }
}
