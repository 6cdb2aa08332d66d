import type { Argv } from 'yargs';
import { EXIT_OK, type CommandIO, type SalvageCommand } from '../command';
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
      .option('out', { type: 'string', describe: 'output folder (logs/, keys.json and truth/ are replaced)' })
      .option('orders', { type: 'number', default: DEFAULTS.orders, describe: 'total orders over the whole period' })
      .option('days', { type: 'number', default: DEFAULTS.days, describe: 'days of traffic (rotated .gz files need at least 2)' })
      .option('start', { type: 'string', default: DEFAULTS.start, describe: 'start time, ISO 8601 (times without offset are Asia/Shanghai)' })
      .option('seed', { type: 'string', default: DEFAULTS.seed, describe: 'seed: same seed and options give byte-identical output' })
      .option('damage', { type: 'string', default: DEFAULTS.damage, describe: 'none | typical | severe' })
      .option('platform', { type: 'string', default: DEFAULTS.platform, describe: 'dujiaoka | acg-faka' })
      .option('logging', { type: 'string', default: DEFAULTS.logging, describe: 'default (stock shop logs) | operator (extra app-log lines) | platform (default plus exception frames with arguments and the queue worker output) / 日志模式' })
      .option('tokenpay', { type: 'boolean', default: DEFAULTS.tokenpay, describe: 'add a TokenPay (USDT-TRC20) payment row (dujiaoka) / 增加 TokenPay 支付方式' })
      .option('vocabulary', {
        type: 'string',
        describe: 'word, key and encode the operator lines as shop style N does (a non-negative integer); absent = the fixed lines of docs/log-shapes.md',
      }),
  async run(args, io: CommandIO) {
    const opts = resolveOptions(args);
    const t0 = process.hrtime.bigint();
    let last = t0;
    const timing = io.env.SALVAGE_SIM_TIMING === '1';
    const r = simulate(opts, (name) => {
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
