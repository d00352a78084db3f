import type { Command } from 'commander';

/** Placeholder until the `serve` command lands. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('(serve: not built yet)')
    .action(() => {
      throw new Error('The serve command is not built yet');
    });
}
