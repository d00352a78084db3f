import type { SqlValue, Warehouse } from './warehouse';

/**
 * Streams rows into `table` (`schema.name`, values in column order): the adapter's appender when
 * it has one, otherwise multi-row INSERTs of `batchRows` rows. Resolves with the row count.
 */
export async function appendRows(
  warehouse: Warehouse,
  table: string,
  columnCount: number,
  rows: AsyncIterable<readonly SqlValue[]>,
  options: { batchRows?: number } = {},
): Promise<number> {
  if (warehouse.append) return warehouse.append(table, rows);
  const batchRows = options.batchRows ?? 500;
  const tuple = `(${Array.from({ length: columnCount }, () => '?').join(', ')})`;
  let batch: SqlValue[] = [];
  let pending = 0;
  let total = 0;
  const flush = async () => {
    if (pending === 0) return;
    await warehouse.query(`insert into ${table} values ${Array(pending).fill(tuple).join(', ')}`, batch);
    total += pending;
    batch = [];
    pending = 0;
  };
  for await (const row of rows) {
    if (row.length !== columnCount)
      throw new Error(`${table} takes ${columnCount} values, got ${row.length}`);
    batch.push(...row);
    pending += 1;
    if (pending >= batchRows) await flush();
  }
  await flush();
  return total;
}
