import type { Command } from 'commander';

/** Placeholder until the `transform` command lands. */
export function registerTransform(program: Command): void {
  program
    .command('transform')
    .description('(transform: not built yet)')
    .action(() => {
      throw new Error('The transform command is not built yet');
    });
}
