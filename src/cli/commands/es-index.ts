import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT_OK, UsageError, type CommandIO, type SalvageCommand } from '../command';
import { esAuthFromEnv } from '../../config/es-auth';
import type { EsTarget } from '../../sinks/elasticsearch';

export interface IndexArgs {
  'out-dir'?: string;
  es: string;
  'es-ca'?: string;
  'es-prefix': string;
  'dead-letter'?: string;
  rollback: boolean;
  list: boolean;
  quiet: boolean;
}

/** What indexing leaves in an out-dir (index-out-dir.ts, sinks/es/index-run.ts): it describes
 *  one run, so a new run into the same folder removes it. */
export const INDEXING_FILES = ['elasticsearch.json', 'es-dead-letter.ndjson'];

export const ES_OPTIONS_HELP = {
  es: 'Elasticsearch URL (credentials: ELASTIC_API_KEY, ELASTIC_USERNAME/ELASTIC_PASSWORD or ELASTIC_CREDENTIALS_FILE)',
  'es-ca': 'PEM file of the CA that signed the node\'s certificate (https) / CA 证书',
  'es-prefix': 'names: aliases <prefix>-transactions|evidence|runs, indices <prefix>-<kind>-<run id>',
};

/** A malformed --es URL is a usage error found before any work, not a stack trace at the end. */
export function checkEsUrl(es: string): void {
  let u: URL;
  try {
    u = new URL(es);
  } catch {
    throw new UsageError(`--es ${es} is not a URL (e.g. http://localhost:9200) / --es 不是有效的网址`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--es ${es}: the URL must start with http:// or https:// / --es 网址须以 http:// 或 https:// 开头`);
  if (u.username || u.password) throw new UsageError('--es: put credentials in ELASTIC_API_KEY, ELASTIC_USERNAME/ELASTIC_PASSWORD or ELASTIC_CREDENTIALS_FILE, not in the URL / 凭据请放在环境变量或文件中，不要写在网址里');
}

export function checkEsPrefix(prefix: string): void {
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(prefix) || prefix.length > 100) throw new UsageError(`--es-prefix ${prefix}: lower-case letters, digits, '-', '_' and '.' only / 索引前缀只能包含小写字母、数字和 - _ .`);
}

/** The target from the options and the environment; the CA file must exist (read by the client). */
export function esTarget(url: string, caFile: string | undefined, io: CommandIO): EsTarget {
  checkEsUrl(url);
  const auth = esAuthFromEnv(io.env);
  let ca: string | undefined;
  if (caFile !== undefined) {
    ca = resolve(io.cwd, caFile);
    if (!existsSync(ca) || !statSync(ca).isFile()) throw new UsageError(`--es-ca ${caFile}: no such file / 找不到 CA 证书文件`);
  }
  return { url, ...(auth ? { auth } : {}), ...(ca ? { caFile: ca } : {}) };
}

export const indexCommand: SalvageCommand<IndexArgs> = {
  name: 'index [out-dir]',
  describe: 'Index a finished run into Elasticsearch, list indexed runs, or roll the aliases back / 将已完成的运行写入 Elasticsearch',
  builder: (y: Argv) =>
    y
      .positional('out-dir', { type: 'string', describe: 'a finished run\'s --out folder (report.json, transactions.ndjson)' })
      .option('es', { type: 'string', demandOption: true, describe: ES_OPTIONS_HELP.es })
      .option('es-ca', { type: 'string', describe: ES_OPTIONS_HELP['es-ca'] })
      .option('es-prefix', { type: 'string', default: 'salvage', describe: ES_OPTIONS_HELP['es-prefix'] })
      .option('dead-letter', { type: 'string', describe: 'where documents that still fail go, with the reason (default <out-dir>/es-dead-letter.ndjson)' })
      .option('rollback', { type: 'boolean', default: false, describe: 'point the aliases back at the run indexed before the current one / 回滚到上一次运行' })
      .option('list', { type: 'boolean', default: false, describe: 'list the runs indexed under the prefix / 列出已索引的运行' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only warnings and errors' }),
  async run(args, io) {
    return indexCmd(args, io);
  },
};

async function indexCmd(args: IndexArgs, io: CommandIO): Promise<number> {
  checkEsPrefix(args['es-prefix']);
  const target = esTarget(args.es, args['es-ca'], io);
  const modes = [args.rollback, args.list, args['out-dir'] !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('give one of: an out-dir to index, --list, or --rollback / 请给出一个输出目录，或 --list，或 --rollback');
  const { unreachableReason } = await import('../../sinks/elasticsearch');
  const why = await unreachableReason(target);
  if (why !== null) throw new UsageError(`--es: ${why}`);
  if (args.list) return listCmd(target, args['es-prefix'], io);
  if (args.rollback) return rollbackCmd(target, args['es-prefix'], io);

  const outDir = resolve(io.cwd, args['out-dir']!);
  for (const f of ['report.json', 'transactions.ndjson']) {
    if (!existsSync(resolve(outDir, f))) throw new UsageError(`${args['out-dir']}: no ${f}; give the --out folder of a finished \`salvage reconstruct\` run / 不是已完成运行的输出目录（缺少 ${f}）`);
  }
  const { indexOutDir } = await import('./index-out-dir');
  return indexOutDir(target, outDir, { prefix: args['es-prefix'], quiet: args.quiet, ...(args['dead-letter'] ? { deadLetterPath: resolve(io.cwd, args['dead-letter']) } : {}) }, io);
}

async function listCmd(target: EsTarget, prefix: string, io: CommandIO): Promise<number> {
  const { makeClient } = await import('../../sinks/elasticsearch');
  const { listRuns } = await import('../../sinks/es/run-indices');
  const client = makeClient(target);
  try {
    const runs = await listRuns(client, prefix);
    if (runs.length === 0) {
      io.stdout.write(`no run indexed under ${prefix}-* / 尚无已索引的运行\n`);
      return EXIT_OK;
    }
    io.stdout.write('  run id                      generated at (UTC)        records  evidence  exit  out-dir\n');
    for (const r of runs) {
      io.stdout.write(`${r.current ? '*' : ' '} ${r.id.padEnd(27)} ${r.generated_at.padEnd(25)} ${String(r.records).padStart(7)}  ${String(r.evidence).padStart(8)}  ${String(r.exit_code).padStart(4)}  ${r.out_dir ?? ''}\n`);
    }
    io.stdout.write(`* = the run the aliases ${prefix}-transactions|evidence|runs point at / 别名当前指向的运行\n`);
    return EXIT_OK;
  } finally {
    await client.close();
  }
}

async function rollbackCmd(target: EsTarget, prefix: string, io: CommandIO): Promise<number> {
  const { makeClient } = await import('../../sinks/elasticsearch');
  const { currentRunId, listRuns, moveAliases, previousRun } = await import('../../sinks/es/run-indices');
  const client = makeClient(target);
  try {
    const current = await currentRunId(client, prefix);
    if (current === null) throw new UsageError(`no alias ${prefix}-transactions yet: nothing to roll back / 尚无别名，无法回滚`);
    const prev = previousRun(await listRuns(client, prefix), current);
    if (prev === null) throw new UsageError(`run ${current} is the oldest run indexed under ${prefix}-*: nothing to roll back to / 当前已是最早的运行，无法回滚`);
    await moveAliases(client, prefix, prev.id);
    io.stdout.write(`aliases ${prefix}-transactions|evidence|runs: ${current} → ${prev.id} (generated ${prev.generated_at}, ${prev.records} records) / 别名已回滚\n`);
    return EXIT_OK;
  } finally {
    await client.close();
  }
}

