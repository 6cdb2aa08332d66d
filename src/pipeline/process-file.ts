import type { Evidence, FileReport, Reject } from '../model/types';
import { cannotOpen } from '../sources/read-lines';
import { FileAccount } from '../sources/file-account';
import type { ParserDefinition } from '../../parsers/parser';
import type { RuleEngine } from '../../rules/engine/engine';
import { readLog } from './read-log';
import { FileEvidence } from './file-evidence';
import { NoiseGate } from './noise-gate';
import { nginxCombined } from '../../parsers/nginx/combined';
import { LineErrors } from './line-errors';
import { READING } from '../settings';

// One input file, end to end as far as evidence: the read loop (read-log.ts) turns it into
// entries, and FileEvidence (file-evidence.ts) applies the rules to them. Every physical line
// ends in exactly one of: evidence, noise, rejected, and the file's report says how many.

export interface FileSinks {
  evidence(e: Evidence): void;
  reject(r: Reject): void;
}

export interface ProcessOptions {
  tz: string;
  maxLineBytes: number;
  /** Forced parser id or family for this file (`--format`), else detection. */
  format?: string;
  /** Parsers tried before the built-ins (the user's --nginx-format), for detection and --format. */
  parsers?: readonly ParserDefinition[];
  /** Called every `progressBytes` of input: bytes since the last call, lines so far, the
   *  time of the latest event read (NaN if none yet), which is how far in time the file has got,
   *  and the on-disk bytes of the file read so far. */
  onProgress?: (bytesRead: number, lines: number, reachedMs: number, diskBytes: number) => void;
  progressBytes?: number;
  /** Backpressure: reading waits while this returns a promise. */
  pace?: () => Promise<void> | undefined;
  /** Access-log lines no rule could want are counted as noise without being parsed (noise-gate.ts).
   *  On unless false: the outputs are the same either way, and the tests compare the two. */
  noiseGate?: boolean;
}

const READ_CHUNK = READING.chunkBytes;

export async function processFile(path: string, displayName: string, engine: RuleEngine, sinks: FileSinks, opts: ProcessOptions): Promise<FileReport> {
  const account = new FileAccount(displayName, sinks.reject);
  const unopened = cannotOpen(path);
  if (unopened !== undefined) {
    account.problem(unopened);
    return account.report;
  }
  const errors = new LineErrors(account.report);
  const evidence = new FileEvidence(engine, account, errors, sinks.evidence);
  const { onProgress } = opts;
  const read = await readLog(path, { display: displayName, sink: evidence, account, errors }, {
    tz: opts.tz,
    maxLineBytes: opts.maxLineBytes,
    maxLineHint: '; raise it with --max-line-bytes',
    chunkBytes: READ_CHUNK,
    format: opts.format,
    parsers: opts.parsers,
    pace: opts.pace,
    progressBytes: opts.progressBytes,
    onProgress: onProgress && ((bytes, lines, disk) => onProgress(bytes, lines, evidence.latestMs, disk)),
    onStart: (choice) => {
      evidence.family = choice.parser?.family ?? '';
    },
    front: (format, parser) => (opts.noiseGate !== false && format === nginxCombined ? new NoiseGate(parser, evidence, engine, format.family) : parser),
  });
  const report = account.close(read);
  evidence.finish(report);
  return report;
}
