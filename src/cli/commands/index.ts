import type { CommandGroup, SalvageCommand } from '../command';
import { evaluateCommand } from './evaluate';
import { exportCommand } from './export';
import { indexCommand } from './es-index';
import { inspectCommand } from './inspect';
import { kibanaCommand } from './kibana';
import { reconstructCommand } from './reconstruct';
import { reportCommand } from './report';
import { rulesTestCommand } from './rules-test';
import { rulesSuggestCommand } from './rules-suggest';
import { simulateCommand } from './simulate';

// The table of contents of the CLI: one module per command.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: (SalvageCommand<any> | CommandGroup)[] = [
  reconstructCommand,
  indexCommand,
  kibanaCommand,
  reportCommand,
  evaluateCommand,
  exportCommand,
  simulateCommand,
  inspectCommand,
  { name: 'rules', describe: 'rules test | rules suggest: try a rule pack on a sample, or draft one from unread lines / 测试或生成规则包', subcommands: [rulesTestCommand, rulesSuggestCommand] },
];
