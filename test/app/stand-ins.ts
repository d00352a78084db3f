/**
 * The shell's test harness: the real app, identity, DuckDB and logger, with small stand-ins for
 * core's FHIR routes, GraphQL handler and request context (so the shell is tested on its own).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { type AppDeps, createApp } from '../../src/app';
import type { AppEnv } from '../../src/app-env';
import { createIdentity } from '../../src/auth/identity';
import type { Principal } from '../../src/auth/principal';
import { loadConfig } from '../../src/config';
import type { RequestContext } from '../../src/context';
import { notFound } from '../../src/fhir/operation-outcome';
import { createLogger } from '../../src/logger';
import { createDuckDbWarehouse } from '../../src/warehouse';

export async function createShellHarness(env: Record<string, string> = {}, overrides: Partial<AppDeps> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'app-shell-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'info', ...env });
  const logLines: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  });
  const warehouse = await createDuckDbWarehouse({ path: ':memory:' });
  const identity = await createIdentity(config, log);
  const createContext = (principal: Principal, requestId: string) =>
    ({ principal, requestId, log }) as unknown as RequestContext;

  const fhirRoutes = new Hono<AppEnv>();
  fhirRoutes.get('/metadata', (c) => c.json({ resourceType: 'CapabilityStatement' }));
  fhirRoutes.get('/Patient/:id', (c) => {
    const { principal, requestId } = c.get('ctx');
    if (c.req.param('id') === 'missing') throw notFound('Patient', 'missing');
    if (c.req.param('id') === 'explode') throw new Error('boom: select * from secret_table');
    return c.json({
      resourceType: 'Patient',
      id: c.req.param('id'),
      org: principal.organizationId,
      requestId,
    });
  });
  fhirRoutes.post('/:type/_search', async (c) =>
    c.json({ type: c.req.param('type'), form: [...new URLSearchParams(await c.req.text())] }),
  );
  fhirRoutes.get('/:type', (c) => c.json({ type: c.req.param('type'), query: c.req.queries() }));
  const graphql = async (request: Request, ctx: RequestContext) =>
    Response.json({ data: { org: ctx.principal.organizationId, body: await request.text() } });

  const app = createApp({
    config,
    log,
    warehouse,
    verifier: identity.verifier,
    devIssuer: identity.devIssuer,
    createContext,
    fhirRoutes,
    graphql,
    ...overrides,
  });
  return {
    app,
    config,
    warehouse,
    identity,
    logLines,
    token: (org: string, scopes?: string[]) => identity.devIssuer!.mintDevToken({ org, scopes }),
    async close() {
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
