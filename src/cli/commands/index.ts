import type { SalvageCommand } from '../command';
import { evaluateCommand } from './evaluate';
import { inspectCommand } from './inspect';
import { reconstructCommand } from './reconstruct';
import { rulesTestCommand } from './rules-test';
import { simulateCommand } from './simulate';

// The table of contents of the CLI: one module per command.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: SalvageCommand<any>[] = [reconstructCommand, evaluateCommand, simulateCommand, inspectCommand, rulesTestCommand];
