import { createHash, type Hash } from 'node:crypto';
import { chmodSync, closeSync, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fsyncFolder, writeFileAtomic } from './atomic-write';
import type { FileIdentity } from './identity';
import { clearSettings, settingsChanges, settingsDigest, type ClearSettings, type ResultSettings, type SettingsDigest } from './settings';

// The checkpoint (--checkpoint FILE): a JSON file saying, for each input, which file it was
// (identity.ts), how far it has been read, and whether it was read to the end; beside it, in
// FILE.files/, what each finished file gave (its evidence, rejects and report, one NDJSON file
// per input, in the order they came). Those hold buyers' emails and phones: the folder is 0700
// and its files 0600. A file's results are written as it is read (memory stays bounded) to a
// `.part` file, and only when the file is finished are they flushed and renamed into place,
// then the JSON updated: whatever the JSON says is finished is whole on disk.

export const CHECKPOINT_VERSION = 1;

export interface FileEntry {
  identity: FileIdentity;
  /** The --format given for this file, if any. */
  format: string | null;
  /** How far it had been read when the checkpoint was last saved (decompressed bytes, lines). */
  read: { bytes: number; lines: number };
  /** Set once the file was read to the end: its results, and their size and sha256. */
  finished?: { results: string; bytes: number; sha256: string };
}

interface CheckpointData {
  salvage_checkpoint: number;
  settings: ClearSettings;
  settings_digest: SettingsDigest;
  /** By the file's name as the run shows it (the name its evidence and rejects carry). */
  files: Record<string, FileEntry>;
}

/** A checkpoint that cannot be used for this run: a usage error (exit 2). */
export class CheckpointError extends Error {}

/** How often, at most, the JSON is saved while files are being read. */
const SAVE_EVERY_MS = 250;
const FLUSH_CHARS = 256 * 1024;
const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

export class CheckpointStore {
  private lastSave = 0;

  private constructor(
    readonly path: string,
    private readonly data: CheckpointData,
  ) {}

  /** The folder of stored results. */
  get resultsDir(): string {
    return `${this.path}.files`;
  }

  /**
   * Opens the checkpoint at `path` for a run with `settings`, or starts one. Refuses one written
   * for other settings rather than starting afresh over it: a mistyped --tz must not throw away
   * hours of reading (README: checkpoints).
   */
  static open(path: string, settings: ResultSettings): CheckpointStore {
    const clear = clearSettings(settings);
    if (!existsSync(path)) {
      return new CheckpointStore(path, { salvage_checkpoint: CHECKPOINT_VERSION, settings: clear, settings_digest: settingsDigest(settings), files: {} });
    }
    let data: CheckpointData;
    try {
      data = JSON.parse(readFileSync(path, 'utf8')) as CheckpointData;
    } catch (e) {
      throw new CheckpointError(`--checkpoint ${path} cannot be read as a salvage checkpoint (${(e as Error).message}); give another path, or remove it to start afresh / 无法读取检查点文件，请换一个路径或删除后重新开始`);
    }
    if (data?.salvage_checkpoint !== CHECKPOINT_VERSION || typeof data.files !== 'object' || !data.settings_digest?.salt) {
      throw new CheckpointError(`--checkpoint ${path} is not a salvage checkpoint (version ${CHECKPOINT_VERSION}); give another path / 不是 salvage 检查点文件，请换一个路径`);
    }
    if (settingsDigest(settings, data.settings_digest.salt).scrypt !== data.settings_digest.scrypt) {
      const which = settingsChanges(data.settings, clear);
      throw new CheckpointError(
        `--checkpoint ${path} was written for other settings that change what is read from each file (${which.length ? which.join(', ') : 'the merchant keys'}): ` +
          `run with the same settings to resume, or give another --checkpoint (or remove this one and its ${path}.files folder) to start afresh / ` +
          `检查点是用不同的设置写成的（${which.length ? which.join('、') : '商户密钥'}）：请用相同设置续跑，或换一个检查点路径（或删除它及其 .files 目录）重新开始`,
      );
    }
    const store = new CheckpointStore(path, data);
    store.removeLeftovers();
    return store;
  }

