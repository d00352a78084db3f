import type { Config } from '../config';
import { createDuckDbWarehouse } from './duckdb-warehouse';
import type { Warehouse } from './warehouse';

/** Opens the configured warehouse. */
export async function openWarehouse(config: Config): Promise<Warehouse> {
  const w = config.warehouse;
  if (w.kind === 'duckdb') return createDuckDbWarehouse({ path: w.path });
  throw new Error('WAREHOUSE=snowflake: the Snowflake adapter is not part of this build yet');
}
