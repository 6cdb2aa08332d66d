import type { SalvageCommand } from '../command';
import { evaluateCommand } from './evaluate';
import { reconstructCommand } from './reconstruct';
import { simulateCommand } from './simulate';

// The table of contents of the CLI: one module per command.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: SalvageCommand<any>[] = [reconstructCommand, evaluateCommand, simulateCommand];
