/**
 * The environment, parsed once. Every default makes the local embedded mode work with no
 * variables at all: everything lives under `.data/`, DuckDB is the warehouse, a local folder
 * is the object store and a built-in dev issuer signs tokens.
 *
 * This is the only module (with `infra/bin/app.ts`) that reads `process.env`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  APP_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  PUBLIC_BASE_URL: z.string().url().optional(),

  WAREHOUSE: z.enum(['duckdb', 'snowflake']).default('duckdb'),
  /** DuckDB: the folder of the raw tables' file and the marts builds (`raw.duckdb`, `marts/`). */
  DUCKDB_DIR: z.string().optional(),
  DUCKDB_MEMORY_LIMIT: z.string().default('2GB'),
  DUCKDB_TEMP_DIR: z.string().optional(),
  /** dbt's threads (DuckDB runs independent models side by side). */
  DBT_THREADS: z.coerce.number().int().positive().default(4),
  /** Snowflake (WAREHOUSE=snowflake): the account, key-pair JWT login, session objects, pool and timeouts. */
  SNOWFLAKE_ACCOUNT: z.string().optional(),
  /** Overrides the account's URL (`http://127.0.0.1:64616` for the local stand-in). */
  SNOWFLAKE_ACCESS_URL: z.string().url().optional(),
  SNOWFLAKE_USER: z.string().optional(),
  /** The private key PEM itself (as Lambda gets it from Secrets Manager); or a file in SNOWFLAKE_PRIVATE_KEY_PATH. */
  SNOWFLAKE_PRIVATE_KEY: z.string().optional(),
  SNOWFLAKE_PRIVATE_KEY_PATH: z.string().optional(),
  SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: z.string().optional(),
  SNOWFLAKE_ROLE: z.string().optional(),
  SNOWFLAKE_WAREHOUSE: z.string().optional(),
  SNOWFLAKE_DATABASE: z.string().optional(),
  SNOWFLAKE_POOL_MAX: z.coerce.number().int().positive().default(4),
  SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(30),
  /** How long a request waits for a pooled session before it is answered 503. */
  SNOWFLAKE_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** The driver's OCSP response and credential caches (Lambda: only /tmp is writable). */
  SNOWFLAKE_CACHE_DIR: z.string().default('/tmp/snowflake'),

  OBJECT_STORE: z.enum(['local', 's3']).default('local'),
  OBJECT_STORE_DIR: z.string().optional(),
  OBJECT_STORE_PRESIGN_SECRET: z.string().min(16).optional(),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  S3_CHECKSUMS: z.enum(['WHEN_REQUIRED', 'WHEN_SUPPORTED']).default('WHEN_REQUIRED'),

  AUTH_MODE: z.enum(['dev', 'jwks']).default('dev'),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().default('fhir-gateway'),
  AUTH_ALGORITHMS: list.default(['RS256', 'ES256']),
  AUTH_ORG_CLAIM: z.string().default('org'),
  AUTH_SCOPE_CLAIM: z.string().default('scope'),
  AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(60).default(30),

  TOKEN_SALT: z.string().min(16).optional(),
  /** Set by CI systems; browser tests fail instead of skipping when Chromium is missing there. */
  CI: z.string().optional(),

  AUDIT_LOG: z.string().optional(),
  AUDIT_HASH_KEY: z.string().min(16).optional(),

  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  JSON_MAX_DEPTH: z.coerce.number().int().positive().default(64),
  BUNDLE_MAX_ENTRIES: z.coerce.number().int().positive().default(10_000),
  RATE_LIMIT_CAPACITY: z.coerce.number().int().positive().default(200),
  RATE_LIMIT_REFILL_PER_SECOND: z.coerce.number().positive().default(50),
  // Partner doors (ingestion API and Bulk $export): see README "Partner doors: ingestion and export".
  /** `local`: after a job lands, the gateway itself loads and rebuilds the marts (DuckDB only). `off`: Snowpipe and dbt do. */
  INGESTION_REFRESH: z.enum(['local', 'off']).optional(),
  INGESTION_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024 * 1024),
  INGESTION_UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(900).default(900),
  /** Uploads larger than this go in parts (S3 multipart: at least 5 MiB each but the last). */
  INGESTION_UPLOAD_PART_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  EXPORT_FILE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  EXPORT_FILE_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  EXPORT_MAX_CONCURRENT_PER_ORG: z.coerce.number().int().positive().default(2),
  // ---- Bulk FHIR ingestion from EHRs (ingestion/bulk): the $export client and its flow. ----
  /** SMART Backend Services client id registered at the EHR; unset = no authorization (open servers). */
  BULK_CLIENT_ID: z.string().optional(),
  /** The client's private key, a JWK (JSON) or PKCS#8 PEM, in a file (local) ... */
  BULK_PRIVATE_KEY_FILE: z.string().optional(),
  /** ... or in Secrets Manager (AWS): the secret's ARN or name. */
  BULK_PRIVATE_KEY_SECRET_ID: z.string().optional(),
  BULK_KEY_ALGORITHM: z.enum(['RS384', 'ES384']).default('RS384'),
  /** The `kid` of the key as published in the client's JWKS. */
  BULK_KEY_ID: z.string().optional(),
  BULK_SCOPE: z.string().default('system/*.rs'),
  /** Origins (scheme://host[:port]) status, output and token URLs may point at, besides the source's own. */
  BULK_ALLOWED_ORIGINS: list.default([]),
  /** Allow private, loopback and link-local addresses (tests and on-premises EHRs only). */
  BULK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
  /** Bounds on the wait between status polls, whatever the server's Retry-After says. */
  BULK_MIN_WAIT_SECONDS: z.coerce.number().min(0).default(1),
  BULK_MAX_WAIT_SECONDS: z.coerce.number().positive().default(300),
  /** Give up when an export is still not ready after this long. */
  BULK_MAX_EXPORT_SECONDS: z.coerce
    .number()
    .positive()
    .default(24 * 3600),
  /** Parallel file downloads (the flow's Map MaxConcurrency; at most 10, as EHR vendors ask). */
  BULK_DOWNLOAD_CONCURRENCY: z.coerce.number().int().min(1).max(10).default(4),
  /** A download lands and checkpoints a segment each time it has read this many bytes. */
  BULK_SEGMENT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /** A download invocation stops after a segment once it has run this long, and the flow invokes it again (Lambda's 15-minute cap). */
  BULK_DOWNLOAD_BUDGET_SECONDS: z.coerce.number().positive().default(600),
  /** Per-request network timeout (no bytes for this long fails the request as transient). */
  BULK_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().default(60),
  /** Benchmarks only (test/bench/bulk.ts): megabytes of the large export measured for peak RSS. */
  BULK_BENCH_EXPORT_MB: z.coerce.number().int().positive().optional(),
  // ---- end of the bulk ingestion block ----

  /** Benchmarks only: patients of the cohort the loader bench generates and loads (default: its own). */
  COHORT_PATIENTS: z.coerce.number().int().positive().optional(),
});

