import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createShellHarness } from './stand-ins';

type Harness = Awaited<ReturnType<typeof createShellHarness>>;
let dev: Harness;
let prod: Harness;
beforeAll(async () => {
  dev = await createShellHarness();
  await dev.warehouse.execute(`create schema api;
    create table api.dim_patient_api (organization_id varchar, id varchar);
    insert into api.dim_patient_api values ('org-b', 'p1'), ('org-a', 'p2');`);
  prod = await createShellHarness({
    APP_ENV: 'production',
    AUTH_MODE: 'jwks',
    AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    AUTH_ISSUER: 'https://issuer.test',
    TOKEN_SALT: 'a-production-salt-of-some-length',
  });
});
afterAll(async () => {
  await dev.close();
  await prod.close();
});

/** The Authorization header GraphiQL opens with, read back out of the page's options. */
function openingHeaders(html: string): Record<string, string> {
  const options = html.slice(html.lastIndexOf('YogaGraphiQL.renderYogaGraphiQL('));
  const m = /"headers":("(?:[^"\\]|\\.)*")/.exec(options);
  return JSON.parse(JSON.parse(m![1]!));
}

describe('development pages', () => {
  it('serves GraphiQL to a browser, self-contained, with a dev token for the first organization', async () => {
    const res = await dev.app.request('/graphql', { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/i);
    expect(html).toContain('query PatientsWithEncounters');
    const token = openingHeaders(html).Authorization!.replace('Bearer ', '');
    expect(await dev.identity.verifier.verify(token)).toMatchObject({ organizationId: 'org-a' });
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
  });

  it('mints the GraphiQL token for the organization asked for in ?org=', async () => {
    const html = await (
      await dev.app.request('/graphql?org=org-b', { headers: { Accept: 'text/html' } })
    ).text();
    const token = openingHeaders(html).Authorization!.replace('Bearer ', '');
    expect(await dev.identity.verifier.verify(token)).toMatchObject({ organizationId: 'org-b' });
  });

  it('publishes the dev JWKS that verifies the tokens it mints', async () => {
    const res = await dev.app.request('/.well-known/jwks.json');
    const jwks = await res.json();
    const { payload } = await jwtVerify(await dev.token('org-1'), createLocalJWKSet(jwks));
    expect(payload).toMatchObject({ org: 'org-1', iss: 'urn:fhir-gateway:dev-issuer', aud: 'fhir-gateway' });
  });

  it('renders the API reference of every documented operation', async () => {
    const res = await dev.app.request('/docs');
    const html = await res.text();
    const doc = parse(await (await dev.app.request('/openapi.yaml')).text());
    for (const path of Object.keys(doc.paths)) expect(html).toContain(`<code>${path}</code>`);
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/i);
  });
});

describe('in production', () => {
  it('serves no GraphiQL, no API reference page and no dev JWKS', async () => {
    const graphiql = await prod.app.request('/graphql', { headers: { Accept: 'text/html' } });
    expect(graphiql.status).toBe(401);
    expect((await prod.app.request('/docs')).status).toBe(404);
    expect((await prod.app.request('/.well-known/jwks.json')).status).toBe(404);
    expect(prod.identity.devIssuer).toBeUndefined();
  });

  it('still serves the OpenAPI contract and sends HSTS', async () => {
    const res = await prod.app.request('/openapi.yaml');
    expect(res.status).toBe(200);
    expect(parse(await res.text())).toMatchObject({ openapi: '3.0.3' });
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});
