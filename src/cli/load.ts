import type { Command } from 'commander';

/** Placeholder until the `load` command lands. */
export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('(load: not built yet)')
    .action(() => {
      throw new Error('The load command is not built yet');
    });
}
