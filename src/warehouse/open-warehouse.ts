import type { Config } from '../config';
import { createDuckDbMartsWarehouse } from './duckdb-marts-warehouse';
import { createDuckDbWarehouse } from './duckdb-warehouse';
import type { Warehouse } from './warehouse';

type DuckDbConfig = Extract<Config['warehouse'], { kind: 'duckdb' }>;

const duckDbSettings = (w: DuckDbConfig) => ({ memory_limit: w.memoryLimit, temp_directory: w.tempDir });

/** Opens the configured warehouse for serving: locally the served marts build, read-only. */
export async function openWarehouse(config: Config): Promise<Warehouse> {
  const w = config.warehouse;
  if (w.kind === 'duckdb')
    return createDuckDbMartsWarehouse({ martsDir: w.martsDir, settings: duckDbSettings(w) });
  throw new Error('WAREHOUSE=snowflake: the Snowflake adapter is not part of this build yet');
}

/**
 * Opens the raw tables for the loader: locally `raw.duckdb`, written by one process at a time, so
 * a second writer (or a dbt build reading it) is waited for.
 */
export async function openRawWarehouse(
  config: Config,
  options: { readOnly?: boolean } = {},
): Promise<Warehouse> {
  const w = config.warehouse;
  if (w.kind !== 'duckdb') return openWarehouse(config);
  return whenFree(w.rawPath, () =>
    createDuckDbWarehouse({ path: w.rawPath, readOnly: options.readOnly, settings: duckDbSettings(w) }),
  );
}

/** Retries `open` while another process writes `path` (DuckDB's file lock), up to `waitMs`. */
async function whenFree<T>(path: string, open: () => Promise<T>, waitMs = 10 * 60_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let announced = false; ; announced = true) {
    try {
      return await open();
    } catch (error) {
      if (!/being written by another process/.test(String(error)) || Date.now() > deadline) throw error;
      if (!announced) process.stderr.write(`waiting for the process using ${path} to finish\n`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
