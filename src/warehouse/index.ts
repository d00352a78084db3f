export { appendRows } from './append-rows';
export { createDuckDbWarehouse } from './duckdb-warehouse';
export { openRawWarehouse, openWarehouse } from './open-warehouse';
export * from './warehouse';
