/**
 * Snowflake adapter on `snowflake-sdk`: a bounded pool of sessions (validated on borrow by a
 * heartbeat, idle ones evicted), key-pair JWT login, positional `?` binds, VARIANT fetched as
 * text, a statement timeout and a query tag on every statement, transient read failures retried.
 * The pool lives as long as the warehouse object: a Lambda opening it at module scope keeps its
 * sessions across warm invocations.
 * See: https://docs.snowflake.com/en/developer-guide/node-js/nodejs-driver-options
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import snowflake from 'snowflake-sdk';
import { type RetryPolicy, withRetries } from './snowflake-errors';
import type { Row, SqlValue, Warehouse } from './warehouse';

export interface SnowflakeOptions {
  account: string;
  /** `http://127.0.0.1:<port>` for the stand-in; the account's own URL when unset. */
  accessUrl?: string;
  user: string;
  /** The private key PEM (from a secret), or `privateKeyPath` to a PEM file. */
  privateKey?: string;
  privateKeyPath?: string;
  privateKeyPassphrase?: string;
  role?: string;
  warehouse?: string;
  database: string;
  poolMax: number;
  statementTimeoutSeconds: number;
  acquireTimeoutMs: number;
  /** OCSP response and credential caches go under it (Lambda: /tmp). */
  cacheDir: string;
  logLevel?: string;
  /** Tags every statement (`QUERY_TAG`); `withQueryTag` narrows it per request. */
  queryTag?: string;
  retry?: RetryPolicy;
}

/**
 * Above every bind this adapter sends: no bind is ever staged to a temporary stage (which needs a
 * writable disk; snowflake-connector-nodejs#364).
 */
const NO_STAGED_BINDS = 2 ** 31 - 1;
const LOG_LEVELS: Record<string, 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE' | 'OFF'> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'WARN',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'OFF',
};

type Connection = snowflake.Connection;

/** Opens a pool of Snowflake sessions behind the Warehouse port. Sessions open lazily, on first use. */
export function createSnowflakeWarehouse(options: SnowflakeOptions): Warehouse {
  configureDriver(options);
  const pool = snowflake.createPool(
    {
      account: options.account,
      ...(options.accessUrl && { accessUrl: options.accessUrl }),
      username: options.user,
      authenticator: 'SNOWFLAKE_JWT',
      ...(options.privateKey
        ? { privateKey: options.privateKey }
        : { privateKeyPath: options.privateKeyPath }),
      ...(options.privateKeyPassphrase && { privateKeyPass: options.privateKeyPassphrase }),
      ...(options.role && { role: options.role }),
      ...(options.warehouse && { warehouse: options.warehouse }),
      database: options.database,
      arrayBindingThreshold: NO_STAGED_BINDS,
      credentialCacheDir: join(options.cacheDir, 'credentials'),
      application: 'fhir-gateway',
    },
    {
      max: options.poolMax,
      min: 0,
      testOnBorrow: true,
      acquireTimeoutMillis: options.acquireTimeoutMs,
      evictionRunIntervalMillis: 60_000,
      idleTimeoutMillis: 10 * 60_000,
    },
  );
  const retry = options.retry ?? { retries: 2, baseDelayMs: 100 };
  const statementParameters = (tag: string | undefined) => ({
    STATEMENT_TIMEOUT_IN_SECONDS: options.statementTimeoutSeconds,
    ...(tag && { QUERY_TAG: tag }),
  });

  const on = (c: Connection, tag: string | undefined): Warehouse => ({
    dialect: 'snowflake',
    query: <T extends Row>(sql: string, params: readonly SqlValue[] = []) =>
      run<T>(c, sql, params, statementParameters(tag)),
    execute: async (sql) => {
      await run(c, sql, [], { ...statementParameters(tag), MULTI_STATEMENT_COUNT: 0 });
    },
    transaction: (fn) => fn(on(c, tag)),
    withQueryTag: (next) => on(c, next),
    close: async () => undefined,
  });

  const tagged = (tag: string | undefined): Warehouse => ({
    dialect: 'snowflake',
    query: (sql, params) => withRetries(sql, retry, () => pool.use((c) => on(c, tag).query(sql, params))),
    execute: (sql) => withRetries(sql, retry, () => pool.use((c) => on(c, tag).execute(sql))),
    transaction: (fn) =>
      withRetries('begin', retry, () =>
        pool.use(async (c) => {
          await run(c, 'begin', [], statementParameters(tag));
          try {
            const result = await fn(on(c, tag));
            await run(c, 'commit', [], statementParameters(tag));
            return result;
          } catch (error) {
            await run(c, 'rollback', [], statementParameters(tag)).catch(() => undefined);
            throw error;
          }
        }),
      ),
    withQueryTag: (next) => tagged(next),
    close: async () => {
      await pool.drain();
      await pool.clear();
    },
  });
  return tagged(options.queryTag);
}

/** Driver-wide settings: logs to stdout only (the default `snowflake.log` is not writable on Lambda), caches under `cacheDir`. */
function configureDriver(options: SnowflakeOptions): void {
  const ocspDir = join(options.cacheDir, 'ocsp');
  mkdirSync(ocspDir, { recursive: true });
  mkdirSync(join(options.cacheDir, 'credentials'), { recursive: true });
  // The driver reads its OCSP cache folder from the environment only.
  process.env.SF_OCSP_RESPONSE_CACHE_DIR = ocspDir;
  snowflake.configure({
    logLevel: LOG_LEVELS[options.logLevel ?? 'info'] ?? 'WARN',
    logFilePath: 'STDOUT',
    additionalLogToConsole: false,
  });
}

function run<T extends Row>(
  c: Connection,
  sqlText: string,
  params: readonly SqlValue[],
  parameters: Record<string, unknown>,
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    c.execute({
      sqlText,
      binds: params as snowflake.Binds,
      fetchAsString: ['JSON'],
      parameters,
      complete: (error, statement, rows) => {
        if (error) reject(error);
        else resolve(toRows<T>(statement, rows ?? []));
      },
    });
  });
}

/**
 * Rows as the port promises them: lower-case column names (Snowflake upper-cases unquoted
 * identifiers), DATE as 'YYYY-MM-DD', timestamps as ISO-8601 UTC, VARIANT as its JSON text.
 */
function toRows<T extends Row>(statement: snowflake.RowStatement, rows: Record<string, unknown>[]): T[] {
  const columns = statement.getColumns() ?? [];
  const names = columns.map((c) => ({ from: c.getName(), to: c.getName().toLowerCase(), date: c.isDate() }));
  return rows.map((row) => {
    const out: Row = {};
    for (const n of names) out[n.to] = toPlain(row[n.from], n.date);
    return out as T;
  });
}

function toPlain(value: unknown, isDate: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return isDate ? value.toISOString().slice(0, 10) : value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  return value;
}
