import { type Command, Option } from 'commander';
import { loadConfig } from '../config';
import { resolveTokenSalt } from '../secrets';
import { runTransform, type TransformOptions } from '../transform';
import { openWarehouse } from '../warehouse';

const COMMANDS = ['build', 'run', 'test', 'seed', 'compile'] as const;

/** `fhir-gateway transform`: the project's own dbt runner on DuckDB (or `compile` for Snowflake). */
export function registerTransform(program: Command): void {
  program
    .command('transform')
    .description(
      'Build the dbt project (dbt/) in the local DuckDB warehouse: seeds, models and data tests in DAG order, ' +
        'contracts enforced — or compile it for a target without connecting',
    )
    .addArgument(
      program
        .createArgument('[command]', 'build | run | test | seed | compile')
        .choices(COMMANDS)
        .default('build'),
    )
    .option(
      '-s, --select <selector...>',
      "dbt selectors: model, model+, +model, 'path:models/staging', 'tag:x'",
    )
    .addOption(new Option('-t, --target <target>', "a target of dbt/profiles.yml (default: the profile's)"))
    .option('--project-dir <dir>', 'the dbt project', 'dbt')
    .addHelpText(
      'after',
      `
Examples:
  fhir-gateway transform                         seeds, models and tests of the whole project
  fhir-gateway transform run --select stg_vault__patient+
  fhir-gateway transform compile --target snowflake   SQL for Snowflake under dbt/target/compiled/ (no connection)

Exit code 1 when a model fails, a contract is broken or an error-severity test fails.`,
    )
    .action(
      async (
        command: TransformOptions['command'],
        opts: { select?: string[]; target?: string; projectDir: string },
      ) => {
        const config = loadConfig();
        const env: Record<string, string | undefined> = {
          ...config.dbtEnv,
          FHIR_TOKEN_SALT: await resolveTokenSalt(config),
        };
        if (config.warehouse.kind === 'duckdb') env.FHIR_GATEWAY_DUCKDB_PATH = config.warehouse.path;
        const compile = command === 'compile';
        const warehouse = compile ? undefined : await openWarehouse(config);
        try {
          const result = await runTransform({
            command,
            warehouse,
            env,
            target: opts.target ?? (compile || config.warehouse.kind !== 'duckdb' ? undefined : 'duckdb'),
            select: opts.select,
            projectDir: opts.projectDir,
          });
          if (!result.ok) process.exitCode = 1;
        } finally {
          await warehouse?.close();
        }
      },
    );
}
