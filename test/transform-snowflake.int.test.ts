/**
 * dbt-snowflake builds the same marts as dbt-duckdb: one generated cohort is built by dbt Core on
 * DuckDB (the test cohort, plus its OMOP marts) and by dbt-snowflake against the Snowflake
 * stand-in (fakesnow, in-process in `build.py`, from the same raw rows and salt), and every `api`
 * and `omop` table is compared: the same columns with the same types, and the same rows
 * (order-independent), value for value.
 * A model whose Snowflake branch (`snowflake__` macros) computes anything differently fails here.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { transform } from '../src/transform';
import { currentBuildFile } from '../src/warehouse/duckdb-builds';
import { buildTestWarehouse, type TestWarehouse } from './support/cohort';
import { runStandinBuild, STANDIN_DATABASE, throwawayKey } from './support/snowflake-standin/standin-cohort';

const COHORT = { patients: 12, orgs: 2, seed: 7 };
/** The test cohort's build has the api marts; the OMOP marts (and their seed) are built on top. */
const OMOP_SELECT = ['build', '--select', '+path:models/marts/omop', '--exclude', 'resource_type:test'];
/** The schemas compared, as DuckDB and the stand-in name them. */
const SCHEMAS = [
  { duck: 'api', snow: 'API' },
  { duck: 'omop', snow: 'OMOP' },
];
/** Marts whose values are the build's own (invocation id, build time): compared by shape and row count only. */
const PER_BUILD = new Set(['build_info']);
/** The generated cohort lands no tombstones, so no deletions to serve. */
const MAY_BE_EMPTY = new Set(['fct_deleted_api']);
/**
 * Columns holding a served resource as JSON text. Snowflake keeps no key order in an OBJECT (and
 * fakesnow's `object_agg` neither), while DuckDB's `json_merge_patch` keeps the input's: members
 * are compared in sorted order (JSON gives member order no meaning, RFC 8259 §4). Arrays keep their
 * order, and every other column is compared exactly.
 */
const JSON_OBJECT_COLUMNS = new Set(['resource']);

type Row = Record<string, unknown>;

/**
 * Snowflake has one integer type: INTEGER, INT, SMALLINT and the like are synonyms of NUMBER(38,0)
 * (Snowflake's "Numeric data types"), which the stand-in keeps as BIGINT. A DuckDB INTEGER column
 * (OMOP's year_of_birth…) is therefore a BIGINT there; every other type is compared as it is.
 */
const asSnowflakeType = (column: Row): Row =>
  ['INTEGER', 'SMALLINT', 'TINYINT'].includes(String(column.type)) ? { ...column, type: 'BIGINT' } : column;

const sortedKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Row)[k])]),
    );
  return value;
};

/**
 * One row as comparable text: column names lower-cased, JSON object columns with sorted members,
 * and whole numbers as text (DuckDB's JSON rows give an INTEGER as a number and a BIGINT as text:
 * the same value, see asSnowflakeType).
 */
const comparable = (row: Row): string =>
  JSON.stringify(
    Object.entries(row).map(([name, value]) => {
      const column = name.toLowerCase();
      const v =
        JSON_OBJECT_COLUMNS.has(column) && typeof value === 'string'
          ? sortedKeys(JSON.parse(value))
          : Number.isInteger(value)
            ? String(value)
            : value;
      return [column, v];
    }),
  );

/** The rows of each side that the other lacks, as multisets (a duplicated row counts twice). */
function rowsOnOneSide(duckdb: Row[], snowflake: Row[]) {
  const left = new Map<string, number>();
  for (const r of duckdb.map(comparable)) left.set(r, (left.get(r) ?? 0) + 1);
  const onlySnowflake: string[] = [];
  for (const r of snowflake.map(comparable)) {
    const n = left.get(r) ?? 0;
    if (n > 0) left.set(r, n - 1);
    else onlySnowflake.push(r);
  }
  const onlyDuckdb = [...left].flatMap(([r, n]) => Array<string>(n).fill(r));
  return { onlyDuckdb, onlySnowflake };
}

