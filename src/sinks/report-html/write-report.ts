import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { closeSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { RunReport } from '../report';
import type { Transaction } from '../../model/types';
import type { CalibrationBin } from '../../evaluate/types';
import { ZoneClock, isoWithOffset } from '../../../parsers/time';
import { ReportBuilder, type Lang, type ReportModel } from './model';
import { CsvRows, unguard } from './csv-rows';
import { renderPage } from './page';

// Reads a run's outputs (report.json whole; transactions.ndjson, rejects.ndjson and review.csv
// line by line) and writes report.html. Used by `reconstruct` on its staging folder before the
// outputs are moved into place, and by `salvage report` on a finished --out folder.

export interface ReportHtmlOptions {
  lang: Lang;
  /** Shown on the page: where the outputs are. */
  outDir: string;
  calibration?: CalibrationBin[] | null;
}

/** A run's outputs that the report cannot be made without. */
export class ReportInputError extends Error {
  override name = 'ReportInputError';
}

export async function buildReportModel(dir: string, opts: ReportHtmlOptions): Promise<{ model: ReportModel; tick: (ms: number) => string }> {
  const reportPath = join(dir, 'report.json');
  let report: RunReport;
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
  } catch (e) {
    throw new ReportInputError(`${reportPath}: ${(e as Error).message}`);
  }
  const builder = new ReportBuilder(report);
  await eachLine(join(dir, 'transactions.ndjson'), (line) => {
    // A line that is not a record (a hand-edited file) is skipped: the report shows what it can.
    try {
      builder.record(JSON.parse(line) as Transaction);
    } catch { /* skipped */ }
  });
  await eachLine(join(dir, 'rejects.ndjson'), (line) => {
    try {
      builder.reject(JSON.parse(line) as { reason?: unknown });
    } catch {
      builder.reject({ reason: 'unreadable line in rejects.ndjson' });
    }
  });
  await readReview(join(dir, 'review.csv'), builder);
  const zone = new ZoneClock(report.settings?.tz || 'UTC');
  const iso = (ms: number) => isoWithOffset(ms, zone.offsetAt(ms));
  const formatTime = (ms: number) => (Number.isFinite(ms) ? iso(ms).slice(5, 16).replace('T', ' ') : '?');
  const model = builder.build({ lang: opts.lang, outDir: opts.outDir, calibration: opts.calibration ?? null, formatTime });
  // Every time on the page is in the run's zone, this one too.
  const generated = Date.parse(model.generated_at);
  if (Number.isFinite(generated)) model.generated_at = iso(generated).replace('T', ' ').replace(/\.\d+/, '');
  return { model, tick: formatTime };
}

/** Builds report.html from the outputs in `dir` and writes it to `dest` (owner-only, a new file). */
export async function writeReportHtml(dir: string, dest: string, opts: ReportHtmlOptions): Promise<ReportModel> {
  const { model, tick } = await buildReportModel(dir, opts);
  const html = renderPage(model, tick);
  const fd = openSync(dest, 'w', 0o600);
  try {
    writeSync(fd, html);
  } finally {
    closeSync(fd);
  }
  return model;
}

async function eachLine(path: string, fn: (line: string) => void): Promise<void> {
  if (!existsSync(path)) return;
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) if (line !== '') fn(line);
}

/** Only the first rows are shown: reading stops as soon as the builder has enough. */
async function readReview(path: string, builder: ReportBuilder): Promise<void> {
  if (!existsSync(path)) return;
  const csv = new CsvRows();
  let header: string[] | null = null;
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream) {
      for (const row of csv.push(chunk as string)) {
        if (!header) {
          header = row;
          continue;
        }
        const rec: Record<string, string> = {};
        header.forEach((h, i) => (rec[h] = unguard(row[i] ?? '')));
        if (!builder.reviewRow(rec)) return;
      }
    }
    for (const row of csv.end()) {
      if (!header) return;
      const rec: Record<string, string> = {};
      header.forEach((h, i) => (rec[h] = unguard(row[i] ?? '')));
      builder.reviewRow(rec);
    }
  } finally {
    stream.destroy();
  }
}
