/**
 * The one app harness for tests: `openTestApp` opens the gateway over a generated cohort (built once
 * per options within a test file) or over a warehouse the test owns, and `createClient` calls it as
 * one organization (FHIR REST and GraphQL). The doors' client builds on it (`./doors-client`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { type AppDeps, openApp } from '../../src/app';
import type { AppEnv } from '../../src/app-env';
import type { Principal } from '../../src/auth/principal';
import { loadConfig } from '../../src/config';
import { createContextFactory } from '../../src/context';
import { createGraphQLHandler } from '../../src/graphql';
import { onOutcomeError } from '../../src/http';
import { createLogger, type Logger } from '../../src/logger';
import { createFhirRoutes } from '../../src/rest/fhir-routes';
import { observeWarehouse, type SqlValue, type Warehouse } from '../../src/warehouse';
import { buildTestWarehouse, type CohortOptions, type TestWarehouse } from './cohort';

export const BASE = 'http://gateway.test/v1/fhir';
const REAL_BASE = 'http://127.0.0.1:4000';

export const principal = (organizationId: string, scopes: string[] = ['system/*.rs']): Principal => ({
  organizationId,
  subject: 'test-client',
  scopes,
});

interface CommonOptions {
  /** Defaults to a silent logger. */
  log?: Logger;
  /** Sees every warehouse statement before it runs. */
  onQuery?: (sql: string, params: readonly SqlValue[]) => void;
  /** `false` turns the build-keyed cache off (tests and benches that count statements). */
  cache?: boolean;
  /** `false` turns DataLoader batching off (the comparison path in benches). */
  batching?: boolean;
}

/**
 * The real gateway (`openApp`: the edge, rate limiter, routes, context, GraphQL and the doors) in
 * a temp data dir, called with bearer tokens: the dev issuer's (`token`) in development mode, or
 * the caller's own issuer when `env` sets `AUTH_MODE=jwks`.
 */
export interface TokenAppOptions extends CommonOptions {
  trust?: 'tokens';
  cohort: CohortOptions;
  /** Environment for `loadConfig` beyond `DATA_DIR`, `TOKEN_SALT` and `PUBLIC_BASE_URL`; a function gets the data dir. */
  env?: Record<string, string> | ((dir: string) => Record<string, string>);
  overrides?: Partial<AppDeps>;
  /** The doors' refresh loads and builds into the cohort's own warehouse (which the app serves), rate limit lifted. */
  doors?: boolean;
}

/**
 * Core alone (`/v1/fhir` and `POST /graphql` mounted as the shell mounts them) with the principal
 * taken from `x-test-org` / `x-test-scope` headers instead of a verified token. This is a different
 * trust boundary on purpose: it tests core's behaviour (search, paging, batching, isolation by the
 * context's organization) without JWTs or the edge, over any warehouse (the Snowflake stand-in, a
 * bulk-loaded one). Tenancy from tokens is tested through `trust: 'tokens'`.
 */
export interface HeaderAppOptions extends CommonOptions {
  trust: 'headers';
  /** A warehouse and its salt (a `TestWarehouse` fits); the test closes it. */
  warehouse: Pick<TestWarehouse, 'warehouse' | 'salt'>;
  /** GraphQL in production mode (benches); default development. */
  production?: boolean;
}

export async function openTestApp(options: HeaderAppOptions): Promise<HeaderApp>;
export async function openTestApp(options: TokenAppOptions): Promise<TokenApp>;
export async function openTestApp(
  options: HeaderAppOptions | TokenAppOptions,
): Promise<HeaderApp | TokenApp> {
  return options.trust === 'headers' ? openHeaderApp(options) : openTokenApp(options);
}

const contextFactory = (warehouse: Warehouse, tokenSalt: string, options: CommonOptions) =>
  createContextFactory({
    warehouse,
    tokenSalt,
    log: options.log ?? createLogger({ level: 'silent' }),
    ...(options.cache !== undefined && { cache: options.cache }),
    ...(options.batching !== undefined && { batching: options.batching }),
  });

const observed = (warehouse: Warehouse, options: CommonOptions) =>
  options.onQuery ? observeWarehouse(warehouse, options.onQuery) : warehouse;

function openHeaderApp(options: HeaderAppOptions) {
  const factory = contextFactory(
    observed(options.warehouse.warehouse, options),
    options.warehouse.salt,
    options,
  );
  const graphql = createGraphQLHandler({ production: options.production ?? false });
  const app = new Hono<AppEnv>();
  for (const path of ['/v1/fhir/*', '/graphql']) {
    app.use(path, async (c, next) => {
      const org = c.req.header('x-test-org');
      if (org) {
        const scopes = c.req.header('x-test-scope')?.split(' ') ?? ['system/*.rs'];
        c.set('ctx', factory(principal(org, scopes), 'req-1'));
      }
      await next();
    });
  }
  app.route('/v1/fhir', createFhirRoutes({ baseUrl: BASE }));
  app.post('/graphql', (c) => graphql(c.req.raw, c.get('ctx')));
  app.onError(onOutcomeError);
  /** Request headers that make a call as `org` with `scopes`. */
  const as = async (org: string, scopes?: string[]): Promise<Record<string, string>> => ({
    'x-test-org': org,
    ...(scopes && { 'x-test-scope': scopes.join(' ') }),
  });
  return { app, factory, base: BASE, as };
}

