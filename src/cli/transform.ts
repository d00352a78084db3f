import { type Command, Option } from 'commander';
import { loadConfig } from '../config';
import { DbtUnavailableError, TransformError, transform } from '../transform';
import { CliError } from './cli-error';

const COMMANDS = [
  'build',
  'run',
  'test',
  'seed',
  'compile',
  'docs',
  'snapshot',
  'ls',
  'show',
  'parse',
] as const;

/** `fhir-gateway transform`: dbt Core (the project's `.venv/bin/dbt`) over the configured warehouse. */
export function registerTransform(program: Command): void {
  program
    .command('transform')
    .description(
      'Run the dbt project (dbt/) with dbt Core: seeds, models, contracts and data tests — on the local ' +
        'DuckDB warehouse (each build published whole when it succeeds) or on Snowflake',
    )
    .addArgument(program.createArgument('[command]', COMMANDS.join(' | ')).choices(COMMANDS).default('build'))
    .argument('[dbt-args...]', "dbt's own arguments, after `--` (e.g. `-- generate` for docs, `--fail-fast`)")
    .option(
      '-s, --select <selector...>',
      "dbt selectors: model, model+, +model, 'path:models/staging', 'tag:x'",
    )
    .addOption(
      new Option('-t, --target <target>', 'a target of dbt/profiles.yml').choices(['duckdb', 'snowflake']),
    )
    .option('--full-refresh', 'rebuild incremental models from the raw tables (locally: into an empty file)')
    .addHelpText(
      'after',
      `
Examples:
  fhir-gateway transform                              seeds, models and tests (incremental models add what is new)
  fhir-gateway transform build --full-refresh         everything rebuilt from raw
  fhir-gateway transform run --select stg_vault__patient+
  fhir-gateway transform docs -- generate             dbt docs (catalog.json) under .data/dbt/target/
  fhir-gateway transform compile --target snowflake   Snowflake SQL (SNOWFLAKE_* set)

dbt's output and exit code pass through. Locally the gateway keeps serving the previous build
until a build, run or seed succeeds; a failed one changes nothing.`,
    )
    .action(
      async (
        command: (typeof COMMANDS)[number],
        dbtArgs: string[],
        opts: { select?: string[]; target?: 'duckdb' | 'snowflake'; fullRefresh?: boolean },
      ) => {
        const config = loadConfig();
        try {
          process.exitCode = await transform(config, {
            args: [command, ...(opts.select ? ['--select', ...opts.select] : []), ...dbtArgs],
            target: opts.target,
            fullRefresh: opts.fullRefresh,
          });
        } catch (error) {
          if (error instanceof DbtUnavailableError || error instanceof TransformError)
            throw new CliError(error.message);
          throw error;
        }
      },
    );
}
