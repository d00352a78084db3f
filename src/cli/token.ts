import type { Command } from 'commander';

/** Placeholder until the `token` command lands. */
export function registerToken(program: Command): void {
  program
    .command('token')
    .description('(token: not built yet)')
    .action(() => {
      throw new Error('The token command is not built yet');
    });
}
