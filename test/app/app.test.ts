import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CSP } from '../../src/http';
import { createShellHarness } from './stand-ins';

type Harness = Awaited<ReturnType<typeof createShellHarness>>;
let h: Harness;
beforeAll(async () => {
  h = await createShellHarness();
});
afterAll(() => h.close());

const LOGIN_REQUIRED = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'login', diagnostics: 'A valid bearer token is required' }],
};

describe('the gateway shell', () => {
  it('answers /healthz with a request id and the security headers', async () => {
    const res = await h.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'content-security-policy': API_CSP,
    });
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const echoed = await h.app.request('/healthz', { headers: { 'X-Request-Id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await h.app.request('/healthz', { headers: { 'X-Request-Id': 'bad id <script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses /v1/fhir data without a token, with a FHIR 401 and WWW-Authenticate', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { Authorization: 'Bearer not.a.jwt' },
      { Authorization: 'Basic dTpw' },
    ]) {
      const res = await h.app.request('/v1/fhir/Patient/p1', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
      expect(await res.json()).toEqual(LOGIN_REQUIRED);
    }
  });

  it("hands the route a context scoped to the token's organization and the request id", async () => {
    const res = await h.app.request('/v1/fhir/Patient/p1?org=org-2', {
      headers: {
        Authorization: `Bearer ${await h.token('org-1')}`,
        'X-Organization': 'org-2',
        'X-Request-Id': 'r-1',
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ resourceType: 'Patient', id: 'p1', org: 'org-1', requestId: 'r-1' });
  });

  it('serves the CapabilityStatement without a token', async () => {
    const res = await h.app.request('/v1/fhir/metadata');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ resourceType: 'CapabilityStatement' });
  });

  it('maps an OperationOutcomeError to its status and body', async () => {
    const res = await h.app.request('/v1/fhir/Patient/missing', {
      headers: { Authorization: `Bearer ${await h.token('org-1')}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Resource Patient/missing is not known' }],
    });
  });

  it('masks an unexpected error as a 500 carrying the request id, and logs the detail', async () => {
    const res = await h.app.request('/v1/fhir/Patient/explode', {
      headers: { Authorization: `Bearer ${await h.token('org-1')}`, 'X-Request-Id': 'req-500' },
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'exception', diagnostics: 'Internal error (request id req-500)' }],
    });
    const logged = h.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    expect(logged).toMatchObject({
      requestId: 'req-500',
      err: { message: 'boom: select * from secret_table' },
    });
  });

  it('answers an unknown route with a 404 OperationOutcome', async () => {
    for (const path of ['/nope', '/v1/fhir/Medication/1']) {
      const res = await h.app.request(path, {
        headers: { Authorization: `Bearer ${await h.token('org-1')}` },
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'not-found', diagnostics: 'No such endpoint' }],
      });
    }
  });

  it('routes GraphQL POSTs through the handler after authentication', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const refused = await h.app.request('/graphql', { method: 'POST', body });
    expect(refused.status).toBe(401);
    const res = await h.app.request('/graphql', {
      method: 'POST',
      body,
      headers: { Authorization: `Bearer ${await h.token('org-3')}`, 'Content-Type': 'application/json' },
    });
    expect(await res.json()).toEqual({ data: { org: 'org-3', body } });
  });

  it('logs one line per request with the route pattern, never the path or query values', async () => {
    await h.app.request('/v1/fhir/Patient/p-secret?name=Garcia', {
      headers: { Authorization: `Bearer ${await h.token('org-1')}`, 'X-Request-Id': 'req-log' },
    });
    const line = h.logLines.find((l) => l.includes('"req-log"'))!;
    expect(JSON.parse(line)).toMatchObject({
      msg: 'request',
      method: 'GET',
      route: '/v1/fhir/Patient/:id',
      status: 200,
    });
    expect(line).not.toMatch(/Garcia|p-secret|Bearer/);
  });
});
