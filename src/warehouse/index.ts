export { appendRows } from './append-rows';
export { createDuckDbWarehouse } from './duckdb-warehouse';
export { openWarehouse } from './open-warehouse';
export * from './warehouse';
