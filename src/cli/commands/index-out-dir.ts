import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_OK, type CommandIO } from '../command';
import type { EsTarget } from '../../sinks/elasticsearch';
import { formatIndexResult, indexRun, type IndexRunResult } from '../../sinks/es/index-run';

/** Exit code when Elasticsearch could not take the whole run; the run's files are unaffected. */
export const EXIT_SINK_FAILED = 3;

/** Where the last indexing of an out-dir is recorded (report.json stays as the run wrote it: the run's id is its hash). */
export const INDEX_RESULT_FILE = 'elasticsearch.json';

/** Indexes an out-dir, prints the counts, records them beside the run; the exit code says whether it is all in. */
export async function indexOutDir(
  target: EsTarget,
  outDir: string,
  opts: { prefix: string; quiet: boolean; deadLetterPath?: string },
  io: CommandIO,
): Promise<number> {
  const { EsConnectionError } = await import('../../sinks/elasticsearch');
  let result: IndexRunResult;
  try {
    result = await indexRun(target, outDir, { prefix: opts.prefix, ...(opts.deadLetterPath ? { deadLetterPath: opts.deadLetterPath } : {}) });
  } catch (e) {
    if (!(e instanceof EsConnectionError)) throw e;
    io.stderr.write(`salvage: ${e.message}\n`);
    return EXIT_SINK_FAILED;
  }
  try {
    writeFileSync(join(outDir, INDEX_RESULT_FILE), JSON.stringify({ indexed_at: new Date().toISOString(), url: target.url, prefix: opts.prefix, ...result }, null, 2) + '\n', { mode: 0o600 });
  } catch (e) {
    // The node has the documents either way; only the record of it beside the run is missing.
    io.stderr.write(`salvage: warning: cannot write ${join(outDir, INDEX_RESULT_FILE)}: ${(e as Error).message} / 无法写入索引结果文件\n`);
  }
  const ok = result.aliases_moved;
  const lines = formatIndexResult(result, opts.prefix);
  if (!opts.quiet || !ok) (ok ? io.stdout : io.stderr).write(lines.join('\n') + '\n');
  return ok ? EXIT_OK : EXIT_SINK_FAILED;
}