  entry(file: string): FileEntry | undefined {
    return this.data.files[file];
  }

  /** `file` is about to be read from its start: what was stored of it is forgotten. */
  startFile(file: string, identity: FileIdentity, format: string | null): ResultsWriter {
    this.ensureResultsDir();
    this.data.files[file] = { identity, format, read: { bytes: 0, lines: 0 } };
    return new ResultsWriter(this.resultsDir, resultsName(file));
  }

  progress(file: string, bytes: number, lines: number): void {
    const e = this.data.files[file];
    if (!e) return;
    e.read.bytes += bytes;
    e.read.lines = lines;
    if (Date.now() - this.lastSave >= SAVE_EVERY_MS) this.save();
  }

  /** `file` was read to the end (`bytes`, `lines`: its report's) and its results are complete in `writer`. */
  finishFile(file: string, writer: ResultsWriter, read: { bytes: number; lines: number }): void {
    const e = this.data.files[file];
    if (!e) return;
    e.finished = writer.finish();
    e.read = read;
    this.save();
  }

  /** Whether the stored results of a finished entry are on disk as they were written. */
  resultsIntact(e: FileEntry): boolean {
    if (!e.finished) return false;
    const p = join(this.resultsDir, e.finished.results);
    try {
      if (statSync(p).size !== e.finished.bytes) return false;
      return sha256OfFile(p) === e.finished.sha256;
    } catch {
      return false;
    }
  }

  /** The stored results of a finished entry, one parsed line at a time, in the order written. */
  async *results(e: FileEntry): AsyncGenerator<unknown> {
    const lines = createInterface({ input: createReadStream(join(this.resultsDir, e.finished!.results), { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) if (line !== '') yield JSON.parse(line);
  }

  save(): void {
    writeFileAtomic(this.path, JSON.stringify(this.data, null, 1) + '\n', PRIVATE_FILE);
    this.lastSave = Date.now();
  }

  private ensureResultsDir(): void {
    mkdirSync(this.resultsDir, { recursive: true, mode: PRIVATE_DIR });
    chmodSync(this.resultsDir, PRIVATE_DIR);
  }

  /** Results half written by a run that was killed: that file will be read again anyway. */
  private removeLeftovers(): void {
    let names: string[];
    try {
      names = readdirSync(this.resultsDir);
    } catch {
      return;
    }
    for (const n of names) if (n.endsWith('.part') || n.includes('.tmp-')) rmSync(join(this.resultsDir, n), { force: true });
  }
}

/** One file's results, appended as they come; whole on disk only after `finish`. */
export class ResultsWriter {
  private readonly fd: number;
  private pending = '';
  private bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private readonly partPath: string;

  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {
    this.partPath = join(dir, `${name}.part`);
    this.fd = openSync(this.partPath, 'w', PRIVATE_FILE);
  }

  append(item: unknown): void {
    this.pending += JSON.stringify(item) + '\n';
    if (this.pending.length >= FLUSH_CHARS) this.flush();
  }

  finish(): { results: string; bytes: number; sha256: string } {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.partPath, join(this.dir, this.name));
    fsyncFolder(this.dir);
    return { results: this.name, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Stops writing (the run failed): the `.part` file is left for the next run to remove. */
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch { /* closed already */ }
  }

  private flush(): void {
    if (this.pending === '') return;
    const buf = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    for (let at = 0; at < buf.length; ) at += writeSync(this.fd, buf, at);
    this.hash.update(buf);
    this.bytes += buf.length;
  }
}

/** Hashed a MiB at a time: a big log's stored results can be larger than memory. */
function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** A stored results file's name: from the input's name, which may hold any character. */
function resultsName(file: string): string {
  return `${createHash('sha256').update(file).digest('hex').slice(0, 32)}.ndjson`;
}
