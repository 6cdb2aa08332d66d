import type { Evidence, FileReport, Reject } from '../model/types';
import type { KeyRing } from '../../parsers/gateways/gateway';

/** Set once per worker: everything needed to build the same rule engine as the main thread. */
export interface WorkerSetup {
  ruleDirs: string[];
  keys: KeyRing;
  tz: string;
  maxLineBytes: number;
  revealCardKeys: boolean;
}

export type ToWorker = { t: 'file'; path: string; display: string; format?: string } | { t: 'exit' };

export type FromWorker =
  | { t: 'ev'; items: Evidence[] }
  | { t: 'rej'; items: Reject[] }
  | { t: 'progress'; bytes: number; lines: number }
  | { t: 'done'; report: FileReport }
  | { t: 'fatal'; message: string };