async function openTokenApp(options: TokenAppOptions) {
  const built = await buildTestWarehouse(options.cohort);
  const dir = await mkdtemp(join(tmpdir(), 'test-app-'));
  const warehouse = observed(built.warehouse, options);
  const log = options.log ?? createLogger({ level: 'silent' });
  const env = typeof options.env === 'function' ? options.env(dir) : options.env;
  const config = loadConfig({
    DATA_DIR: dir,
    TOKEN_SALT: built.salt,
    PUBLIC_BASE_URL: REAL_BASE,
    ...(options.doors && { DUCKDB_DIR: join(built.dir, 'warehouse'), RATE_LIMIT_CAPACITY: '1000000' }),
    ...env,
  });
  const tuned = options.cache !== undefined || options.batching !== undefined;
  const opened = await openApp(config, log, {
    warehouse,
    ...(tuned && { createContext: contextFactory(warehouse, built.salt, { ...options, log }) }),
    ...options.overrides,
  });
  /** A dev-issuer token for `org` (development mode only). */
  const token = (org: string, scopes?: string[]) => {
    if (!opened.devIssuer) throw new Error('no dev issuer: this app verifies tokens from another issuer');
    return opened.devIssuer.mintDevToken({ org, scopes });
  };
  const as = async (org: string, scopes?: string[]): Promise<Record<string, string>> => ({
    authorization: `Bearer ${await token(org, scopes)}`,
  });
  return {
    ...opened,
    built,
    config,
    dir,
    base: `${config.server.baseUrl}/v1/fhir`,
    token,
    as,
    /** Waits for the doors' background jobs, closes the cohort's warehouse and removes the data dir. */
    async close() {
      await opened.doors?.idle();
      await built.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type HeaderApp = ReturnType<typeof openHeaderApp>;
export type TokenApp = Awaited<ReturnType<typeof openTokenApp>>;
export type TestApp = HeaderApp | TokenApp;

type Json = Record<string, unknown>;

export interface CallInit extends RequestInit {
  /** The caller's organization (default: the client's); `''` sends none. */
  org?: string;
  /** Space-separated SMART scopes (default `system/*.rs`). */
  scope?: string;
}

/** Calls `opened` as one organization. FHIR paths are relative to the FHIR base; absolute URLs of the app are accepted. */
export function createClient(opened: TestApp, org: string) {
  const origin = new URL(opened.base).origin;
  const request = async (path: string, init: CallInit = {}) => {
    const headers = new Headers(init.headers);
    const as = init.org ?? org;
    if (as !== '') {
      for (const [k, v] of Object.entries(await opened.as(as, init.scope?.split(' ')))) headers.set(k, v);
    }
    return opened.app.request(path.startsWith(origin) ? path.slice(origin.length) : path, {
      ...init,
      headers,
    });
  };
  const call = (path: string, init?: CallInit) => request(`/v1/fhir/${path}`, init);
  /** A searchset Bundle; throws unless the answer is 200. */
  const bundle = async (path: string, init?: CallInit): Promise<Json> => {
    const res = await call(path, init);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Json;
  };
  /** Every id a search returns, in order, following `next` links to the end. */
  const walk = async (path: string, init?: CallInit): Promise<string[]> => {
    const ids: string[] = [];
    let url: string | undefined = `${opened.base}/${path}`;
    while (url) {
      const b = await bundle(url.slice(opened.base.length + 1), init);
      ids.push(...entryIds(b));
      url = link(b, 'next');
    }
    return ids;
  };
  /** A GraphQL POST. */
  const graphql = (query: string, variables: Json = {}, init?: CallInit) =>
    request('/graphql', {
      ...init,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(init?.headers as Record<string, string>) },
      body: JSON.stringify({ query, variables }),
    });
  return { request, call, bundle, walk, graphql };
}

/** The ids of a Bundle's entries, in order. */
export const entryIds = (bundle: Json): string[] =>
  ((bundle.entry as Json[] | undefined) ?? []).map((e) => (e.resource as Json).id as string);

/** The URL of a Bundle link by relation. */
export const link = (bundle: Json, relation: string): string | undefined =>
  (bundle.link as Json[]).find((l) => l.relation === relation)?.url as string | undefined;