export type Config = ReturnType<typeof loadConfig>;
export type SnowflakeConfig = ReturnType<typeof snowflakeConfig>;

/** WAREHOUSE=snowflake: refuses a half-configured account up front, with the variable that is missing. */
function snowflakeConfig(e: z.infer<typeof EnvSchema>) {
  const missing = (['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_DATABASE'] as const).filter(
    (k) => !e[k],
  );
  if (!e.SNOWFLAKE_PRIVATE_KEY && !e.SNOWFLAKE_PRIVATE_KEY_PATH) {
    missing.push('SNOWFLAKE_PRIVATE_KEY or SNOWFLAKE_PRIVATE_KEY_PATH' as never);
  }
  if (missing.length) throw new Error(`WAREHOUSE=snowflake needs ${missing.join(', ')}`);
  return {
    kind: 'snowflake',
    account: e.SNOWFLAKE_ACCOUNT as string,
    accessUrl: e.SNOWFLAKE_ACCESS_URL,
    user: e.SNOWFLAKE_USER as string,
    // A PEM pasted into one line of an env file keeps its line breaks as `\n`.
    privateKey: e.SNOWFLAKE_PRIVATE_KEY?.replace(/\\n/g, '\n'),
    privateKeyPath: e.SNOWFLAKE_PRIVATE_KEY_PATH,
    privateKeyPassphrase: e.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE,
    role: e.SNOWFLAKE_ROLE,
    warehouse: e.SNOWFLAKE_WAREHOUSE,
    database: e.SNOWFLAKE_DATABASE as string,
    poolMax: e.SNOWFLAKE_POOL_MAX,
    statementTimeoutSeconds: e.SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS,
    acquireTimeoutMs: e.SNOWFLAKE_ACQUIRE_TIMEOUT_MS,
    cacheDir: e.SNOWFLAKE_CACHE_DIR,
    logLevel: e.LOG_LEVEL,
  } as const;
}

