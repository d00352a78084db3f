import type { Command } from 'commander';

/** Placeholder until the `start` command lands. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('(start: not built yet)')
    .action(() => {
      throw new Error('The start command is not built yet');
    });
}
