/** Test wiring for the gateway core: a context factory over a test warehouse, a tiny Hono app and a FHIR client for it. */
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

type Json = Record<string, unknown>;

export interface CallInit extends RequestInit {
  /** The caller's organization (default: the client's); `''` sends none. */
  org?: string;
  /** Space-separated SMART scopes (default `system/*.rs`). */
  scope?: string;
}

/** A `/v1/fhir` client over `createTestApp`'s app, calling as `org`. Paths are relative to the FHIR base. */
export function createFhirClient(app: Hono<AppEnv>, org: string) {
  const call = (path: string, init: CallInit = {}) => {
    const headers = new Headers(init.headers);
    const as = init.org ?? org;
    if (as !== '') headers.set('x-test-org', as);
    if (init.scope) headers.set('x-test-scope', init.scope);
    return app.request(`/v1/fhir/${path}`, { ...init, headers });
  };
  /** A searchset Bundle; throws unless the answer is 200. */
  const bundle = async (path: string, init?: CallInit): Promise<Json> => {
    const res = await call(path, init);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Json;
  };
  /** Every id a search returns, in order, following `next` links to the end. */
  const walk = async (path: string, init?: CallInit): Promise<string[]> => {
    const ids: string[] = [];
    let url: string | undefined = `${BASE}/${path}`;
    while (url) {
      const b = await bundle(url.slice(BASE.length + 1), init);
      ids.push(...entryIds(b));
      url = link(b, 'next');
    }
    return ids;
  };
  return { call, bundle, walk };
}

/** The ids of a Bundle's entries, in order. */
export const entryIds = (bundle: Json): string[] =>
  ((bundle.entry as Json[] | undefined) ?? []).map((e) => (e.resource as Json).id as string);

/** The URL of a Bundle link by relation. */
export const link = (bundle: Json, relation: string): string | undefined =>
  (bundle.link as Json[]).find((l) => l.relation === relation)?.url as string | undefined;
