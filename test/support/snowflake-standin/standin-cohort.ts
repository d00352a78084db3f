/**
 * A test cohort served from the Snowflake stand-in: `build.py` fills the stand-in's database with
 * the cohort's raw tables and its DuckDB build's `api` marts, the stand-in serves it, and the
 * gateway's own Snowflake adapter (snowflake-sdk, key-pair JWT) reads it. With `SNOWFLAKE_*` set
 * to a real account (`realSnowflakeEnv`), the same suites read that account instead.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, type SnowflakeConfig } from '../../../src/config';
import type { Warehouse } from '../../../src/warehouse';
import { currentBuildFile } from '../../../src/warehouse/duckdb-builds';
import { createSnowflakeWarehouse } from '../../../src/warehouse/snowflake-warehouse';
import type { TestWarehouse } from '../cohort';
import { type Standin, type StandinOptions, startSnowflakeStandin } from './standin';

const ROOT = resolve(import.meta.dirname, '../../..');
export const STANDIN_DATABASE = 'FHIR_GATEWAY';

/** A throwaway RSA key: the driver signs its key-pair login with it (the stand-in accepts any). */
export function throwawayKey(): string {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
}

/** The gateway's environment for the stand-in at `accessUrl`: what `snowflake:local` prints. */
export function standinEnv(accessUrl: string, privateKeyPath: string): Record<string, string> {
  return {
    WAREHOUSE: 'snowflake',
    SNOWFLAKE_ACCOUNT: 'standin',
    SNOWFLAKE_ACCESS_URL: accessUrl,
    SNOWFLAKE_USER: 'standin',
    SNOWFLAKE_PRIVATE_KEY_PATH: privateKeyPath,
    SNOWFLAKE_ROLE: 'API_READER',
    SNOWFLAKE_WAREHOUSE: 'standin',
    SNOWFLAKE_DATABASE: STANDIN_DATABASE,
  };
}

/**
 * Runs `build.py` (raw tables, marts, dbt or the object scripts into the stand-in's database
 * files) with `env` added to this process's environment; resolves with its stdout.
 */
export async function runStandinBuild(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<string> {
  const { stdout } = await promisify(execFile)(
    join(ROOT, '.venv/bin/python'),
    ['-W', 'ignore', join(import.meta.dirname, 'build.py'), ...args],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } },
  );
  return stdout;
}

export interface StandinCohort {
  warehouse: Warehouse;
  standin?: Standin;
  close(): Promise<void>;
}

/**
 * The configured warehouse when it is a real Snowflake account (`WAREHOUSE=snowflake` and
 * `SNOWFLAKE_*` without `SNOWFLAKE_ACCESS_URL`), else undefined: suites then use the stand-in.
 */
export function realSnowflakeConfig(): SnowflakeConfig | undefined {
  const w = loadConfig().warehouse;
  return w.kind === 'snowflake' && !w.accessUrl ? w : undefined;
}

/** Serves `cohort` (already built on DuckDB) from a fresh stand-in, through the Snowflake adapter. */
export async function openStandinCohort(
  cohort: TestWarehouse,
  options: Pick<StandinOptions, 'latencyMs'> & { poolMax?: number } = {},
): Promise<StandinCohort> {
  const config = loadConfig({ DATA_DIR: cohort.dir });
  if (config.warehouse.kind !== 'duckdb') throw new Error('the cohort is built on DuckDB');
  const marts = await currentBuildFile(config.warehouse.martsDir);
  if (!marts) throw new Error('the cohort has no marts build');
  const dbPath = join(cohort.dir, 'snowflake-standin');
  await runStandinBuild(['--db-path', dbPath, '--raw', config.warehouse.rawPath, '--marts', marts]);
  const standin = await startSnowflakeStandin({ dbPath, latencyMs: options.latencyMs });
  const keyPath = join(cohort.dir, 'standin-key.pem');
  await writeFile(keyPath, throwawayKey(), { mode: 0o600 });
  const w = loadConfig({
    ...standinEnv(standin.accessUrl, keyPath),
    SNOWFLAKE_POOL_MAX: String(options.poolMax ?? 8),
  }).warehouse;
  if (w.kind !== 'snowflake') throw new Error('unreachable');
  const warehouse = createSnowflakeWarehouse({ ...w, cacheDir: join(cohort.dir, 'snowflake-cache') });
  return {
    warehouse,
    standin,
    async close() {
      await warehouse.close();
      await standin.stop();
    },
  };
}
