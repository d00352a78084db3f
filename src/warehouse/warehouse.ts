/**
 * The Warehouse port: a dialect and parameterized SQL. Adapters: embedded DuckDB (the local
 * default) and Snowflake (production). Values come back as JSON-friendly primitives on both:
 * DATE → 'YYYY-MM-DD', TIMESTAMP → ISO-8601 UTC string, integers and decimals → number,
 * JSON/VARIANT → string, arrays → arrays; column names in lower case.
 */
export type SqlDialect = 'duckdb' | 'snowflake';
export type SqlValue = string | number | boolean | null;
export type Row = Record<string, unknown>;

/** A column filled from a staged JSON line: its text, a string field of it, or its 1-based line number. */
export type JsonLineColumn = { line: 'text' } | { line: 'row' } | { line: 'field'; name: string };

/**
 * A local NDJSON file staged for a bulk copy: one JSON object per line. A line that is exactly
 * `{}` is a placeholder that keeps line numbers aligned and is not copied.
 */
export interface StagedJsonLines {
  file: string;
  /** One entry per table column, in order: a constant, or a value taken from each line. */
  columns: readonly (SqlValue | JsonLineColumn)[];
  /** Longest line in the file, in bytes. */
  maxLineBytes?: number;
}

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
  /**
   * Optional bulk copy of a staged NDJSON file into `table`, the warehouse parsing the lines
   * itself (DuckDB: `read_ndjson_objects`; Snowflake: a stage and `COPY INTO`). Inside a
   * transaction the rows belong to it. Resolves with the number of rows copied.
   */
  appendJsonLines?(table: string, staged: StagedJsonLines): Promise<number>;
  /**
   * Optional: the same warehouse with every statement tagged `tag` (Snowflake's `QUERY_TAG`: the
   * request id, so a statement in the warehouse's query history leads back to its request).
   */
  withQueryTag?(tag: string): Warehouse;
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
    ...(inner.appendJsonLines && {
      appendJsonLines(table: string, staged: StagedJsonLines) {
        onQuery(`COPY ${table}`, [staged.file]);
        return inner.appendJsonLines!(table, staged);
      },
    }),
    ...(inner.withQueryTag && {
      withQueryTag: (tag: string) => observeWarehouse(inner.withQueryTag!(tag), onQuery),
    }),
    close: () => inner.close(),
  };
}
