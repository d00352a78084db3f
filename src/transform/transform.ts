/**
 * `fhir-gateway transform`: dbt Core over the configured warehouse. On DuckDB every run works on a
 * build file of its own (src/warehouse/duckdb-builds.ts): a copy of the served build (so
 * incremental models add to it), or an empty one with `--full-refresh`; a successful build, run
 * or seed is published whole, anything else is discarded. On Snowflake dbt runs in place.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config';
import { resolvePseudonymSalt } from '../pseudonyms';
import { openRawWarehouse } from '../warehouse';
import { prepareBuild } from '../warehouse/duckdb-builds';
import { runDbt } from './run-dbt';

/** The dbt commands that change the warehouse: their DuckDB build is published when they succeed. */
const BUILDING = new Set(['build', 'run', 'seed', 'snapshot']);

export interface TransformRequest {
  /** dbt's command and its own arguments, passed through (`['build', '--select', 'stg_vault__patient+']`). */
  args: readonly string[];
  /** A target of dbt/profiles.yml; the configured warehouse's by default. */
  target?: 'duckdb' | 'snowflake';
  /** Start from empty instead of the served build (dbt's `--full-refresh` is passed too). */
  fullRefresh?: boolean;
  /** Receives dbt's output lines; without it dbt writes to the terminal. */
  output?: (line: string) => void;
}

/** A transform that cannot start (no raw tables yet); the message says what to run. */
export class TransformError extends Error {}

/** Runs dbt and resolves with its exit code (0 when every node passed). */
export async function transform(config: Config, request: TransformRequest): Promise<number> {
  const target = request.target ?? config.warehouse.kind;
  const [command = 'build', ...rest] = request.args;
  const args = [command, ...rest, '--target', target, ...(request.fullRefresh ? ['--full-refresh'] : [])];
  const dbtDir = join(config.dataDir, 'dbt');
  const env: Record<string, string | undefined> = {
    ...config.dbt.env,
    FHIR_TOKEN_SALT: await resolvePseudonymSalt(config),
    FHIR_GATEWAY_DBT_THREADS: String(config.dbt.threads),
  };
  const invoke = () =>
    runDbt({
      executable: config.dbt.executable,
      args,
      projectDir: config.dbt.projectDir,
      targetPath: join(dbtDir, 'target'),
      logPath: join(dbtDir, 'logs'),
      env,
      output: request.output,
    });

  const w = config.warehouse;
  if (target !== 'duckdb' || w.kind !== 'duckdb') return invoke();
  if (!existsSync(w.rawPath))
    throw new TransformError(`No raw tables yet (${w.rawPath}): run \`npx fhir-gateway load\` first`);
  // dbt attaches the raw file read-only: wait until no loader is writing it.
  await (await openRawWarehouse(config, { readOnly: true })).close();
  const build = await prepareBuild(w.martsDir, { fresh: request.fullRefresh });
  // DuckDB creates its spill directory only one level deep: without this, the first build that
  // spills (a cohort larger than the memory limit) fails with an IO error.
  await mkdir(w.tempDir, { recursive: true });
  Object.assign(env, {
    FHIR_GATEWAY_DUCKDB_PATH: build.path,
    FHIR_GATEWAY_RAW_PATH: w.rawPath,
    FHIR_GATEWAY_DUCKDB_MEMORY_LIMIT: w.memoryLimit,
    FHIR_GATEWAY_DUCKDB_TEMP_DIR: w.tempDir,
  });
  let code = 1;
  try {
    code = await invoke();
  } finally {
    if (code === 0 && BUILDING.has(command)) await build.publish();
    else await build.discard();
  }
  return code;
}
