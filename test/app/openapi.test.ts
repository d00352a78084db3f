import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOpenApi } from '../../src/rest/api-reference-page';
import { openTestApp, type TokenApp } from '../support/app';

type Real = TokenApp;
let real: Real;
let token: string;
beforeAll(async () => {
  real = await openTestApp({
    cohort: { patients: 4, orgs: 2, seed: 11 },
    overrides: { graphql: async () => Response.json({ data: { __typename: 'Query' } }) },
  });
  token = await real.token(real.built.organizations[0]!, ['system/*.cruds']);
});
afterAll(() => real.close());

const { document: doc } = loadOpenApi();
const METHODS = ['get', 'post', 'put', 'delete'] as const;
const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path })),
);
const COMMON = new Set(['_count', '_sort', '_total', '_summary', '_cursor']);

/** A concrete URL for a documented path: `{id}`, `{jobId}`, ... become ids that do not exist. */
const concrete = (path: string) => path.replace(/\{[A-Za-z]+\}/g, 'no-such-id');

/**
 * What a documented route answers to the probe (an authenticated call with an empty body): 200,
 * 404 for an id that does not exist, or the partner doors' refusal of an empty or unsigned request.
 */
const DOORS: Record<string, number> = {
  'POST /v1/ingestion/fhir/Bundle': 400,
  'POST /v1/ingestion/upload-url': 400,
  'PUT /v1/object-store/{key}': 403,
  'GET /v1/ingestion/jobs/{jobId}/errors': 404,
  'POST /v1/ingestion/jobs/{jobId}/complete': 404,
  'GET /v1/export/$export': 400,
  'POST /v1/export/$export': 400,
  'GET /v1/export/Patient/$export': 400,
  'POST /v1/export/Patient/$export': 400,
};
const expectedStatus = (method: string, path: string) =>
  DOORS[`${method} ${path}`] ?? (/\{[A-Za-z]+\}$/.test(path) ? 404 : 200);

describe('schema/openapi.yaml against the app', () => {
  it('documents only paths the app routes: none answers "No such endpoint" or 405', async () => {
    for (const { method, path } of documented) {
      const res = await real.app.request(concrete(path), {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: path === '/graphql' ? 'application/json' : 'application/fhir+json',
          'Content-Type': path.endsWith('/_search')
            ? 'application/x-www-form-urlencoded'
            : 'application/json',
        },
        body:
          method === 'POST' || method === 'PUT'
            ? path === '/graphql'
              ? '{"query":"{__typename}"}'
              : ''
            : undefined,
      });
      const body = await res.text();
      expect({ method, path, status: res.status, routeMissing: body.includes('No such endpoint') }).toEqual({
        method,
        path,
        status: expectedStatus(method, path),
        routeMissing: false,
      });
    }
  });

  it('documents every /v1 route the app has', () => {
    const routes = real.app.routes.filter(
      (r) =>
        r.path.startsWith('/v1/') &&
        ['GET', 'POST', 'PUT', 'DELETE'].includes(r.method) &&
        !r.path.endsWith('*'),
    );
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const literal = route.path.replace(/[$.]/g, '\\$&');
      const pattern = new RegExp(`^${literal.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
      const match = documented.filter((d) => d.method === route.method && pattern.test(concrete(d.path)));
      expect({ route: `${route.method} ${route.path}`, documented: match.length > 0 }).toEqual({
        route: `${route.method} ${route.path}`,
        documented: true,
      });
    }
  });

  it('documents read, search and _search for exactly the types and search parameters of the CapabilityStatement', async () => {
    const capability = await (await real.app.request('/v1/fhir/metadata')).json();
    const served: Record<string, string[]> = {};
    for (const r of capability.rest[0].resource) {
      served[r.type] = r.searchParam
        .map((p: { name: string }) => p.name)
        .filter((n: string) => !COMMON.has(n));
    }
    const inDoc: Record<string, string[]> = {};
    for (const type of Object.keys(served)) {
      expect(doc.paths[`/v1/fhir/${type}/{id}`]?.get, type).toBeDefined();
      expect(doc.paths[`/v1/fhir/${type}/_search`]?.post, type).toBeDefined();
      const search = doc.paths[`/v1/fhir/${type}`]?.get as { parameters: { name?: string }[] } | undefined;
      const params = search?.parameters ?? [];
      inDoc[type] = [
        ...new Set(params.flatMap((p) => (p.name && p.name !== 'Prefer' ? [p.name.split(':')[0]!] : []))),
      ];
    }
    const typesInDoc = Object.keys(doc.paths).flatMap((p) => /^\/v1\/fhir\/([A-Z]\w+)$/.exec(p)?.[1] ?? []);
    expect(typesInDoc.sort()).toEqual(Object.keys(served).sort());
    for (const type of Object.keys(served)) {
      expect({ type, params: inDoc[type]!.sort() }).toEqual({ type, params: served[type]!.sort() });
    }
  });
});