describe('dbt-snowflake on the stand-in builds the API and OMOP marts of dbt-duckdb, row for row', () => {
  let cohort: TestWarehouse;
  let db: DuckDBConnection;
  let instance: DuckDBInstance;
  /** Every table of the compared schemas in the DuckDB build. */
  let marts: { schema: (typeof SCHEMAS)[number]; table: string }[];

  const rows = async (sql: string): Promise<Row[]> => (await db.runAndReadAll(sql)).getRowObjectsJson();
  const columns = (catalog: string, schema: string, table: string) =>
    rows(
      `select lower(column_name) as name, data_type as type from information_schema.columns
       where table_catalog = '${catalog}' and table_schema = '${schema}' and lower(table_name) = '${table}'
       order by ordinal_position`,
    );

  beforeAll(async () => {
    cohort = await buildTestWarehouse(COHORT);
    const config = loadConfig({ DATA_DIR: cohort.dir, TOKEN_SALT: cohort.salt });
    if (config.warehouse.kind !== 'duckdb') throw new Error('the cohort is built on DuckDB');
    const output: string[] = [];
    const omop = await transform(config, { args: OMOP_SELECT, output: (line) => output.push(line) });
    if (omop !== 0) throw new Error(`the DuckDB OMOP build failed:\n${output.slice(-20).join('\n')}`);
    const duckdbMarts = await currentBuildFile(config.warehouse.martsDir);
    if (!duckdbMarts) throw new Error('the cohort has no marts build');
    const root = join(cohort.dir, 'dbt-snowflake');
    await mkdir(root, { recursive: true });
    const keyPath = join(root, 'key.pem');
    await writeFile(keyPath, throwawayKey(), { mode: 0o600 });
    const dbPath = join(root, 'db');
    await runStandinBuild(
      [
        '--db-path',
        dbPath,
        '--raw',
        config.warehouse.rawPath,
        '--',
        'build',
        '--select',
        '+path:models/marts/api',
        '+path:models/marts/omop',
        '--exclude',
        'resource_type:test',
        '--target-path',
        join(root, 'target'),
        '--log-path',
        join(root, 'logs'),
      ],
      {
        FHIR_TOKEN_SALT: cohort.salt,
        SNOWFLAKE_ACCOUNT: 'standin',
        SNOWFLAKE_USER: 'standin',
        SNOWFLAKE_PRIVATE_KEY_PATH: keyPath,
        SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: '',
        SNOWFLAKE_ROLE: 'TRANSFORMER',
        SNOWFLAKE_WAREHOUSE: 'standin',
        SNOWFLAKE_DATABASE: STANDIN_DATABASE,
        SNOWFLAKE_SCHEMA: 'public',
        DBT_SCHEMA_PREFIX: '',
      },
    );
    instance = await DuckDBInstance.create(':memory:');
    db = await instance.connect();
    await db.run(`attach '${duckdbMarts}' as duck (read_only)`);
    await db.run(`attach '${join(dbPath, `${STANDIN_DATABASE}.db`)}' as snow (read_only)`);
    marts = [];
    for (const schema of SCHEMAS) {
      const tables = await rows(
        `select table_name as name from information_schema.tables
         where table_catalog = 'duck' and table_schema = '${schema.duck}' and table_type = 'BASE TABLE' order by 1`,
      );
      for (const t of tables) marts.push({ schema, table: String(t.name) });
    }
  });
  afterAll(async () => {
    db?.closeSync();
    instance?.closeSync();
    await cohort?.close();
  });

  it('builds every api and omop table of the DuckDB build, and no other', async () => {
    const names = (schema: (typeof SCHEMAS)[number]) =>
      marts.filter((m) => m.schema === schema).map((m) => m.table);
    const [api, omop] = SCHEMAS;
    expect(names(api!)).toEqual(expect.arrayContaining(['dim_patient_api', 'fct_observation_api']));
    expect(names(omop!)).toEqual(expect.arrayContaining(['person', 'measurement', 'drug_exposure']));
    for (const schema of SCHEMAS) {
      const built = await rows(
        `select lower(table_name) as name from information_schema.tables
         where table_catalog = 'snow' and table_schema = '${schema.snow}' order by 1`,
      );
      expect({ schema: schema.duck, tables: built.map((r) => r.name) }).toEqual({
        schema: schema.duck,
        tables: names(schema),
      });
    }
  });

  it('gives every table the same columns, types and rows', async () => {
    for (const { schema, table: mart } of marts) {
      const duckColumns = (await columns('duck', schema.duck, mart)).map(asSnowflakeType);
      expect({ mart, columns: await columns('snow', schema.snow, mart) }).toEqual({
        mart,
        columns: duckColumns,
      });
      const [duckRows, snowRows] = await Promise.all([
        rows(`select * from duck.${schema.duck}.${mart}`),
        rows(`select * from snow.${schema.snow}.${mart}`),
      ]);
      if (PER_BUILD.has(mart)) {
        expect({ mart, rows: snowRows.length }).toEqual({ mart, rows: duckRows.length });
        continue;
      }
      if (!MAY_BE_EMPTY.has(mart)) expect({ mart, rows: duckRows.length }).not.toEqual({ mart, rows: 0 });
      const { onlyDuckdb, onlySnowflake } = rowsOnOneSide(duckRows, snowRows);
      // Counts, and the first two rows of each side (a whole mart's difference is unreadable).
      expect({
        mart,
        onlyDuckdb: [onlyDuckdb.length, ...onlyDuckdb.slice(0, 2)],
        onlySnowflake: [onlySnowflake.length, ...onlySnowflake.slice(0, 2)],
      }).toEqual({ mart, onlyDuckdb: [0], onlySnowflake: [0] });
    }
  });

  it('compares a cohort that exercises the list macros', async () => {
    // Several codings per concept, name prefixes and several givens: what the Snowflake
    // branches of list_flatten / list_concat / list_join / with_list_maps have to get right.
    const [shape] = await rows(
      `select
         (select count(*) from duck.api.fct_condition_api where code_tokens like '% % %') as multi_coding,
         (select count(*) from duck.api.dim_patient_api where given_exact like '|%|%|%') as multi_given,
         (select count(*) from duck.api.dim_patient_api where name_exact <> family_exact || substr(given_exact, 2)) as more_parts,
         (select count(*) from duck.api.fct_observation_api) as observations`,
    );
    expect(Number(shape!.multi_coding)).toBeGreaterThan(0);
    expect(Number(shape!.multi_given)).toBeGreaterThan(0);
    expect(Number(shape!.more_parts)).toBeGreaterThan(0);
    expect(Number(shape!.observations)).toBeGreaterThan(100);
  });
});
