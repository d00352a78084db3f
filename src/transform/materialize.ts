/**
 * dbt's materializations on DuckDB: `view` (`create or replace view`), `table` (and
 * `incremental`, always a full refresh here: `is_incremental()` is false), seeds from CSV
 * with DuckDB's own reader, and the test query's failure count. A contracted table is
 * created from its yml column types (with `not null` constraints) and filled in the same
 * transaction, as dbt does; a relation of the other kind under the same name is dropped first.
 * See: https://docs.getdbt.com/docs/build/materializations
 */
import type { Warehouse } from '../warehouse';
import type { BuiltColumn } from './contract';
import type { ColumnProperties } from './project';
import type { Relation } from './relation';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
const asSubquery = (sql: string) => `(\n${sql.trim().replace(/;+\s*$/, '')}\n)`;

export async function ensureSchema(warehouse: Warehouse, relation: Relation): Promise<void> {
  await warehouse.execute(`create schema if not exists ${relation.schema}`);
}

/** The columns the query produces, without running it. */
export async function describeQuery(warehouse: Warehouse, sql: string): Promise<BuiltColumn[]> {
  const rows = await warehouse.query<{ column_name: string; column_type: string }>(
    `describe select * from ${asSubquery(sql)} as dbt_contract_subquery`,
  );
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

async function existingKind(warehouse: Warehouse, relation: Relation): Promise<'table' | 'view' | undefined> {
  const rows = await warehouse.query<{ table_type: string }>(
    `select table_type from information_schema.tables
     where table_catalog = current_database() and lower(table_schema) = lower(?) and lower(table_name) = lower(?)`,
    [relation.schema, relation.identifier],
  );
  if (rows.length === 0) return undefined;
  return rows[0]!.table_type === 'VIEW' ? 'view' : 'table';
}

async function dropOtherKind(
  warehouse: Warehouse,
  relation: Relation,
  kind: 'table' | 'view',
): Promise<void> {
  const existing = await existingKind(warehouse, relation);
  if (existing && existing !== kind) await warehouse.execute(`drop ${existing} ${relation}`);
}

export async function createView(warehouse: Warehouse, relation: Relation, sql: string): Promise<void> {
  await dropOtherKind(warehouse, relation, 'view');
  await warehouse.execute(`create or replace view ${relation} as ${asSubquery(sql)}`);
}

export async function createTable(
  warehouse: Warehouse,
  relation: Relation,
  sql: string,
  contract?: readonly ColumnProperties[],
): Promise<void> {
  await dropOtherKind(warehouse, relation, 'table');
  if (!contract) {
    await warehouse.execute(`create or replace table ${relation} as ${asSubquery(sql)}`);
    return;
  }
  const columns = contract.map((c) => {
    const notNull = (c.constraints ?? []).some((k) => k.type === 'not_null') ? ' not null' : '';
    return `${ident(String(c.name))} ${c.data_type}${notNull}`;
  });
  const names = contract.map((c) => ident(String(c.name))).join(', ');
  await warehouse.transaction(async (tx) => {
    await tx.execute(`create or replace table ${relation} (\n  ${columns.join(',\n  ')}\n)`);
    await tx.execute(
      `insert into ${relation} (${names})\nselect ${names} from ${asSubquery(sql)} as model_subq`,
    );
  });
}

/** Loads a CSV seed, replacing the table; returns its row count. */
export async function loadSeed(
  warehouse: Warehouse,
  relation: Relation,
  file: string,
  columnTypes: Record<string, string> | undefined,
): Promise<number> {
  await dropOtherKind(warehouse, relation, 'table');
  const types = Object.entries(columnTypes ?? {});
  const typesArg = types.length
    ? `, types = {${types.map(([k, v]) => `${literal(k)}: ${literal(v)}`).join(', ')}}`
    : '';
  await warehouse.execute(
    `create or replace table ${relation} as select * from read_csv(${literal(file)}, header = true, auto_detect = true${typesArg})`,
  );
  const [row] = await warehouse.query<{ n: number }>(`select count(*) as n from ${relation}`);
  return Number(row?.n ?? 0);
}

/** Runs a test query; returns how many rows (failures) it found. */
export async function countFailures(warehouse: Warehouse, sql: string): Promise<number> {
  const [row] = await warehouse.query<{ failures: number }>(
    `select count(*) as failures from ${asSubquery(sql)} as dbt_internal_test`,
  );
  return Number(row?.failures ?? 0);
}

/** dbt's `warn_if` / `error_if` conditions (`!=0`, `>10`, …) applied to a failure count. */
export function meetsCondition(failures: number, condition: unknown): boolean {
  const match = /^\s*(==|=|!=|<>|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(String(condition ?? '!=0'));
  if (!match) throw new Error(`unsupported test condition '${String(condition)}'`);
  const n = Number(match[2]);
  switch (match[1]) {
    case '==':
    case '=':
      return failures === n;
    case '!=':
    case '<>':
      return failures !== n;
    case '>=':
      return failures >= n;
    case '<=':
      return failures <= n;
    case '>':
      return failures > n;
    default:
      return failures < n;
  }
}
