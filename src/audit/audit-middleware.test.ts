import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, bearerToken, createDevIssuer, createTokenVerifier, type DevIssuer } from '../auth';
import { forbidden } from '../fhir/operation-outcome';
import { jsonSafety, onOutcomeError } from '../http';
import { type AuditEvent, createAuditLog } from './audit-log';
import { auditMiddleware } from './audit-middleware';

const TOKEN_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
let dir: string;
let issuer: DevIssuer;
let lines: string[];
let app: Hono;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-'));
  const auth = { issuer: 'urn:test', audience: 'fhir-gateway', orgClaim: 'org', scopeClaim: 'scope' };
  issuer = await createDevIssuer({ ...auth, keysDir: dir, production: false });
  const verifier = createTokenVerifier({
    ...auth,
    algorithms: ['ES256'],
    jwks: issuer.keys,
    clockToleranceSeconds: 5,
  });
  let clock = Date.parse('2026-01-02T03:04:05.000Z');
  const now = () => {
    clock += 7;
    return clock;
  };
  lines = [];
  const log = createAuditLog({ write: (line: string) => lines.push(line) });

  app = new Hono();
  app.onError(onOutcomeError);
  app.use(async (c, next) => {
    c.set('requestId' as never, 'req-1' as never);
    await next();
  });
  app.use(auditMiddleware(log, { now }));
  app.use(jsonSafety());
  app.use(async (c, next) => {
    const principal = await verifier.verify(bearerToken(c.req.header('authorization')) ?? '');
    c.set('ctx' as never, { principal } as never);
    await next();
  });
  const fhir =
    (type: string, interaction: 'r' | 's') =>
    async (c: { get: (k: never) => unknown }, next: () => Promise<void>) => {
      const { principal } = c.get('ctx' as never) as { principal: { scopes: string[] } };
      if (!allows(principal.scopes, type, interaction)) throw forbidden();
      await next();
    };
  app.get('/v1/fhir/Patient/:id', fhir('Patient', 'r'), (c) =>
    c.json({ resourceType: 'Patient', id: c.req.param('id') }),
  );
  app.get('/v1/fhir/Patient', fhir('Patient', 's'), (c) => c.json({ resourceType: 'Bundle' }));
  app.post('/v1/fhir/Patient/_search', fhir('Patient', 's'), (c) => c.json({ resourceType: 'Bundle' }));
  app.post('/graphql', (c) => c.json({ data: null }));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

async function audited(path: string, init: RequestInit = {}, token?: string): Promise<AuditEvent> {
  lines.length = 0;
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  await app.request(path, { ...init, headers });
  expect(lines).toHaveLength(1);
  expect(lines[0]!.endsWith('\n')).toBe(true);
  return JSON.parse(lines[0]!) as AuditEvent;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('auditMiddleware', () => {
  it('records a read with who, which organization, the route pattern, the resource id and the outcome', async () => {
    const token = await issuer.mintDevToken({ org: 'org-a', subject: 'analyst-9', scopes: ['system/*.rs'] });
    expect(await audited(`/v1/fhir/Patient/${TOKEN_ID}`, {}, token)).toEqual({
      kind: 'audit',
      time: '2026-01-02T03:04:05.007Z',
      requestId: 'req-1',
      subject: 'analyst-9',
      clientId: 'fhir-gateway-dev',
      organizationId: 'org-a',
      method: 'GET',
      route: '/v1/fhir/Patient/:id',
      resourceType: 'Patient',
      resourceIds: [TOKEN_ID],
      queryHash: null,
      status: 200,
      durationMs: 7,
    });
  });

  it('records a search as a hash of its query string and never the search values', async () => {
    const token = await issuer.mintDevToken({ org: 'org-a' });
    const query = 'family=Smithson&birthdate=1971-04-09&identifier=http://hospital|MRN-7788';
    const event = await audited(`/v1/fhir/Patient?${query}`, {}, token);
    expect(event).toMatchObject({
      route: '/v1/fhir/Patient',
      resourceIds: [],
      queryHash: sha256(query),
      status: 200,
    });
    for (const value of ['Smithson', '1971-04-09', 'MRN-7788']) expect(lines[0]).not.toContain(value);
  });

  it('records a POST _search and a GraphQL request by a hash over their bodies', async () => {
    const token = await issuer.mintDevToken({ org: 'org-b' });
    const form = await audited(
      '/v1/fhir/Patient/_search',
      {
        method: 'POST',
        body: 'family=Smithson',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      token,
    );
    expect(form).toMatchObject({
      resourceType: 'Patient',
      resourceIds: [],
      queryHash: sha256('\nfamily=Smithson'),
    });
    const document = JSON.stringify({
      query: 'query($n:String){patients(filter:{name:$n}){totalCount}}',
      variables: { n: 'Smithson' },
    });
    const gql = await audited(
      '/graphql',
      { method: 'POST', body: document, headers: { 'content-type': 'application/json' } },
      token,
    );
    expect(gql).toMatchObject({
      route: '/graphql',
      resourceType: null,
      queryHash: sha256(`\n${document}`),
      status: 200,
    });
    expect(lines[0]).not.toContain('Smithson');
  });

  it('records a 401 with no identity, since none was verified', async () => {
    expect(await audited(`/v1/fhir/Patient/${TOKEN_ID}`, {}, 'not-a-jwt')).toMatchObject({
      subject: null,
      clientId: null,
      organizationId: null,
      route: '/v1/fhir/Patient/:id',
      resourceType: 'Patient',
      status: 401,
    });
  });

  it('records a 403 with the verified identity', async () => {
    const token = await issuer.mintDevToken({
      org: 'org-a',
      subject: 'svc-2',
      scopes: ['system/Observation.rs'],
    });
    expect(await audited(`/v1/fhir/Patient/${TOKEN_ID}`, {}, token)).toMatchObject({
      subject: 'svc-2',
      organizationId: 'org-a',
      status: 403,
    });
  });

  it('hashes a path id that is not shaped like a token, in case a caller put a real identifier there', async () => {
    const token = await issuer.mintDevToken({ org: 'org-a' });
    const event = await audited('/v1/fhir/Patient/MRN-7788', {}, token);
    expect(event.resourceIds).toEqual([`sha256:${sha256('MRN-7788')}`]);
    expect(lines[0]).not.toContain('MRN-7788');
  });

  it('keys the hash when given a key, so low-entropy searches cannot be brute-forced from the log', () => {
    const keyed = createAuditLog({ write: () => undefined }, { hashKey: 'secret' });
    expect(keyed.hash('birthdate=1971-04-09')).not.toBe(sha256('birthdate=1971-04-09'));
    expect(keyed.hash('birthdate=1971-04-09')).toMatch(/^[0-9a-f]{64}$/);
  });
});
