/** Test wiring for the gateway core: a context factory over a test warehouse and a tiny Hono app. */
import { Hono } from 'hono';
import type { AppEnv } from '../../src/app-env';
import type { Principal } from '../../src/auth/principal';
import { type ContextDeps, createContextFactory } from '../../src/context';
import { onOutcomeError } from '../../src/http';
import { createLogger } from '../../src/logger';
import { createFhirRoutes } from '../../src/rest/fhir-routes';
import type { Warehouse } from '../../src/warehouse';

export const BASE = 'http://gateway.test/v1/fhir';

export const principal = (organizationId: string, scopes: string[] = ['system/*.rs']): Principal => ({
  organizationId,
  subject: 'test-client',
  scopes,
});

/** `/v1/fhir` mounted as the shell mounts it, with `ctx` set from the `x-test-org` / `x-test-scope` headers. */
export function createTestApp(
  warehouse: Warehouse,
  salt: string,
  options: Partial<Pick<ContextDeps, 'cache' | 'batching'>> = {},
) {
  const factory = createContextFactory({
    warehouse,
    tokenSalt: salt,
    log: createLogger({ level: 'silent' }),
    ...options,
  });
  const app = new Hono<AppEnv>();
  app.use('/v1/fhir/*', async (c, next) => {
    const org = c.req.header('x-test-org');
    if (org) {
      const scopes = c.req.header('x-test-scope')?.split(' ') ?? ['system/*.rs'];
      c.set('ctx', factory(principal(org, scopes), 'req-1'));
    }
    await next();
  });
  app.route('/v1/fhir', createFhirRoutes({ baseUrl: BASE }));
  app.onError(onOutcomeError);
  return { app, factory };
}
