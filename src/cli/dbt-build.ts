import type { Config } from '../config';
import { DbtUnavailableError, transform } from '../transform';
import { CliError } from './cli-error';

/**
 * `transform build` as the commands that chain it run it (`start`, `ingest bulk`): incremental
 * (tombstones included), dbt's output on stderr unless quiet — then its tail on failure, which
 * stops the command.
 */
export async function buildMarts(config: Config, options: { quiet: boolean }): Promise<void> {
  const lines: string[] = [];
  const code = await transform(config, {
    args: ['build'],
    output: (line) => {
      lines.push(line);
      if (!options.quiet) process.stderr.write(`${line}\n`);
    },
  }).catch((error) => {
    if (error instanceof DbtUnavailableError) throw new CliError(error.message);
    throw error;
  });
  if (code !== 0) {
    if (options.quiet) process.stderr.write(`${lines.slice(-30).join('\n')}\n`);
    throw new CliError(`The dbt build failed (exit code ${code}); see dbt's output above`);
  }
}
