import type { TransactionStatus } from './types';

// What crosses from the correlator to the scorer. The correlator builds each record and sums up
// its evidence as these features; the confidence model (src/score/) turns them into a
// confidence and its reasons. The pipeline hands the model to the correlator, so the correlator
// never imports a later stage.

/** What the scorer is allowed to know about a record: a summary of its evidence, nothing else. */
export interface ScoreFeatures {
  status: TransactionStatus;
  /** Accepted payment callbacks by signature state (after collapsing retries). */
  verifiedNotify: boolean;
  unverifiableNotify: boolean;
  /** An accepted callback whose parameters were not logged at all (so there was nothing to verify). */
  unloggedNotify?: boolean;
  /** Callbacks that failed their signature check. */
  badSignature: boolean;
  /** Copies of the same accepted payment seen (retries and return_url copies). */
  notifyCopies: number;
  confirmedLine: boolean;
  /** A line whose wording alone (found by shape, not by a rule) says the order was paid. */
  inferredPaidLine?: boolean;
  /** A line whose wording alone says the card was delivered. */
  inferredDeliveredLine?: boolean;
  /** The gateway's own bill (`--statement`) lists this payment (or a refund of it). Absent: no bill given. */
  statementLine?: boolean;
  /** The shop told the buyer's browser the order was paid (status poll). */
  observedPaid: boolean;
  deliveredLine: boolean;
  refundLine: boolean;
  orderCreatedLine: boolean;
  browserTrail: boolean;
  /** Distinct log formats (nginx, laravel, …) whose evidence supports the status. */
  independentFormats: number;
  amountConflict: boolean;
  /** Some field came from a join on client ip / user agent / time instead of a key. */
  fuzzyJoin: boolean;
  amountKnown: boolean;
  /** The record's status rests on lines whose clock was corrected or looks skewed. */
  clockDoubt: boolean;
}

/** A record's confidence, with one reason per term so a reader can redo the arithmetic. */
export interface Score {
  confidence: number;
  reasons: string[];
}

/** The confidence model, as the correlator calls it while building records. */
export type Scorer = (features: ScoreFeatures) => Score;
