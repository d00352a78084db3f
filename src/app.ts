/**
 * The Hono app: one instance per process (module scope in Lambda), served by the Lambda handler
 * and by the local Node server alike. It owns the edge: request ids, security headers,
 * authentication, the one error mapping, and the routes of every door.
 */
import { randomUUID } from 'node:crypto';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './app-env';
import { auditMiddleware, createAuditLog, openAuditDestination } from './audit';
import { authenticate } from './auth/auth-middleware';
import type { DevIssuer } from './auth/dev-issuer';
import { createIdentity } from './auth/identity';
import type { Principal } from './auth/principal';
import type { TokenVerifier } from './auth/token-verifier';
import type { Config } from './config';
import { createContextFactory, type RequestContext } from './context';
import { type Doors, openDoors } from './doors';
import {
  type IssueCode,
  internalError,
  OperationOutcomeError,
  outcome,
  routeNotFound,
} from './fhir/operation-outcome';
import { createGraphiQLPage } from './graphql/graphiql/graphiql-page';
import { createGraphQLHandler } from './graphql/graphql-handler';
import { bodyLimit, jsonSafety, outcomeResponse, rateLimit, securityHeaders } from './http';
import type { Logger } from './logger';
import { resolvePseudonymSalt } from './pseudonyms';
import { listServedOrganizations } from './repository';
import { loadOpenApi, renderApiReference } from './rest/api-reference-page';
import { createFhirRoutes } from './rest/fhir-routes';
import { openWarehouse, type Warehouse } from './warehouse';

/** Core's GraphQL entry: runs one GraphQL HTTP request for an authenticated context. */
export type GraphQLHandler = (request: Request, ctx: RequestContext) => Promise<Response>;

export interface AppDeps {
  config: Config;
  log: Logger;
  warehouse: Warehouse;
  verifier: TokenVerifier;
  /** The local dev issuer; absent in production and in `AUTH_MODE=jwks`. */
  devIssuer?: DevIssuer;
  /** Builds the org-scoped request context (core's `createContextFactory`). */
  createContext: (principal: Principal, requestId: string) => RequestContext;
  /** `/v1/fhir` routes (core's `createFhirRoutes`). */
  fhirRoutes: Hono<AppEnv>;
  graphql: GraphQLHandler;
  /** The partner doors (`/v1/ingestion`, `/v1/export`); absent: not mounted. */
  doors?: Doors;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const ORG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Creates the gateway's Hono app from its dependencies. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { config, log } = deps;
  const development = !config.production;
  const app = new Hono<AppEnv>();