/**
 * The local warehouse's files: the loader's raw tables in one DuckDB file (`raw-tables.duckdb`: a file named `raw` would make its catalog clash with the `raw` schema), and each dbt build's
 * marts in a file of its own under `marts/`, the one being served named by `marts/CURRENT`.
 */
export function duckDbFiles(dir: string) {
  return { dir, rawPath: resolve(dir, 'raw-tables.duckdb'), martsDir: resolve(dir, 'marts') } as const;
}

/** Parses an environment (the process's by default) into the typed configuration. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const e = EnvSchema.parse(env);
  const dataDir = resolve(e.DATA_DIR);
  const production = e.APP_ENV === 'production';
  if (production && e.AUTH_MODE === 'dev') {
    throw new Error(
      'AUTH_MODE=dev is refused in production: set AUTH_MODE=jwks with AUTH_JWKS_URL and AUTH_ISSUER',
    );
  }
  if (e.AUTH_MODE === 'jwks' && (!e.AUTH_JWKS_URL || !e.AUTH_ISSUER)) {
    throw new Error('AUTH_MODE=jwks needs AUTH_JWKS_URL and AUTH_ISSUER');
  }
  if (e.OBJECT_STORE === 's3' && !e.S3_BUCKET) throw new Error('OBJECT_STORE=s3 needs S3_BUCKET');
  const baseUrl = e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`;
  return {
    env: e.APP_ENV,
    ci: !!e.CI && e.CI !== 'false' && e.CI !== '0',
    production,
    logLevel: e.LOG_LEVEL,
    dataDir,
    server: { host: e.HOST, port: e.PORT, baseUrl },
    warehouse:
      e.WAREHOUSE === 'duckdb'
        ? ({
            kind: 'duckdb',
            ...duckDbFiles(e.DUCKDB_DIR ? resolve(e.DUCKDB_DIR) : resolve(dataDir, 'warehouse')),
            memoryLimit: e.DUCKDB_MEMORY_LIMIT,
            tempDir: e.DUCKDB_TEMP_DIR ? resolve(e.DUCKDB_TEMP_DIR) : resolve(dataDir, 'tmp', 'duckdb'),
          } as const)
        : snowflakeConfig(e),
    objectStore:
      e.OBJECT_STORE === 'local'
        ? ({
            kind: 'local',
            root: e.OBJECT_STORE_DIR ? resolve(e.OBJECT_STORE_DIR) : dataDir,
            presignSecret: e.OBJECT_STORE_PRESIGN_SECRET,
          } as const)
        : ({
            kind: 's3',
            bucket: e.S3_BUCKET as string,
            region: e.S3_REGION,
            endpoint: e.S3_ENDPOINT,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
            checksums: e.S3_CHECKSUMS,
          } as const),
    auth: {
      mode: e.AUTH_MODE,
      jwksUrl: e.AUTH_JWKS_URL,
      issuer:
        e.AUTH_MODE === 'dev' ? (e.AUTH_ISSUER ?? 'urn:fhir-gateway:dev-issuer') : (e.AUTH_ISSUER as string),
      audience: e.AUTH_AUDIENCE,
      algorithms: e.AUTH_ALGORITHMS,
      orgClaim: e.AUTH_ORG_CLAIM,
      scopeClaim: e.AUTH_SCOPE_CLAIM,
      clockToleranceSeconds: e.AUTH_CLOCK_TOLERANCE_SECONDS,
      devKeysDir: resolve(dataDir, 'keys'),
    },
    /**
     * The tokenization key; in local mode `resolvePseudonymSalt` creates one under `.data/keys/`, in
     * production it refuses to go without it (checked there, by the processes that tokenize: the
     * authorizer and the bulk handlers never do).
     */
    tokenSalt: e.TOKEN_SALT,
    /** dbt Core: the project, its threads, and its environment: `DBT_*`, `SNOWFLAKE_*` (what `env_var()` may read besides the salt and paths) and PATH, HOME, LANG, TZ. */
    dbt: {
      projectDir: fileURLToPath(new URL('../dbt', import.meta.url)),
      /** The locked Python environment's dbt (`npm install` creates it). */
      executable: fileURLToPath(new URL('../.venv/bin/dbt', import.meta.url)),
      threads: e.DBT_THREADS,
      env: Object.fromEntries(
        Object.entries(env).filter(([k]) => /^(DBT_|SNOWFLAKE_|(PATH|HOME|LANG|TZ)$)/.test(k)),
      ),
    },
    /** HTTP abuse limits (`src/http`); the body limit defaults to API Gateway's own 10 MiB payload cap. */
    limits: {
      bodyBytes: e.BODY_LIMIT_BYTES,
      jsonDepth: e.JSON_MAX_DEPTH,
      bundleEntries: e.BUNDLE_MAX_ENTRIES,
      rateCapacity: e.RATE_LIMIT_CAPACITY,
      rateRefillPerSecond: e.RATE_LIMIT_REFILL_PER_SECOND,
    },
    /** The partner doors: ingestion jobs and Bulk Data exports. */
    doors: {
      refresh: e.INGESTION_REFRESH ?? (e.WAREHOUSE === 'duckdb' ? 'local' : 'off'),
      uploadMaxBytes: e.INGESTION_UPLOAD_MAX_BYTES,
      uploadUrlTtlSeconds: e.INGESTION_UPLOAD_URL_TTL_SECONDS,
      uploadPartBytes: e.INGESTION_UPLOAD_PART_BYTES,
      exportFileMaxBytes: e.EXPORT_FILE_MAX_BYTES,
      exportFileTtlSeconds: e.EXPORT_FILE_TTL_SECONDS,
      exportMaxConcurrentPerOrg: e.EXPORT_MAX_CONCURRENT_PER_ORG,
    },
    /** The Bulk Data ($export) client (ingestion/bulk). https is required in production. */
    bulk: {
      clientId: e.BULK_CLIENT_ID,
      privateKeyFile: e.BULK_PRIVATE_KEY_FILE,
      privateKeySecretId: e.BULK_PRIVATE_KEY_SECRET_ID,
      keyAlgorithm: e.BULK_KEY_ALGORITHM,
      keyId: e.BULK_KEY_ID,
      scope: e.BULK_SCOPE,
      allowedOrigins: e.BULK_ALLOWED_ORIGINS,
      allowPrivateNetworks: e.BULK_ALLOW_PRIVATE_NETWORKS,
      requireHttps: production,
      minWaitSeconds: e.BULK_MIN_WAIT_SECONDS,
      maxWaitSeconds: Math.max(e.BULK_MAX_WAIT_SECONDS, e.BULK_MIN_WAIT_SECONDS),
      maxExportSeconds: e.BULK_MAX_EXPORT_SECONDS,
      downloadConcurrency: e.BULK_DOWNLOAD_CONCURRENCY,
      segmentBytes: e.BULK_SEGMENT_BYTES,
      downloadBudgetMs: e.BULK_DOWNLOAD_BUDGET_SECONDS * 1000,
      requestTimeoutMs: e.BULK_REQUEST_TIMEOUT_SECONDS * 1000,
      benchExportMb: e.BULK_BENCH_EXPORT_MB,
    },
    /** Benchmark knobs (`test/bench`). */
    bench: { cohortPatients: e.COHORT_PATIENTS },
    /** The audit trail: `stdout` (production default, one stream per Lambda) or a file path. */
    audit: {
      destination: e.AUDIT_LOG ?? (production ? 'stdout' : resolve(dataDir, 'audit.ndjson')),
      hashKey: e.AUDIT_HASH_KEY,
    },
  };
}

/**
 * `FHIR_GATEWAY_DEBUG`: the CLI also prints the stack of an unexpected failure. Read apart from
 * `loadConfig`, so that the CLI can still report a configuration that does not parse.
 */
export function debugStacks(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.FHIR_GATEWAY_DEBUG);
}
