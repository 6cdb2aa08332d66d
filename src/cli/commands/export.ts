import { chmodSync, closeSync, createReadStream, existsSync, mkdtempSync, openSync, realpathSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { OUTPUT_MARKER } from '../../sources/discover';
import { pipeline } from 'node:stream/promises';
import type { Argv } from 'yargs';
import { EXIT_DAMAGED, EXIT_OK, EXIT_WRITE_FAILED, UsageError, type CommandIO, type SalvageCommand } from '../command';
import { COMMON_EXITS } from '../help';
import { TRANSACTION_STATUSES, type Transaction } from '../../model/types';
import { ZoneClock } from '../../../parsers/time';
import { esAuthFromEnv } from '../../config/es-auth';
import { openRun, runRecords, RunFolderError } from '../../export/run-records';
import { CsvExport, EXPORT_FORMATS, NdjsonExport, SqlExport, type ExportFormat, type RecordWriter } from '../../export/formats';
import { exportReportPath, type ExportReport } from '../../export/export-report';
import { ACG_FAKA_DEFAULT_PREFIX, PLATFORMS, type Platform } from '../../sinks/sql/orders-table';
import { platformOfRun } from '../../sinks/sql/platform-of-run';
import { COMMAND_DEFAULTS } from '../../settings';

export interface ExportArgs {
  from: string;
  format: string;
  'min-confidence'?: number;
  status?: string;
  platform?: string;
  'table-prefix': string;
  out?: string;
  bom: boolean;
  'reveal-card-keys': boolean;
  tz?: string;
  'page-size': number;
  quiet: boolean;
}

const SQL_DEFAULT_MIN_CONFIDENCE = COMMAND_DEFAULTS.sqlMinConfidence;
const ES_PREFIX = 'es:';
const FIRST_BAD = 10;

export const exportCommand: SalvageCommand<ExportArgs> = {
  name: 'export',
  describe: "Export a finished run's records as CSV, NDJSON or SQL for the shop's database / 导出记录（CSV、NDJSON、SQL）",
  builder: (y: Argv) =>
    y
      .option('from', { type: 'string', demandOption: true, describe: 'a reconstruct --out folder, or es:<index or alias> (with --es-url or SALVAGE_ES_URL) / 运行目录或 es:<索引>' })
      .option('format', { type: 'string', choices: EXPORT_FORMATS, demandOption: true, describe: 'csv | ndjson | sql / 导出格式' })
      .option('min-confidence', { type: 'number', describe: `only records at or above this confidence (sql: default ${SQL_DEFAULT_MIN_CONFIDENCE}, lower ones are written commented out) / 最低置信度` })
      .option('status', { type: 'string', describe: `only these statuses, comma separated (${TRANSACTION_STATUSES.join(', ')}) / 只导出这些状态` })
      .option('platform', { type: 'string', choices: PLATFORMS, describe: "sql: the shop's orders table (default: the platform whose rules read the run's lines) / 目标平台" })
      .option('table-prefix', { type: 'string', default: ACG_FAKA_DEFAULT_PREFIX, describe: "sql: acg-faka's table prefix, as typed at install / acg-faka 表前缀" })
      .option('out', { type: 'string', describe: 'file to write (default: standard output); written owner-only (0600), it holds buyer data / 输出文件' })
      .option('bom', { type: 'boolean', default: false, describe: 'csv: start with a UTF-8 BOM, so Excel reads Chinese text right / 写入 BOM 以便 Excel 正确显示中文' })
      .option('reveal-card-keys', { type: 'boolean', default: false, describe: 'write card keys in clear when the run kept them (reconstruct --reveal-card-keys); recorded in the export report / 明文输出卡密' })
      .option('es-url', { type: 'string', describe: 'Elasticsearch URL for --from es:… (credentials: ELASTIC_API_KEY, ELASTIC_USERNAME/ELASTIC_PASSWORD or ELASTIC_CREDENTIALS_FILE) / Elasticsearch 地址' })
      .option('page-size', { type: 'number', default: 1000, describe: 'es: documents per page (memory holds one page) / 每页文档数' })
      .option('tz', { type: 'string', describe: "sql: the shop's time zone (default: the run's --tz; Asia/Shanghai from Elasticsearch) / 商店时区" })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only warnings and errors / 只打印警告和错误' }),
  help: {
    examples: [
      ['salvage export --from out --format sql --out restore-orders.sql', "the run's records as SQL for the shop's orders table / 导出为恢复订单表的 SQL"],
      ['salvage export --from out --format csv --bom --status paid,delivered --out paid.csv', 'paid orders for Excel / 已付款订单导出为 CSV'],
      ['SALVAGE_ES_URL=http://localhost:9200 salvage export --from es:salvage-transactions --format ndjson', 'from Elasticsearch / 从 Elasticsearch 导出'],
    ],
    exitCodes: [0, [1, 'some lines were not records and were left out', '部分行不是有效记录，已跳过'], EXIT_WRITE_FAILED, ...COMMON_EXITS],
    env: ['SALVAGE_ES_URL', 'ELASTIC_API_KEY', 'ELASTIC_USERNAME', 'ELASTIC_PASSWORD', 'ELASTIC_CREDENTIALS_FILE'],
  },
  async run(args, io) {
    return exportRecords(args as ExportArgs & { 'es-url'?: string }, io);
  },
};

function parseStatuses(s: string | undefined): string[] | null {
  if (s === undefined) return null;
  const list = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const unknown = list.filter((x) => !(TRANSACTION_STATUSES as readonly string[]).includes(x));
  if (list.length === 0 || unknown.length > 0) {
    throw new UsageError(`--status ${s}: unknown status ${unknown.join(', ') || '(empty)'} (known: ${TRANSACTION_STATUSES.join(', ')}) / 未知状态`);
  }
  return list;
}

interface Source {
  label: string;
  /** The run folder, when reading one: its own files are never an --out. */
  dir?: string;
  records: (bad: (where: string, reason: string) => void) => AsyncGenerator<Transaction>;
  tz: string | null;
  platform: Platform | null;
}

function openSource(from: string, esUrl: string | undefined, pageSize: number, io: CommandIO): Source {
  if (from.startsWith(ES_PREFIX)) {
    const index = from.slice(ES_PREFIX.length);
    const url = esUrl ?? io.env.SALVAGE_ES_URL;
    if (!index) throw new UsageError('--from es:<index or alias>: the index is missing / 缺少索引名');
    if (!url) throw new UsageError('--from es:… needs --es-url (or SALVAGE_ES_URL) / 需要 --es-url');
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new UsageError(`--es-url ${url} is not an http(s) URL / --es-url 不是有效的网址`);
    }
    const auth = esAuthFromEnv(io.env);
    return {
      label: `${ES_PREFIX}${index} at ${url}`,
      tz: null,
      platform: null,
      async *records(bad) {
        // Loaded only for this source: the client is large.
        const { esRecords } = await import('../../export/es-records');
        yield* esRecords({ url, index, pageSize, ...(auth ? { auth } : {}) }, (b) => bad(`document ${b.id}`, b.reason));
      },
    };
  }
  const dir = resolve(io.cwd, from);
  let run;
  try {
    run = openRun(dir);
  } catch (e) {
    if (e instanceof RunFolderError) throw new UsageError(`--from ${from}: ${e.message}`);
    throw e;
  }
  return {
    label: dir,
    dir,
    tz: run.tz,
    platform: platformOfRun(run.inputs),
    records: (bad) => runRecords(dir, (b) => bad(`transactions.ndjson:${b.line}`, b.reason)),
  };
}

