import type { CommandGroup, SalvageCommand } from '../command';
import { COMMON_EXITS } from '../help';
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
  { name: 'rules', describe: 'rules test | rules suggest: try a rule pack on a sample, or draft one from unread lines / 测试或生成规则包', subcommands: [rulesTestCommand, rulesSuggestCommand],
    help: {
      examples: [
        ['salvage rules suggest storage/logs/laravel.log access.log --out my-rules/suggested.yaml', 'draft rules for unread lines / 为未读取的行生成规则草稿'],
        ['salvage rules test my-rules/ storage/logs/laravel.log', 'try them line by line / 逐行测试'],
      ],
      exitCodes: [0, ...COMMON_EXITS],
    },
  },
];
