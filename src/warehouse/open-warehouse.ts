import type { Config } from '../config';
import { createDuckDbWarehouse } from './duckdb-warehouse';
import type { Warehouse } from './warehouse';

/** Opens the configured warehouse (snowflake-sdk is loaded only when Snowflake is configured). */
export async function openWarehouse(config: Config): Promise<Warehouse> {
  const w = config.warehouse;
  if (w.kind === 'duckdb') return createDuckDbWarehouse({ path: w.path });
  const { createSnowflakeWarehouse } = await import('./snowflake-warehouse');
  return createSnowflakeWarehouse(w);
}
