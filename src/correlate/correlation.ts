import type { CheckedEvidence, Evidence, Transaction } from '../model/types';
import type { BalanceLine } from './balance-lines';
import type { SkewEstimate } from './clock-skew';
import type { OrderTableStats } from './order-table';
import type { Settled } from './order-build';
import type { Shelf } from './order-shelf';
import type { RecordSpool } from './record-spool';
import { CORRELATION } from '../settings';

// What the correlator is set up with, and what it hands on to the checks and the sinks.

export interface CorrelatorOptions {
  /** How long after a keyless order-creation line the buyer's first keyed request may come. */
  fuzzyWindowMs: number;
  /** Evidence items held in memory before the quietest orders are finished early. */
  maxInMemory: number;
  /** An order with no evidence for this long (behind the watermark) has gone quiet and is finished. */
  quietMs: number;
  /** Lines written out of time order by up to this much still count as on time. */
  slackMs: number;
  /** How far in time one file may be read ahead of the others before it waits. */
  leadMs: number;
  spillParent?: string;
  /** Where finished orders go and their records are built: by default on the calling thread
   *  (LocalShelf); the pipeline passes a shelf on a thread of its own (src/pipeline/build-pool.ts). */
  shelf?: () => Shelf<Settled>;
}

export const DEFAULT_CORRELATOR: CorrelatorOptions = { fuzzyWindowMs: CORRELATION.fuzzyWindowMs, maxInMemory: CORRELATION.maxInMemory, quietMs: CORRELATION.quietMs, slackMs: CORRELATION.slackMs, leadMs: CORRELATION.leadMs };

export interface Unjoined {
  kind: Evidence['kind'];
  rule: string;
  file: string;
  line: number;
  ts: string | null;
  why: string;
}

export interface CorrelationResult {
  /** The records, to be read once in order with `records.sorted()`; call `records.dispose()` after. */
  records: RecordSpool;
  /** Evidence that could not be tied to any order, with the reason. */
  unjoined: Unjoined[];
  fuzzyJoins: number;
  /** Evidence lines that were exact copies of lines in another place (counted once). */
  duplicateCopies: number;
  /** Every balance change seen, joined to an order or not (copies dropped). */
  balanceChanges: BalanceLine[];
  /** Evidence items that went through disk because their order went quiet or memory was bounded. */
  spilledEvidence: number;
  /** Clock skew between sources, and which sources were corrected before records were built. */
  clockSkew: SkewEstimate[];
  /** How open state was kept small: orders finished while reading, and records that had to be rebuilt at the end. */
  state: CorrelationState;
}

export interface CorrelationState extends OrderTableStats {
  /** Records built when their order went quiet and still right at the end. */
  records_kept_from_quiet: number;
  /** Records built (or rebuilt) at the end: late evidence, end-of-run joins or a clock correction touched them. */
  records_built_at_end: number;
  /** The creation-line joins were worked out again at the end: evidence arrived after they had passed its time, or a clock correction applies. */
  creation_joins_walked_again: boolean;
}

/** Sees each order's record and evidence once, as records are built: how the checks run without holding all evidence. */
export type OrderVisitor = (record: Transaction, evidence: readonly CheckedEvidence[]) => void;
