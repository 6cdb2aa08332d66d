import type { FileReport } from '../model/types';
import { ZoneClock, isoWithOffset } from '../../parsers/time';
import { runFiles, type FileTask, type RunSinks } from '../pipeline/run-files';
import { ResumableRun, type ResumeSummary } from '../pipeline/resume';
import type { CheckpointStore } from '../sources/checkpoint/checkpoint-store';
import { stallSeconds } from '../pipeline/stall-watch';
import { Correlator } from '../correlate/correlator';
import { BuildPool } from '../pipeline/build-pool';
import { BUILDING } from '../settings';
import { scoreRecord } from '../score/score';
import { RejectSpool } from '../sinks/reject-spool';
import type { OutputFolder } from '../sinks/output-folder';
import { readStatements } from '../sources/statements/read-statement';
import { KnownTokens } from '../audit/mentions-audit';
import { stdinCopyPath, type Plan, type PlannedFiles } from './plan';
import type { StepIO } from './step-io';

// Step 2 of reconstruct: read. The gateway bills, then every log file (spread over worker
// threads), go through the parsers and rules; what comes out is evidence, handed to the
// correlator as it arrives, and rejects, written to rejects.ndjson in input order. Each file
// ends with its report: what it held and where every line went.

export interface ReadResult {
  /** One per log file read, in the order they finished. */
  reports: FileReport[];
  /** The gateway bills: their reports, and the spans of time they cover. */
  statements: Awaited<ReturnType<typeof readStatements>>;
  /** Holds the evidence; the correlate step finishes it. */
  correlator: Correlator;
  /** Card hashes and candidate tokens the mentions audit looks for (src/audit/). */
  known: KnownTokens;
  /** What rejects.ndjson holds, from the sink that wrote it. */
  rejects: { lines: number };
  /** With --checkpoint: files fed from an earlier run's results, and files read. */
  resumed?: ResumeSummary;
}

export async function readInputs(plan: Plan, planned: PlannedFiles, folder: OutputFolder, io: StepIO, checkpoint?: CheckpointStore): Promise<ReadResult> {
  const { args, statementFiles, nginxFormat, rules, vocabulary, keys } = plan;
  const { tasks, progress: meter } = planned;
  // Noise lines naming orders the run recovers (src/audit/).
  const known = new KnownTokens();

  // Rejects arrive interleaved as the readers take turns; they are written in input order.
  const rejectSpool = new RejectSpool(folder.scratch, [...statementFiles.map((f) => f.display), ...tasks.map((t) => t.display)], folder.staged('rejects.ndjson'));
  const zoneOfRun = new ZoneClock(args.tz);
  // With worker threads, records are built on a thread of their own too (issue 11: the main
  // thread was the slower side); --workers 1 keeps the whole run on one thread.
  const shelf = args.workers > 1 ? { shelf: () => new BuildPool(BUILDING.threads, folder.scratch) } : {};
  const correlator = new Correlator(scoreRecord, { spillParent: folder.scratch, ...shelf });
  correlator.expectFiles(tasks.map((t) => ({ file: t.display, startMs: t.startMs ?? null })));

  const statements = await readStatements(statementFiles, { tz: args.tz, maxLineBytes: args['max-line-bytes'] }, {
    evidence: (items) => correlator.add(items),
    reject: (r) => rejectSpool.write([r]),
  });
  const sinks: RunSinks = {
    evidence: (batch, file) => {
      for (const links of batch.links) if (links !== null) for (const l of links) if (l.startsWith('card:')) known.noteCardHash(l.slice(5));
      correlator.addBatch(batch, file);
    },
    reject: (items) => rejectSpool.write(items),
    progress: (_bytes, lines, file, disk) => {
      const w = correlator.watermark;
      meter.readUpTo(Number.isFinite(w) ? isoWithOffset(w, zoneOfRun.offsetAt(w)).slice(0, 16).replace('T', ' ') : null);
      meter.tick(file, disk, lines);
    },
    reached: (file, ms) => correlator.reached(file, ms),
    holdBack: (running) => correlator.holdBack(running),
    fileDone: (r) => {
      meter.fileDone(r);
      correlator.fileDone(r.file);
      rejectSpool.fileDone(r.file);
    },
  };
  const setup = { rules, vocabulary, keys, tz: args.tz, maxLineBytes: args['max-line-bytes'], revealCardKeys: args['reveal-card-keys'], ...(nginxFormat.directive ? { nginxFormat: nginxFormat.directive } : {}) };
  const readFiles = (some: FileTask[], to: RunSinks) => runFiles(some, setup, args.workers, to, stallSeconds(io.env));
  // With --checkpoint, files finished by an earlier (killed) run are fed from what it kept.
  const resume = checkpoint && new ResumableRun(checkpoint, {
    digests: plan.digests, readAlways: (t) => plan.fromStdin && t.path === stdinCopyPath(folder), warn: (m) => io.stderr.write(`salvage: warning: ${m}\n`),
  });
  const reports = resume ? await resume.run(tasks, sinks, readFiles) : await readFiles(tasks, sinks);
  meter.stop();
  const rejects = await rejectSpool.close();
  known.addCandidates(reports);
  return { reports, statements, correlator, known, rejects, ...(resume ? { resumed: resume.summary() } : {}) };
}
