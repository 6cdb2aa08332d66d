import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { EXIT_OK, UsageError, type CommandIO, type SalvageCommand } from '../command';
import { COMMON_EXITS } from '../help';
import { evaluateFiles, toJson } from '../../evaluate/evaluate';
import { formatTable } from '../../evaluate/format-table';
import { EvaluateInputError } from '../../evaluate/types';

/** Exit code when a requested quality gate (--min-recall, --min-precision) is not met. */
export const EXIT_GATE_FAILED = 1;

export interface EvaluateArgs {
  truth: string;
  recovered: string;
  'min-recall'?: number;
  'min-precision'?: number;
  json?: boolean;
  'list-limit'?: number;
}

function fraction(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new UsageError(`--${name} must be a number between 0 and 1 (e.g. 0.95), got ${String(v)}. --${name} 应为 0 到 1 之间的数。`);
  }
  return v;
}

/** `--recovered` may name the reconstruct --out folder: then its transactions.ndjson is meant. */
async function resolveRecovered(p: string): Promise<string> {
  try {
    if ((await stat(p)).isDirectory()) return path.join(p, 'transactions.ndjson');
  } catch {
    // not there: readRecovered says so
  }
  return p;
}

export const evaluateCommand: SalvageCommand<EvaluateArgs> = {
  name: 'evaluate',
  describe: "Score a recovery against the simulator's ground truth / 用模拟器真值评估恢复结果",
  builder: (y) =>
    y
      .option('truth', {
        type: 'string',
        demandOption: true,
        describe: 'Truth folder written by `salvage simulate` (<dir>/truth) / 真值目录',
      })
      .option('recovered', {
        type: 'string',
        demandOption: true,
        describe: 'transactions.ndjson written by `salvage reconstruct` (or its --out folder) / 恢复结果',
      })
      .option('min-recall', {
        type: 'number',
        describe: 'Fail (exit 1) when recall over recoverable paid orders is below this (0..1) / 最低召回率',
      })
      .option('min-precision', {
        type: 'number',
        describe: 'Fail (exit 1) when precision of paid claims at confidence >= 0.9 is below this (0..1) / 最低精确率',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object instead of tables / 输出 JSON' })
      .option('list-limit', {
        type: 'number',
        default: 20,
        describe: 'Longest list of missed orders / false records printed in the table (--json prints all) / 列表最多显示条数',
      }),
  help: {
    examples: [
      ['salvage evaluate --truth drill/truth --recovered drill/out', 'recall, precision, calibration and forged callbacks / 召回率、精确率、校准与伪造回调'],
      ['salvage evaluate --truth drill/truth --recovered drill/out --min-recall 0.98 --min-precision 0.99', 'as a gate in CI (exit 1 below) / 作为门槛（低于则退出码 1）'],
    ],
    exitCodes: [0, [1, 'below --min-recall or --min-precision', '低于 --min-recall 或 --min-precision'], ...COMMON_EXITS],
  },
  run: async (args: EvaluateArgs, io: CommandIO): Promise<number> => {
    const minRecall = fraction('min-recall', args['min-recall']);
    const minPrecision = fraction('min-precision', args['min-precision']);
    const limit = args['list-limit'] ?? 20;
    if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--list-limit must be a whole number ≥ 0, got ${String(limit)} / --list-limit 必须是不小于 0 的整数，收到 ${String(limit)}`);
    if (!args.truth || !args.recovered) throw new UsageError('evaluate needs both --truth <dir> and --recovered <file> / 需要同时给出 --truth 与 --recovered');
    const truthDir = path.resolve(io.cwd, args.truth);
    const recoveredFile = await resolveRecovered(path.resolve(io.cwd, args.recovered));

    let result;
    try {
      result = await evaluateFiles(truthDir, recoveredFile, { minRecall, minPrecision });
    } catch (e) {
      if (e instanceof EvaluateInputError) throw new UsageError(e.message);
      throw e;
    }

    if (args.json) {
      io.stdout.write(JSON.stringify(toJson(result)) + '\n');
      for (const w of result.truth.warnings) io.stderr.write(`salvage evaluate: warning: ${w}\n`);
    } else {
      io.stdout.write(
        formatTable(result.report, {
          truthDir,
          recoveredFile,
          profile: result.truth.profile,
          warnings: result.truth.warnings,
          gates: result.gates,
          listLimit: limit,
        }),
      );
    }
    for (const g of result.gates) {
      if (g.passed) continue;
      io.stderr.write(
        `salvage evaluate: gate failed: --${g.gate} ${g.required}: ${g.metric} is ${g.actual} 未达到门槛\n`,
      );
    }
    return result.passed ? EXIT_OK : EXIT_GATE_FAILED;
  },
};
