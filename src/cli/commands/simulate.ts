import type { Argv } from 'yargs';
import { EXIT_OK, EXIT_WRITE_FAILED, type CommandIO, type SalvageCommand } from '../command';
import { COMMON_EXITS } from '../help';
import { DEFAULTS, resolveOptions } from '../../simulate/options';
import { simulate } from '../../simulate/simulate';

export interface SimulateArgs {
  out?: string;
  orders?: number;
  days?: number;
  start?: string;
  seed?: string;
  damage?: string;
  platform?: string;
  logging?: string;
  tokenpay?: boolean;
  vocabulary?: string;
}

export const simulateCommand: SalvageCommand<SimulateArgs> = {
  name: 'simulate',
  describe: 'Generate a simulated shop with damaged logs and ground truth / 生成带损坏日志与真值的模拟发卡网',
  builder: (y: Argv) =>
    y
      .option('out', { type: 'string', describe: 'output folder (logs/, keys.json and truth/ are replaced; the generated text waits in spill files there while the run lasts) / 输出目录（运行期间生成的文本暂存于其中的临时文件）' })
      .option('orders', { type: 'number', default: DEFAULTS.orders, describe: 'total orders over the whole period / 订单总数' })
      .option('days', { type: 'number', default: DEFAULTS.days, describe: 'days of traffic (rotated .gz files need at least 2) / 天数' })
      .option('start', { type: 'string', default: DEFAULTS.start, describe: 'start time, ISO 8601 (times without offset are Asia/Shanghai) / 开始时间' })
      .option('seed', { type: 'string', default: DEFAULTS.seed, describe: 'seed: same seed and options give byte-identical output / 随机种子' })
      .option('damage', { type: 'string', default: DEFAULTS.damage, describe: 'none | typical | severe / 损坏程度' })
      .option('platform', { type: 'string', default: DEFAULTS.platform, describe: 'dujiaoka | acg-faka / 平台' })
      .option('logging', { type: 'string', default: DEFAULTS.logging, describe: 'default (stock shop logs) | operator (extra app-log lines) | platform (default plus exception frames with arguments and the queue worker output) / 日志模式' })
      .option('tokenpay', { type: 'boolean', default: DEFAULTS.tokenpay, describe: 'add a TokenPay (USDT-TRC20) payment row (dujiaoka) / 增加 TokenPay 支付方式' })
      .option('vocabulary', {
        type: 'string',
        describe: 'word, key and encode the operator lines as shop style N does (a non-negative integer); absent = the fixed lines of docs/log-shapes.md / 按第 N 种商店风格改写日志行',
      }),
  help: {
    examples: [
      ['salvage simulate --out drill', '2,000 orders over one day, typical damage / 2000 个订单、一天、常见损坏'],
      ['salvage simulate --out drill3 --orders 30000 --days 3 --seed 1', 'the 3-day drill: its text waits on disk, its per-order records need a heap sized to fit (with a note) / 三天演练：文本暂存磁盘，按订单数自动调整内存'],
      ['salvage simulate --out big --orders 320000 --days 24 --damage none', 'about 10 M lines without damage: streams in the default heap / 约一千万行、无损坏：流式生成，默认内存即可'],
      ['salvage simulate --out v2 --vocabulary 2 --logging operator', "another shop's wording / 另一家商店的措辞"],
    ],
    exitCodes: [0, EXIT_WRITE_FAILED, ...COMMON_EXITS],
    env: ['SALVAGE_SIM_TIMING'],
  },
  async run(args, io: CommandIO) {
    const opts = resolveOptions(args);
    const t0 = process.hrtime.bigint();
    let last = t0;
    const timing = io.env.SALVAGE_SIM_TIMING === '1';
    const r = await simulate(opts, (name) => {
      if (!timing) return;
      const now = process.hrtime.bigint();
      io.stderr.write(`  ${name}: ${Number((now - last) / 1_000_000n)} ms\n`);
      last = now;
    });
    const ms = Number((process.hrtime.bigint() - t0) / 1_000_000n);
    const bytes = r.files.reduce((s, f) => s + f.bytes, 0);
    io.stdout.write(
      `simulated ${opts.platform}${opts.vocabulary === null ? '' : ` (vocabulary ${opts.vocabulary})`}: ${r.orders} orders (${r.paid} paid, ${r.recoverable} recoverable), ` +
        `${r.files.length} log files, ${r.totalLines} lines, ${bytes} bytes, ${r.damageActions} damage actions, ${ms} ms\n` +
        `模拟完成：${r.orders} 个订单（已支付 ${r.paid}，可恢复 ${r.recoverable}），${r.files.length} 个日志文件，${r.totalLines} 行 → ${opts.out}\n`,
    );
    return EXIT_OK;
  },
};
