import type { Argv } from 'yargs';
import { EXIT_DAMAGED, EXIT_INTERNAL, EXIT_OK, EXIT_UNFINISHED, EXIT_USAGE, EXIT_WRITE_FAILED } from './command';

// What every command's --help ends with: examples, the exit codes it can return and the
// environment variables it reads, in English with Chinese beside it (issue 13). The tables are
// here once; each command names the rows that apply to it.

/** Exit code of the launcher when the run outgrew its heap budget (bin/salvage.js). */
export const EXIT_OUT_OF_MEMORY = 4;

export const EXIT_MEANINGS: Record<string, [string, string]> = {
  [EXIT_OK]: ['success', '成功'],
  [EXIT_DAMAGED]: ['finished, needs attention: damaged input or unread lines', '已完成但需关注：输入受损，或有未读懂的行提及订单'],
  [EXIT_USAGE]: ['usage or configuration error, nothing done', '用法或配置错误，未做任何工作'],
  3: ['files written, but Elasticsearch could not take the records', '文件已写出，但 Elasticsearch 写入失败'],
  [EXIT_OUT_OF_MEMORY]: ['ran out of its heap budget: raise SALVAGE_MAX_HEAP_MB', '内存预算不足，请提高 SALVAGE_MAX_HEAP_MB'],
  [EXIT_WRITE_FAILED]: ['the outputs could not be written; inputs untouched', '无法写出输出，输入未改动'],
  [EXIT_INTERNAL]: ['internal error: one line, and a file with the trace', '内部错误（堆栈写入文件）'],
  [EXIT_UNFINISHED]: ['could not finish: a reader thread stalled (see SALVAGE_STALL_SECONDS), or a bug', '未能完成：读取线程无响应或程序错误'],
  '129 130 143': ['stopped by SIGHUP, SIGINT (Ctrl-C) or SIGTERM', '被信号中止'],
};

export const ENV_MEANINGS: Record<string, [string, string]> = {
  SALVAGE_MAX_HEAP_MB: ['heap budget in MB (default 256)', '堆内存预算（MB，默认 256）'],
  MALLOC_ARENA_MAX: ['glibc malloc arenas for the run (default 1, which keeps peak memory down; set it to use more)', 'glibc 内存分配区数量（默认 1，以降低峰值内存；可自行设置）'],
  SALVAGE_NO_HEAP_LIMIT: ['1: run without a fixed heap budget', '设为 1 则不限制堆内存'],
  ELASTIC_API_KEY: ['Elasticsearch API key, for --es', 'Elasticsearch API 密钥'],
  ELASTIC_USERNAME: ['Elasticsearch user, with ELASTIC_PASSWORD', 'Elasticsearch 用户名'],
  ELASTIC_PASSWORD: ['Elasticsearch password', 'Elasticsearch 密码'],
  ELASTIC_CREDENTIALS_FILE: ['JSON file: {"api_key"} or {"username", "password"}', 'Elasticsearch 凭据文件'],
  SALVAGE_SIM_TIMING: ['1: print how long each phase took', '设为 1 则打印各阶段耗时'],
  SALVAGE_ES_URL: ['Elasticsearch URL for export --from es:…', 'export 使用的 Elasticsearch 地址'],
  SALVAGE_STALL_SECONDS: ['seconds a reader thread may stay silent before the run is stopped (default 120)', '读取线程无响应多少秒后停止运行（默认 120）'],
  LC_ALL: ['a Chinese locale (zh_*) opens report.html in Chinese', '中文环境下 report.html 默认中文'],
  LC_MESSAGES: ['as LC_ALL, when LC_ALL is unset', '同 LC_ALL（LC_ALL 未设置时）'],
  LANG: ['as LC_ALL, when LC_ALL and LC_MESSAGES are unset', '同 LC_ALL（前两者未设置时）'],
};

export interface CommandHelp {
  /** [command line, what it does (English / 中文)]. */
  examples: [string, string][];
  /** Keys of EXIT_MEANINGS, or [code, English, 中文] where a command means something else by it. */
  exitCodes: (number | string | [number, string, string])[];
  /** Keys of ENV_MEANINGS, beyond the launcher's own (always listed). */
  env?: string[];
}

/** The exit codes every command can end with, whatever it does. */
export const COMMON_EXITS = [EXIT_USAGE, EXIT_OUT_OF_MEMORY, EXIT_INTERNAL, EXIT_UNFINISHED, '129 130 143'] as const;

/** Every command runs through the launcher, which reads these. */
const LAUNCHER_ENV = ['SALVAGE_MAX_HEAP_MB', 'SALVAGE_NO_HEAP_LIMIT'];

/** Two lines a row, English then Chinese, short enough for an 80-column terminal. */
function table(rows: [string, [string, string] | undefined][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v?.[0] ?? '?'}\n  ${' '.repeat(width)}  ${v?.[1] ?? '?'}`).join('\n');
}

export function helpEpilogue(h: Pick<CommandHelp, 'exitCodes' | 'env'>): string {
  const env = [...LAUNCHER_ENV, ...(h.env ?? [])];
  return [
    'Exit codes / 退出码:',
    table(h.exitCodes.map((c) => (Array.isArray(c) ? [String(c[0]), [c[1], c[2]]] : [String(c), EXIT_MEANINGS[String(c)]]))),
    '',
    'Environment / 环境变量:',
    table(env.map((k) => [k, ENV_MEANINGS[k]])),
  ].join('\n');
}

/** Adds the examples and the epilogue to a command's yargs builder. */
export function withHelp(y: Argv, h: CommandHelp | undefined): Argv {
  if (!h) return y;
  for (const [cmd, what] of h.examples) y.example(cmd, what);
  return y.epilogue(helpEpilogue(h));
}

/** The top-level help: every exit code and variable, and the commands' first examples. */
export const TOP_HELP: CommandHelp = {
  examples: [
    ['salvage reconstruct logs/ --keys keys.json --out out', 'rebuild the orders from a folder of logs / 从日志目录重建订单'],
    ['salvage simulate --out drill && salvage reconstruct drill/logs --keys drill/keys.json --out drill/out', 'a recovery drill / 恢复演练'],
    ['salvage inspect access.log.1.gz', 'how salvage reads one file / 查看单个文件的解析'],
  ],
  exitCodes: Object.keys(EXIT_MEANINGS),
  env: Object.keys(ENV_MEANINGS).filter((k) => !LAUNCHER_ENV.includes(k)),
};
