import type { DuckDBConnection } from '@duckdb/node-api';
import type { SqlValue, StagedJsonLines } from './warehouse';

/**
 * Copies a staged NDJSON file into `table` with one `INSERT … SELECT` over DuckDB's
 * `read_ndjson_objects`: DuckDB reads and parses the file on its own threads, so the caller's
 * thread is free while it runs. Each line's text is kept as it is (outer whitespace aside); line
 * numbers come from `WITH ORDINALITY`, which counts the placeholder lines too.
 * See: https://duckdb.org/docs/stable/data/json/loading_json
 */
export async function appendJsonLinesWith(
  c: DuckDBConnection,
  table: string,
  staged: StagedJsonLines,
): Promise<number> {
  const params: SqlValue[] = [];
  const select = staged.columns.map((column) => {
    if (column === null || typeof column !== 'object') {
      params.push(column);
      return '?';
    }
    if (column.line === 'text') return 'json';
    if (column.line === 'row') return 'ordinality';
    params.push(`$.${column.name}`);
    return 'json_extract_string(json, ?)';
  });
  const maxObjectSize = Math.max(16 * 1024 * 1024, (staged.maxLineBytes ?? 0) + 1);
  params.push(staged.file);
  const result = await c.runAndReadAll(
    `insert into ${table}
     select ${select.join(', ')}
     from read_ndjson_objects(?, maximum_object_size = ${maxObjectSize}) with ordinality
     where json <> '{}'`,
    params,
  );
  const [[count] = [0]] = result.getRows();
  return Number(count);
}
