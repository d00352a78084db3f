/**
 * Acceptance tests for the abuse limits and the audit trail as mounted in the real app
 * (`src/http`, `src/graphql/armor`, `src/audit`, wired in `src/app.ts` and the Yoga instance).
 * Limits are lowered through configuration so each refusal is cheap to provoke. These fail
 * until the middleware and the Yoga plugins are mounted as SECURITY.md ("Wiring") describes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit';
import { openSecureApp, type SecureApp } from './secure-app';
import { createTokenLab, type TokenLab } from './token-lab';

let lab: TokenLab;
let s: SecureApp;
let own: string;
let other: string;

const LIMITS = {
  BODY_LIMIT_BYTES: '65536',
  BUNDLE_MAX_ENTRIES: '3',
  RATE_LIMIT_CAPACITY: '1000',
};

beforeAll(async () => {
  lab = await createTokenLab();
  s = await openSecureApp(lab, undefined, LIMITS);
  [own, other] = s.built.organizations as [string, string];
}, 180_000);
afterAll(async () => {
  await s?.close();
  await lab?.close();
});

const outcome = (code: string, diagnostics: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code, diagnostics }],
});
const REFUSED = expect.stringMatching(/^(Syntax Error: )?Query is too complex\.$/);

async function answer(res: Response) {
  return [res.status, res.headers.get('content-type')?.split(';')[0], await res.json()];
}

describe('HTTP limits in the app', () => {
  it('refuses a body over the limit with 413', async () => {
    const body = `family=${'x'.repeat(70_000)}`;
    const res = await s.call('/v1/fhir/Patient/_search', own, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
      body,
    });
    expect(await answer(res)).toEqual([
      413,
      'application/fhir+json',
      outcome('too-long', 'Request body too large'),
    ]);
  });

  it('refuses JSON nested 10,000 deep with 400, without a stack overflow', async () => {
    const body = `{"query":"{ __typename }","variables":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const res = await s.call('/graphql', own, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(await answer(res)).toEqual([
      400,
      'application/fhir+json',
      outcome('invalid', 'The JSON body is nested too deeply'),
    ]);
  });

  it('refuses malformed JSON with 400 and echoes none of it', async () => {
    const body = '{"query":"{ patients(filter: { family: [\\"Smithson\\"] }) { totalCount } }", ';
    const res = await s.call('/graphql', own, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = JSON.stringify(await answer(res));
    expect(JSON.parse(text)).toEqual([
      400,
      'application/fhir+json',
      outcome('invalid', 'The request body is not valid JSON'),
    ]);
    expect(text).not.toContain('Smithson');
  });

  it('refuses a body of the wrong content type with 415', async () => {
    const res = await s.call('/graphql', own, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"query":"{ __typename }"}',
    });
    expect((await answer(res)).slice(0, 2)).toEqual([415, 'application/fhir+json']);
  });

  it('refuses a posted Bundle with more entries than allowed with 413, before any route reads it', async () => {
    const bundle = { resourceType: 'Bundle', type: 'batch', entry: [{}, {}, {}, {}] };
    const res = await s.call('/v1/fhir/Patient/_search', own, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(bundle),
    });
    expect(await answer(res)).toEqual([
      413,
      'application/fhir+json',
      outcome('too-long', 'The Bundle has too many entries'),
    ]);
  });

  it('limits each organization separately and answers 429 with Retry-After', async () => {
    const limited = await openSecureApp(lab, undefined, {
      RATE_LIMIT_CAPACITY: '3',
      RATE_LIMIT_REFILL_PER_SECOND: '0.01',
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.call('/v1/fhir/Patient?_count=1', own)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await limited.call('/v1/fhir/Patient?_count=1', own);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual(outcome('throttled', 'Rate limit exceeded'));
    expect((await limited.call('/v1/fhir/Patient?_count=1', other)).status).toBe(200);
  });
});

describe('GraphQL limits in the app', () => {
  const refusedWithoutTouchingTheWarehouse = async (
    query: string,
    variables: Record<string, unknown> = {},
  ) => {
    const start = s.queries.length;
    const res = await s.graphql(own, { query, variables });
    const body = (await res.json()) as { data?: unknown; errors: { message: string }[] };
    expect(body.data ?? null).toBeNull();
    expect(body.errors.map((e) => e.message)).toEqual([REFUSED]);
    expect(s.queries.slice(start).filter((q) => /api\.(dim|fct)_/.test(q.sql))).toEqual([]);
  };

  it('refuses an over-deep query, also when the depth hides in fragments', async () => {
    let nested = 'id';
    for (let i = 0; i < 6; i++) nested = `encounters(first: 1) { edges { node { subject { ${nested} } } } }`;
    await refusedWithoutTouchingTheWarehouse(`{ patients(first: 1) { edges { node { ${nested} } } } }`);
    const fragments = `
      fragment P on Patient { encounters(first: 1) { edges { node { subject { ...Q } } } } }
      fragment Q on Patient { encounters(first: 1) { edges { node { subject { ...R } } } } }
      fragment R on Patient { encounters(first: 1) { edges { node { subject { id } } } } }
      { patients(first: 1) { edges { node { ...P } } } }`;
    await refusedWithoutTouchingTheWarehouse(fragments);
  });

  it('refuses 1,000 aliases', async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: patients(first: 1) { totalCount }`).join(
      ' ',
    );
    await refusedWithoutTouchingTheWarehouse(`{ ${aliases} }`);
  });

  it('refuses nested pages that multiply into too many rows', async () => {
    await refusedWithoutTouchingTheWarehouse(
      `query($n: Int) { patients(first: $n) { edges { node { encounters(first: $n) { edges { node {
        observations(first: $n) { totalCount } } } } } } } }`,
      { n: 1000 },
    );
  });
});

describe('the audit trail in the app', () => {
  it('records one event per request on its own stream, 401s and 403s included', async () => {
    const token = await lab.sign({
      org: own,
      sub: 'auditor-1',
      client_id: 'audit-app',
      scope: 'system/Patient.rs',
    });
    const as = (path: string, auth?: string) =>
      s.app.request(path, {
        headers: auth ? { authorization: auth, 'x-request-id': path.length.toString() } : {},
      });
    expect((await as('/v1/fhir/Patient?family=Smithson', `Bearer ${token}`)).status).toBe(200);
    expect((await as('/v1/fhir/Observation?code=1234-5', `Bearer ${token}`)).status).toBe(403);
    expect((await as('/v1/fhir/Patient?family=Smithson')).status).toBe(401);

    const file = join(s.dir, 'audit.ndjson');
    let events: AuditEvent[] = [];
    for (let i = 0; i < 40 && events.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const text = await readFile(file, 'utf8').catch(() => '');
      events = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEvent)
        .filter((e) => e.route.startsWith('/v1/fhir') && (e.subject === 'auditor-1' || e.status === 401));
    }
    expect(events.map((e) => [e.status, e.organizationId, e.subject, e.clientId, e.resourceType])).toEqual([
      [200, own, 'auditor-1', 'audit-app', 'Patient'],
      [403, own, 'auditor-1', 'audit-app', 'Observation'],
      [401, null, null, null, 'Patient'],
    ]);
    expect(events.every((e) => /^[0-9a-f]{64}$/.test(e.queryHash ?? ''))).toBe(true);
    const raw = await readFile(file, 'utf8');
    expect(raw).not.toContain('Smithson');
    expect(s.logLines.join('')).not.toContain('"kind":"audit"');
  });
});