/** What reconstruct writes into a run folder: an export must not overwrite the records it reads. */
const RUN_FILES = ['transactions.ndjson', 'transactions.csv', 'restore.sql', 'review.csv', 'rejects.ndjson', 'report.json', OUTPUT_MARKER];

function refuseRunFile(out: string, runDir: string | undefined): void {
  if (runDir === undefined) return;
  const real = (p: string) => { try { return realpathSync(p); } catch { return resolve(p); } };
  const target = existsSync(out) ? real(out) : join(real(dirname(out)), basename(out));
  if (RUN_FILES.some((f) => target === join(real(runDir), f))) {
    throw new UsageError(`--out ${out} is one of the run's own files; choose another name / --out 不能是运行目录自身的文件`);
  }
}

/** PII goes to owner-only files: a new file is made 0600, an existing one is made 0600 first. */
function privateFile(path: string): void {
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new UsageError(`--out ${path} is a folder / --out 是目录`);
    chmodSync(path, 0o600);
  }
}

export async function exportRecords(args: ExportArgs & { 'es-url'?: string }, io: CommandIO): Promise<number> {
  const format = args.format as ExportFormat;
  const statuses = parseStatuses(args.status);
  const minGiven = args['min-confidence'];
  if (minGiven !== undefined && !(minGiven >= 0 && minGiven <= 1)) throw new UsageError('--min-confidence must be between 0 and 1 / --min-confidence 必须在 0 到 1 之间');
  if (args.bom && format !== 'csv') throw new UsageError('--bom is for --format csv / --bom 仅用于 csv');
  if (format !== 'sql' && args.platform !== undefined) throw new UsageError('--platform chooses the SQL table: use it with --format sql / --platform 仅用于 sql');
  if (!/^[A-Za-z0-9_]*$/.test(args['table-prefix'])) throw new UsageError('--table-prefix may hold only letters, digits and _ / 表前缀只能包含字母、数字和下划线');
  const pageSize = args['page-size'] ?? 1000;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10000) throw new UsageError('--page-size must be a whole number from 1 to 10000 / --page-size 须为 1 到 10000 的整数');
  const source = openSource(args.from, args['es-url'], pageSize, io);
  const tzName = args.tz ?? source.tz ?? COMMAND_DEFAULTS.tz;
  let zone: ZoneClock;
  try {
    zone = new ZoneClock(tzName);
  } catch {
    throw new UsageError(`--tz ${tzName} is not a time zone name (e.g. Asia/Shanghai) / 时区无效`);
  }
  const platform: Platform = (args.platform as Platform | undefined) ?? source.platform ?? 'dujiaoka';
  if (format === 'sql' && args.platform === undefined && !args.quiet) {
    io.stderr.write(`salvage: note: writing ${platform}'s orders table${source.platform ? " (the platform whose rules read the run's lines)" : ' (default)'}; --platform chooses / 目标平台：${platform}\n`);
  }

  const started = Date.now();
  const outPath = args.out !== undefined ? resolve(io.cwd, args.out) : null;
  // Standard output: written to a private scratch file first (the SQL header is written last).
  const scratch = outPath === null ? mkdtempSync(join(tmpdir(), 'salvage-export-')) : null;
  const withdraw = scratch ? io.onStop?.(() => rmSync(scratch, { recursive: true, force: true })) : undefined;
  const path = outPath ?? join(scratch!, 'export');
  if (outPath) {
    refuseRunFile(outPath, source.dir);
    privateFile(outPath);
  }
  const reveal = args['reveal-card-keys'];
  const writer: RecordWriter =
    format === 'csv' ? new CsvExport(path, { bom: args.bom, reveal })
    : format === 'ndjson' ? new NdjsonExport(path, { reveal })
    : new SqlExport(path, {
      platform, zone, prefix: args['table-prefix'], minConfidence: minGiven ?? SQL_DEFAULT_MIN_CONFIDENCE, revealCardKeys: reveal,
      generatedAtMs: started, source: source.label,
    });

  let read = 0;
  let filtered = 0;
  let badCount = 0;
  const firstBad: { where: string; reason: string }[] = [];
  let result;
  try {
    for await (const t of source.records((where, reason) => {
      badCount++;
      if (firstBad.length < FIRST_BAD) firstBad.push({ where, reason });
    })) {
      read++;
      if ((minGiven !== undefined && t.confidence < minGiven) || (statuses !== null && !statuses.includes(t.status))) {
        filtered++;
        continue;
      }
      await writer.write(t);
    }
    result = await writer.close();
    if (scratch) await pipeline(createReadStream(path), io.stdout, { end: false });
  } catch (e) {
    await writer.abort();
    const err = e as NodeJS.ErrnoException;
    if (err.name === 'ConnectionError' || err.name === 'ResponseError') throw new UsageError(`--from ${args.from}: Elasticsearch: ${err.message} / 无法读取 Elasticsearch`);
    throw e;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    withdraw?.();
  }

  const report: ExportReport = {
    tool: { name: 'salvage', command: 'export' },
    generated_at: new Date(started).toISOString(),
    from: source.label,
    format,
    out: outPath ?? '(standard output)',
    filters: { min_confidence: minGiven ?? null, status: statuses },
    records_read: read,
    records_filtered_out: filtered,
    records_not_readable: { count: badCount, first: firstBad },
    rows_written: result.rows,
    card_keys: reveal ? 'revealed' : 'masked',
    card_keys_revealed: result.card_keys_revealed,
    ...(result.sql ? { sql: result.sql } : {}),
    mode: '0600',
  };
  if (outPath) {
    const rp = exportReportPath(outPath);
    privateFile(rp);
    const fd = openSync(rp, 'w', 0o600);
    try { writeSync(fd, JSON.stringify(report, null, 2) + '\n'); } finally { closeSync(fd); }
  }
  const keys = reveal ? `card keys REVEALED in ${result.card_keys_revealed} row(s) / 明文卡密 ${result.card_keys_revealed} 行` : 'card keys masked / 卡密已脱敏';
  const sqlPart = result.sql ? `, ${result.sql.inserts} insert(s) + ${result.sql.skipped} commented out into \`${result.sql.table}\`` : '';
  if (!args.quiet || badCount > 0 || reveal) {
    io.stderr.write(
      `salvage export: ${read} record(s) read, ${filtered} filtered out, ${result.rows} written as ${format}${sqlPart}` +
        `${outPath ? ` → ${outPath} (report: ${exportReportPath(outPath)})` : ''}; ${keys}\n` +
        `导出：读取 ${read} 条，过滤 ${filtered} 条，写出 ${result.rows} 条\n`,
    );
  }
  if (badCount > 0) {
    io.stderr.write(`salvage: warning: ${badCount} line(s) were not records and were left out (first: ${firstBad[0]!.where}: ${firstBad[0]!.reason}) / ${badCount} 行不是有效记录，已跳过\n`);
    return EXIT_DAMAGED;
  }
  return EXIT_OK;
}
