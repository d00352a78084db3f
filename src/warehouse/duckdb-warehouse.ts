/**
 * Embedded DuckDB adapter (`@duckdb/node-api`). One process owns a database file; inside it a
 * small pool of connections serves concurrent queries, and a transaction holds one connection.
 * A read-only instance (the served marts) keeps each connection's prepared statements by SQL
 * text: the API asks a few shapes over and over. That saves the parse and the prepare round trip
 * only: DuckDB (since 1.5, duckdb/duckdb#20885) binds and plans a statement with parameters again
 * on every execution, so its optimizer sees the values: about half of a point read.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBInstance,
  DuckDBMaterializedResult,
  DuckDBPreparedStatement,
  DuckDBValueConverter,
  JS,
} from '@duckdb/node-api';
import { appendJsonLinesWith } from './duckdb-json-lines';
import type { Row, SqlValue, Warehouse } from './warehouse';

export interface DuckDbOptions {
  /** A file path, or ':memory:'. */
  path: string;
  /** Connections kept for concurrent queries. */
  connections?: number;
  /** Opens the file read-only: any number of processes may read it while none writes it. */
  readOnly?: boolean;
  /** DuckDB settings (`memory_limit`, `temp_directory`, ...). */
  settings?: Record<string, string>;
}

/** Prepared statements kept per connection of a read-only instance (least recently used go first). */
const PREPARED_PER_CONNECTION = 256;

