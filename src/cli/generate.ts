import type { Command } from 'commander';

/** Placeholder until the `generate` command lands. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('(generate: not built yet)')
    .action(() => {
      throw new Error('The generate command is not built yet');
    });
}
