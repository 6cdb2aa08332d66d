import type { VocabularyData } from '../../rules/engine/vocabulary-data';
import type { FileReport, Reject } from '../model/types';
import type { EvidenceBatch } from '../model/evidence-batch';
import type { KeyRing } from '../../parsers/gateways/gateway';
import type { SourcedRule } from '../../rules/engine/pack';

/** Set once per worker: everything needed to build the same rule engine as the main thread. */
export interface WorkerSetup {
  /** The rule packs, loaded and checked against their schema once by the main thread: a worker
   *  then needs neither the YAML reader nor the schema validator (memory, per worker). */
  rules: SourcedRule[];
  /** The shape vocabulary, loaded and checked by the main thread like the packs. */
  vocabulary?: VocabularyData;
  keys: KeyRing;
  tz: string;
  maxLineBytes: number;
  revealCardKeys: boolean;
  /** A log_format directive (--nginx-format), compiled by each worker into an extra parser. */
  nginxFormat?: string;
}

/**
 * `ack` returns one credit: the main thread has taken one batch of evidence. `hold` pauses a
 * file that has run ahead in time of the others (and `on: false` lets it go on), so that all
 * inputs move through time together.
 */
export type ToWorker =
  | { t: 'file'; path: string; display: string; format?: string }
  | { t: 'ack' }
  | { t: 'hold'; file: string; on: boolean }
  | { t: 'exit' };

export type FromWorker =
  | { t: 'ev'; file: string; batch: EvidenceBatch }
  | { t: 'rej'; items: Reject[] }
  /** Sent after the file's evidence up to this point: `reachedMs` is how far in time it has got. */
  | { t: 'progress'; file: string; bytes: number; lines: number; reachedMs: number; disk: number }
  | { t: 'done'; report: FileReport }
  | { t: 'fatal'; message: string };
