import type { FileReport, Reject } from '../model/types';
import type { EvidenceBatch } from './evidence-batch';
import type { KeyRing } from '../../parsers/gateways/gateway';

/** Set once per worker: everything needed to build the same rule engine as the main thread. */
export interface WorkerSetup {
  ruleDirs: string[];
  keys: KeyRing;
  tz: string;
  maxLineBytes: number;
  revealCardKeys: boolean;
  /** A log_format directive (--nginx-format), compiled by each worker into an extra parser. */
  nginxFormat?: string;
}

/** `ack` returns one credit: the main thread has taken one batch of evidence. */
export type ToWorker = { t: 'file'; path: string; display: string; format?: string } | { t: 'ack' } | { t: 'exit' };

export type FromWorker =
  | { t: 'ev'; batch: EvidenceBatch }
  | { t: 'rej'; items: Reject[] }
  | { t: 'progress'; bytes: number; lines: number }
  | { t: 'done'; report: FileReport }
  | { t: 'fatal'; message: string };
