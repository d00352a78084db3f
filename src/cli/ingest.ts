import type { Command } from 'commander';

/** Placeholder until the `ingest` command lands. */
export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('(ingest: not built yet)')
    .action(() => {
      throw new Error('The ingest command is not built yet');
    });
}
