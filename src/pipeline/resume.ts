import type { FileReport, Reject } from '../model/types';
import type { EvidenceBatch } from '../model/evidence-batch';
import type { FileTask, RunSinks } from './run-files';
import type { CheckpointStore, FileEntry, ResultsWriter } from '../sources/checkpoint/checkpoint-store';
import { identityChanges, identityOf } from '../sources/checkpoint/identity';
import type { KnownDigests } from '../sources/find-copies';

// A run with --checkpoint: files the checkpoint holds as finished, and that are still the same
// files, are not read again; what they gave (evidence batches, how far in time they had got,
// rejects, the report) is fed to the same sinks in the order it first came. Outputs do not
// depend on how files interleave (test/e2e/determinism.test.ts), so a file fed whole before the
// others are read ends in the same records as one read beside them. Every other file is read
// from its start, and what it gives is recorded on the way to the sinks.

/** One line of a file's stored results. */
type Stored = { ev: EvidenceBatch } | { at: number } | { rej: Reject[] } | { report: FileReport };

export interface ResumeSummary {
  checkpoint: string;
  /** Files whose stored results were used: not read again. */
  files_resumed: number;
  /** Files read (from their start): new, partly read before, or changed. */
  files_read: number;
  /** Of those, files that had changed since the checkpoint was written. */
  files_changed: number;
}

export interface ResumeOptions {
  digests: KnownDigests;
  /** Inputs never kept in the checkpoint (standard input: a new stream every run). */
  readAlways?: (t: FileTask) => boolean;
  /** Something the user should know (a changed file): said whatever --quiet. */
  warn: (message: string) => void;
}

export class ResumableRun {
  private resumed = 0;
  private read = 0;
  private changed = 0;

  constructor(
    private readonly store: CheckpointStore,
    private readonly opts: ResumeOptions,
  ) {}

  summary(): ResumeSummary {
    return { checkpoint: this.store.path, files_resumed: this.resumed, files_read: this.read, files_changed: this.changed };
  }

  /** Feeds finished files' stored results to `sinks`, reads the rest with `readFiles`; reports in `tasks` order. */
  async run(tasks: FileTask[], sinks: RunSinks, readFiles: (tasks: FileTask[], sinks: RunSinks) => Promise<FileReport[]>): Promise<FileReport[]> {
    const replay: { task: FileTask; entry: FileEntry }[] = [];
    const toRead: FileTask[] = [];
    const writers = new Map<string, ResultsWriter>();
    for (const t of tasks) {
      if (this.opts.readAlways?.(t)) {
        toRead.push(t);
        continue;
      }
      const identity = identityOf(t.path, this.opts.digests);
      const entry = this.store.entry(t.display);
      if (entry && identity) {
        const changes = identityChanges(entry.identity, identity);
        if ((entry.format ?? null) !== (t.format ?? null)) changes.push('--format');
        if (changes.length > 0) {
          this.changed++;
          this.opts.warn(`${t.display} has changed since the checkpoint was written (${changes.join(', ')}): read again from its start / 检查点写入后此文件已改变（${changes.join('、')}），从头重新读取`);
        } else if (entry.finished && this.store.resultsIntact(entry)) {
          replay.push({ task: t, entry });
          continue;
        } else if (entry.finished) {
          this.opts.warn(`${t.display}: its results kept in the checkpoint are missing or damaged: read again from its start / 检查点中保存的结果缺失或损坏，从头重新读取`);
        }
      }
      toRead.push(t);
      // An input that cannot be read now is read anyway (and its error reported), not kept.
      if (identity) writers.set(t.display, this.store.startFile(t.display, identity, t.format ?? null));
    }
    this.store.save();
    this.resumed = replay.length;
    this.read = toRead.length;

    const reports = new Map<string, FileReport>();
    for (const { task, entry } of replay) reports.set(task.display, await this.replay(task, entry, sinks));
    let fresh: FileReport[];
    try {
      fresh = await readFiles(toRead, this.recording(sinks, writers));
    } finally {
      // A run that failed leaves its unfinished results as .part files, removed next time.
      for (const w of writers.values()) w.abandon();
    }
    toRead.forEach((t, i) => reports.set(t.display, fresh[i]!));
    return tasks.map((t) => reports.get(t.display)!);
  }

  private async replay(task: FileTask, entry: FileEntry, sinks: RunSinks): Promise<FileReport> {
    for await (const item of this.store.results(entry)) {
      const s = item as Stored;
      if ('ev' in s) {
        // JSON has no NaN: a line whose time is unknown comes back as null.
        s.ev.tsMs = s.ev.tsMs.map((t) => (t === null ? NaN : t));
        sinks.evidence(s.ev, task.display);
      } else if ('at' in s) sinks.reached?.(task.display, s.at);
      else if ('rej' in s) sinks.reject(s.rej);
      else if ('report' in s) {
        sinks.fileDone?.(s.report);
        return s.report;
      }
    }
    // resultsIntact checked the stored file against its sha256: it ends with its report.
    throw new Error(`checkpoint: the stored results of ${task.display} end without its report`);
  }

  /** `sinks`, with what each file gives also written to its stored results. */
  private recording(sinks: RunSinks, writers: Map<string, ResultsWriter>): RunSinks {
    const store = this.store;
    return {
      evidence(batch, file) {
        writers.get(file)?.append({ ev: batch });
        sinks.evidence(batch, file);
      },
      reject(items) {
        const byFile = new Map<string, Reject[]>();
        for (const r of items) {
          if (!writers.has(r.file)) continue;
          const list = byFile.get(r.file);
          if (list) list.push(r);
          else byFile.set(r.file, [r]);
        }
        for (const [file, rej] of byFile) writers.get(file)!.append({ rej });
        sinks.reject(items);
      },
      progress(bytes, lines, file, disk) {
        store.progress(file, bytes, lines);
        sinks.progress?.(bytes, lines, file, disk);
      },
      reached(file, ms) {
        writers.get(file)?.append({ at: ms });
        sinks.reached?.(file, ms);
      },
      ...(sinks.holdBack ? { holdBack: sinks.holdBack.bind(sinks) } : {}),
      fileDone(report) {
        const w = writers.get(report.file);
        if (w) {
          w.append({ report });
          writers.delete(report.file);
          store.finishFile(report.file, w, { bytes: report.bytes, lines: report.lines_total });
        }
        sinks.fileDone?.(report);
      },
    };
  }
}
