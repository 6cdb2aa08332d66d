import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT_OK, UsageError, type CommandIO, type SalvageCommand } from '../command';
import { OutputFolder } from '../../sinks/output-folder';
import { ReportInputError, writeReportHtml } from '../../sinks/report-html/write-report';
import { pickLang } from '../../sinks/report-html/lang';
import type { CalibrationBin } from '../../evaluate/types';

export interface ReportArgs {
  dir: string;
  lang?: string;
  truth?: string;
}

export const reportCommand: SalvageCommand<ReportArgs> = {
  name: 'report <dir>',
  describe: 'Rebuild report.html from the outputs of a finished reconstruct run / 根据已完成的重建结果生成 report.html',
  builder: (y: Argv) =>
    y
      .positional('dir', { type: 'string', describe: 'the --out folder of a reconstruct run (with report.json) / 重建输出目录' })
      .option('lang', { type: 'string', choices: ['en', 'zh'], describe: 'language the page opens in (both are in it); default: zh when the system locale is Chinese / 页面默认语言' })
      .option('truth', { type: 'string', describe: 'truth folder of a simulated shop (<sim>/truth): adds the calibration chart / 模拟真值目录，用于校准图' })
      .example('salvage report out', 'rewrite out/report.html / 重写 out/report.html')
      .example('salvage report out --lang en --truth sim/truth', 'English first, with the calibration chart / 英文优先并附校准图')
      .epilog([
        'Exit codes / 退出码: 0 written / 已写出; 2 usage (no report.json, bad --truth) / 用法错误; 5 cannot write <dir> / 无法写入',
        'Environment / 环境变量: LC_ALL, LC_MESSAGES, LANG — a Chinese locale opens the page in Chinese / 中文环境下页面默认中文',
      ].join('\n')),
  async run(args, io) {
    return report(args, io);
  },
};

export async function report(args: ReportArgs, io: CommandIO): Promise<number> {
  const dir = resolve(io.cwd, args.dir);
  if (!existsSync(join(dir, 'report.json'))) {
    throw new UsageError(`${args.dir} holds no report.json: give the --out folder of a finished reconstruct run / ${args.dir} 中没有 report.json，请指定已完成的重建输出目录`);
  }
  let calibration: CalibrationBin[] | null = null;
  if (args.truth !== undefined) {
    const truthDir = resolve(io.cwd, args.truth);
    try {
      if (!statSync(truthDir).isDirectory()) throw new Error('not a folder');
    } catch {
      throw new UsageError(`--truth ${args.truth} is not a folder / --truth 不是目录`);
    }
    // Loaded only when asked for: scoring reads every record into memory.
    const { evaluateFiles } = await import('../../evaluate/evaluate');
    const { EvaluateInputError } = await import('../../evaluate/types');
    try {
      calibration = (await evaluateFiles(truthDir, join(dir, 'transactions.ndjson'), {})).report.calibration;
    } catch (e) {
      if (e instanceof EvaluateInputError) throw new UsageError(`--truth: ${e.message}`);
      throw e;
    }
  }
  // The folder is taken like a reconstruct run takes it: no run can be writing it meanwhile,
  // and the page is moved into place whole.
  const { folder } = OutputFolder.open(dir);
  const withdraw = io.onStop?.(() => folder.release());
  try {
    await writeReportHtml(dir, folder.staged('report.html'), { lang: pickLang(args.lang, io.env), outDir: dir, calibration });
    folder.commit(['report.html'], 'report.html');
  } catch (e) {
    if (e instanceof ReportInputError) throw new UsageError(`cannot read the run's report: ${e.message} / 无法读取运行报告`);
    throw e;
  } finally {
    folder.release();
    withdraw?.();
  }
  io.stdout.write(`${join(dir, 'report.html')}\n`);
  return EXIT_OK;
}