export async function createDuckDbWarehouse(options: DuckDbOptions): Promise<Warehouse> {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  // Loaded on first use: DuckDB is native code for the developer's machine, absent from the Lambda
  // bundles (production serves from Snowflake), so nothing may import it at module load.
  const { DuckDBInstance: Instance, JSDuckDBValueConverter: toJS } = await import('@duckdb/node-api');
  let instance: DuckDBInstance;
  try {
    instance = await Instance.create(options.path, {
      ...options.settings,
      ...(options.readOnly && { access_mode: 'READ_ONLY' }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/lock/i.test(message)) {
      throw new Error(
        `The warehouse file ${options.path} is being written by another process (a \`load\` or ` +
          '`transform` still running?); try again when it has finished.',
      );
    }
    throw error;
  }
  const size = Math.max(1, options.connections ?? 4);
  const idle: DuckDBConnection[] = [];
  for (let i = 0; i < size; i++) idle.push(await instance.connect());
  const statements = new Map(idle.map((c) => [c, createStatementCache(c)]));
  const waiting: ((c: DuckDBConnection) => void)[] = [];

  const acquire = (): Promise<DuckDBConnection> => {
    const c = idle.pop();
    return c ? Promise.resolve(c) : new Promise((resolve) => waiting.push(resolve));
  };
  const release = (c: DuckDBConnection) => {
    const next = waiting.shift();
    if (next) next(c);
    else idle.push(c);
  };
  const withConnection = async <T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> => {
    const c = await acquire();
    try {
      return await fn(c);
    } finally {
      release(c);
    }
  };

  const on = (c: DuckDBConnection): Warehouse => ({
    dialect: 'duckdb',
    query: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => {
      if (!options.readOnly || params.length === 0) {
        return toRows<T>(await c.run(sql, params.length ? [...params] : undefined), toJS);
      }
      const prepared = await statements.get(c)!(sql);
      prepared.bind([...params]);
      return toRows<T>(await prepared.run(), toJS);
    },
    execute: async (sql) => {
      await c.run(sql);
    },
    transaction: (fn) => fn(on(c)),
    append: (table, rows) => appendWith(c, table, rows),
    appendJsonLines: (table, staged) => appendJsonLinesWith(c, table, staged),
    close: async () => undefined,
  });

  let closed = false;
  return {
    dialect: 'duckdb',
    query: (sql, params) => withConnection((c) => on(c).query(sql, params)),
    execute: (sql) => withConnection((c) => on(c).execute(sql)),
    transaction: (fn) =>
      withConnection(async (c) => {
        await c.run('BEGIN TRANSACTION');
        try {
          const result = await fn(on(c));
          await c.run('COMMIT');
          return result;
        } catch (error) {
          await c.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    append: (table, rows) => withConnection((c) => appendWith(c, table, rows)),
    appendJsonLines: (table, staged) => withConnection((c) => appendJsonLinesWith(c, table, staged)),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const c of idle.splice(0)) {
        statements.get(c)!.clear();
        c.closeSync();
      }
      instance.closeSync();
    },
  };
}

/** One connection's prepared statements by SQL text, at most `PREPARED_PER_CONNECTION`. */
function createStatementCache(c: DuckDBConnection) {
  const kept = new Map<string, DuckDBPreparedStatement>();
  return Object.assign(
    async (sql: string): Promise<DuckDBPreparedStatement> => {
      const hit = kept.get(sql);
      kept.delete(sql);
      const prepared = hit ?? (await c.prepare(sql));
      kept.set(sql, prepared);
      if (kept.size > PREPARED_PER_CONNECTION) {
        const [oldest, statement] = kept.entries().next().value!;
        kept.delete(oldest);
        statement.destroySync();
      }
      return prepared;
    },
    {
      clear() {
        for (const statement of kept.values()) statement.destroySync();
        kept.clear();
      },
    },
  );
}

/** DuckDB's appender: rows go straight into the table's storage, a chunk at a time. */
async function appendWith(
  c: DuckDBConnection,
  table: string,
  rows: AsyncIterable<readonly SqlValue[]>,
): Promise<number> {
  const [schema, name] = table.includes('.') ? table.split('.', 2) : [null, table];
  const appender = await c.createAppender(name!, schema);
  const writers = Array.from({ length: appender.columnCount }, (_, i) =>
    writerFor(appender, appender.columnType(i).toString()),
  );
  let count = 0;
  try {
    for await (const row of rows) {
      if (row.length !== writers.length) {
        throw new Error(`${table} takes ${writers.length} values, got ${row.length}`);
      }
      for (let i = 0; i < writers.length; i++) {
        const value = row[i];
        if (value === null || value === undefined) appender.appendNull();
        else writers[i]!(value);
      }
      appender.endRow();
      count += 1;
    }
    appender.closeSync();
    return count;
  } catch (error) {
    appender.clear();
    appender.closeSync();
    throw error;
  }
}

function writerFor(a: DuckDBAppender, type: string): (v: string | number | boolean) => void {
  switch (type) {
    case 'INTEGER':
    case 'SMALLINT':
    case 'TINYINT':
      return (v) => a.appendInteger(Number(v));
    case 'BIGINT':
      return (v) => a.appendBigInt(BigInt(v));
    case 'DOUBLE':
    case 'FLOAT':
      return (v) => a.appendDouble(Number(v));
    case 'BOOLEAN':
      return (v) => a.appendBoolean(Boolean(v));
    default:
      return (v) => a.appendVarchar(String(v));
  }
}

/**
 * The rows of a materialized result, read from its chunks in place: a result reader would fetch
 * each chunk (and a last empty one) through another round trip to DuckDB's threads, which cost
 * about a quarter of a point read at 4 queries in flight.
 */
function toRows<T extends Row>(result: DuckDBMaterializedResult, toJS: DuckDBValueConverter<JS>): T[] {
  const names = result.deduplicatedColumnNames();
  const types = result.columnTypes().map((t) => t.toString());
  const rows: Record<string, unknown>[] = [];
  for (let k = 0; k < result.chunkCount; k++) {
    for (const values of result.getChunk(k).convertRows(toJS)) {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = toPlain(values[i], types[i]!);
      rows.push(row);
    }
  }
  return rows as T[];
}

function toPlain(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return type === 'DATE' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toPlain(v, ''));
  return value;
}
