/**
 * The Warehouse port: a dialect and parameterized SQL. Adapters: embedded DuckDB (the local
 * default) and Snowflake (production). Values come back as JSON-friendly primitives on both:
 * DATE → 'YYYY-MM-DD', TIMESTAMP → ISO-8601 UTC string, integers and decimals → number,
 * JSON/VARIANT → string, arrays → arrays.
 */
export type SqlDialect = 'duckdb' | 'snowflake';
export type SqlValue = string | number | boolean | null;
export type Row = Record<string, unknown>;

export interface Warehouse {
  readonly dialect: SqlDialect;
  /** Runs one statement with positional `?` binds and returns its rows. */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs one or more statements without binds (DDL, scripts). */
  execute(sql: string): Promise<void>;
  /** Runs `fn` on one connection inside a transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Warehouse) => Promise<T>): Promise<T>;
  /**
   * Optional fast path for bulk loads: streams rows (values in the table's column order) into
   * `table` (`schema.name`) and resolves with the number appended. Inside a transaction the rows
   * belong to it. Callers go through `appendRows`, which falls back to batched INSERTs.
   */
  append?(table: string, rows: AsyncIterable<readonly SqlValue[]>): Promise<number>;
  close(): Promise<void>;
}

/** Wraps a warehouse so every statement is reported to `onQuery` first (query counting, audits in tests). */
export function observeWarehouse(
  inner: Warehouse,
  onQuery: (sql: string, params: readonly SqlValue[]) => void,
): Warehouse {
  return {
    dialect: inner.dialect,
    query(sql, params = []) {
      onQuery(sql, params);
      return inner.query(sql, params);
    },
    execute(sql) {
      onQuery(sql, []);
      return inner.execute(sql);
    },
    transaction(fn) {
      return inner.transaction((tx) => fn(observeWarehouse(tx, onQuery)));
    },
    ...(inner.append && {
      append(table: string, rows: AsyncIterable<readonly SqlValue[]>) {
        onQuery(`APPEND ${table}`, []);
        return inner.append!(table, rows);
      },
    }),
    close: () => inner.close(),
  };
}
