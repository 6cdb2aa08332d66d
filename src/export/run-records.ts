import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Transaction } from '../model/types';

// A finished run's records, read back from its folder one line at a time (memory stays bounded
// whatever the size of transactions.ndjson). A line that is not a record is a value, not a crash:
// it is counted and named, and the export goes on.

export interface RunInfo {
  dir: string;
  /** The run's --tz (report.json settings.tz), when the report is there. */
  tz: string | null;
  /** The run's input reports, for which platform's rules read its lines. */
  inputs: { by_rule?: Record<string, number> }[];
}

export class RunFolderError extends Error {
  override name = 'RunFolderError';
}

/** A run folder holds transactions.ndjson; report.json (written last) says the run finished. */
export function openRun(dir: string): RunInfo {
  let isDir = false;
  try { isDir = statSync(dir).isDirectory(); } catch { /* reported below */ }
  if (!isDir) throw new RunFolderError(`${dir} is not a folder / 不是目录`);
  if (!existsSync(join(dir, 'transactions.ndjson'))) throw new RunFolderError(`${dir} holds no transactions.ndjson: is it a salvage reconstruct --out folder? / 该目录没有 transactions.ndjson`);
  const reportPath = join(dir, 'report.json');
  if (!existsSync(reportPath)) throw new RunFolderError(`${dir} has no report.json: the run did not finish (or is still running) / 运行尚未完成（缺少 report.json）`);
  try {
    const r = JSON.parse(readFileSync(reportPath, 'utf8')) as { settings?: { tz?: string }; inputs?: { by_rule?: Record<string, number> }[] };
    return { dir, tz: r.settings?.tz ?? null, inputs: r.inputs ?? [] };
  } catch (e) {
    throw new RunFolderError(`${reportPath}: ${(e as Error).message}. Give the --out folder of a finished reconstruct run. / 请指定一次已完成的 reconstruct 的输出目录`);
  }
}

export interface BadLine {
  line: number;
  reason: string;
}

/** The run's records in file order; lines that are not records go to `bad`. */
export async function* runRecords(dir: string, bad: (b: BadLine) => void): AsyncGenerator<Transaction> {
  const rl = createInterface({ input: createReadStream(join(dir, 'transactions.ndjson')), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      bad({ line: n, reason: `not JSON: ${(e as Error).message}` });
      continue;
    }
    const why = notARecord(v);
    if (why) bad({ line: n, reason: why });
    else yield v as Transaction;
  }
}

/** Why a parsed value is not a record, or null. Only what the exports read is checked. */
export function notARecord(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const t = v as Record<string, unknown>;
  if (typeof t.order_id !== 'string' || t.order_id === '') return 'no order_id';
  if (typeof t.status !== 'string') return 'no status';
  if (typeof t.confidence !== 'number') return 'no confidence';
  if (!Array.isArray(t.flags) || !Array.isArray(t.evidence) || !Array.isArray(t.reasons)) return 'flags, reasons or evidence missing';
  return null;
}