  app.use(requestId(log));
  app.use(securityHeaders({ hsts: config.production }));
  const { audit, limits } = config;
  app.use(
    auditMiddleware(createAuditLog(openAuditDestination(audit.destination), { hashKey: audit.hashKey })),
  );
  // A presigned upload is its own credential and streams past the body limit (it has its own).
  if (deps.doors?.objectStore) app.route('/v1/object-store', deps.doors.objectStore);
  app.use(bodyLimit({ maxBytes: limits.bodyBytes }));
  const limiter = rateLimit({ capacity: limits.rateCapacity, refillPerSecond: limits.rateRefillPerSecond });
  const safety = jsonSafety({ maxDepth: limits.jsonDepth, maxBundleEntries: limits.bundleEntries });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/openapi.yaml', (c) =>
    c.body(loadOpenApi().yaml, 200, { 'Content-Type': 'application/yaml; charset=utf-8' }),
  );
  if (development) {
    app.get('/docs', (c) => c.html(renderApiReference(loadOpenApi().document)));
  }
  const { devIssuer } = deps;
  if (devIssuer) {
    app.get('/.well-known/jwks.json', (c) => c.json(devIssuer.jwks, 200, { 'Cache-Control': 'max-age=300' }));
  }

  const auth = authenticate({ verifier: deps.verifier, createContext: deps.createContext });

  if (development && devIssuer) {
    const page = createGraphiQLPage({ endpoint: '/graphql' });
    app.get('/graphql', async (c, next) => {
      if (!wantsHtml(c.req.header('accept'))) return next();
      const requested = c.req.query('org');
      const org =
        requested && ORG.test(requested) ? requested : (await listServedOrganizations(deps.warehouse))[0];
      const headers: Record<string, string> = org
        ? { Authorization: `Bearer ${await devIssuer.mintDevToken({ org })}` }
        : {};
      c.header('Cache-Control', 'no-store');
      return c.html(await page(headers));
    });
  }
  app.on(['GET', 'POST'], '/graphql', auth, limiter, safety, (c) => deps.graphql(c.req.raw, c.get('ctx')));

  // The CapabilityStatement is public; every other FHIR route is authenticated first.
  const isMetadata = (c: Context<AppEnv>) => c.req.method === 'GET' && c.req.path === '/v1/fhir/metadata';
  const unlessMetadata =
    (middleware: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> =>
    (c, next) =>
      isMetadata(c) ? next() : middleware(c, next);
  app.use('/v1/fhir/*', unlessMetadata(auth), limiter, unlessMetadata(safety));
  app.route('/v1/fhir', deps.fhirRoutes);
  if (deps.doors) {
    app.use('/v1/ingestion/*', auth, limiter, safety);
    app.route('/v1/ingestion', deps.doors.ingestion);
    app.use('/v1/export/*', auth, limiter, safety);
    app.route('/v1/export', deps.doors.export);
  }

  app.notFound(() => outcomeResponse(routeNotFound()));
  app.onError((error, c) => {
    const requestId = c.get('requestId') ?? 'unknown';
    if (error instanceof OperationOutcomeError) return outcomeResponse(error);
    if (error instanceof HTTPException && error.status < 500) {
      return outcomeResponse(
        new OperationOutcomeError(error.status, outcome(codeOf(error.status), error.message)),
      );
    }
    log.error({ requestId, err: error }, 'unhandled error');
    return outcomeResponse(internalError(requestId));
  });
  return app;
}

/** Assigns the request id (a well-formed incoming `X-Request-Id`, else a new UUID), echoes it and logs the request. */
function requestId(log: Logger): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    await next();
    c.res.headers.set('X-Request-Id', id);
    // The route pattern, never the concrete path or query: those may carry search values.
    log.info(
      {
        requestId: id,
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  };
}

function wantsHtml(accept: string | undefined): boolean {
  return !!accept && accept.includes('text/html');
}

function codeOf(status: number): IssueCode {
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 413) return 'too-long';
  if (status === 429) return 'throttled';
  if (status === 405 || status === 406 || status === 415) return 'not-supported';
  return 'invalid';
}

export interface OpenedApp {
  app: Hono<AppEnv>;
  warehouse: Warehouse;
  devIssuer?: DevIssuer;
  doors?: Doors;
  /** Closes the warehouse. */
  close(): Promise<void>;
}

/** Opens everything the configured gateway needs (warehouse, tokenization key, identity) and creates its app. */
export async function openApp(
  config: Config,
  log: Logger,
  overrides: Partial<AppDeps> = {},
): Promise<OpenedApp> {
  const warehouse = overrides.warehouse ?? (await openWarehouse(config));
  try {
    const tokenSalt = await resolvePseudonymSalt(config);
    const identity = await createIdentity(config, log);
    // Exports read each row once: their contexts skip the build-keyed cache.
    const exportContext = createContextFactory({ warehouse, tokenSalt, log, cache: false });
    const doors = overrides.doors ?? (await openDoors({ config, log, exportContext, tokenSalt }));
    const app = createApp({
      config,
      log,
      warehouse,
      verifier: identity.verifier,
      devIssuer: identity.devIssuer,
      createContext: createContextFactory({ warehouse, tokenSalt, log }),
      fhirRoutes: createFhirRoutes({ baseUrl: `${config.server.baseUrl}/v1/fhir` }),
      graphql: createGraphQLHandler({ production: config.production }),
      doors,
      ...overrides,
    });
    const close = async () => {
      await doors?.idle();
      await warehouse.close();
    };
    return { app, warehouse, devIssuer: identity.devIssuer, doors, close };
  } catch (error) {
    if (!overrides.warehouse) await warehouse.close();
    throw error;
  }
}
