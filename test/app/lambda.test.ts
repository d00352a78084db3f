import { handle } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TokenApp } from '../support/app';
import { compareLambdaWithServer, FIXTURES, loadEvent } from './lambda-events';
import { createShellHarness } from './stand-ins';

describe('the Lambda handler (API Gateway REST v1 and HTTP API v2)', () => {
  let h: Awaited<ReturnType<typeof createShellHarness>>;
  beforeAll(async () => {
    h = await createShellHarness();
  });
  afterAll(() => h.close());

  it('has a v1 and a v2 fixture for each request kind', () => {
    expect(FIXTURES.sort()).toEqual(
      ['get-read', 'get-search', 'graphql', 'post-search']
        .flatMap((k) => [`v1-${k}.json`, `v2-${k}.json`])
        .sort(),
    );
  });

  it('answers every fixture exactly as the local server answers the same request', async () => {
    const values = { TOKEN: await h.token('org-1'), ORG: 'org-1', PATIENT_ID: 'p-42' };
    for (const { file, lambda, server } of await compareLambdaWithServer(h.app, values)) {
      expect({ file, ...lambda }).toEqual({ file, ...server });
      expect(lambda.status, file).toBe(200);
    }
  });

  it('decodes multi-value queries and base64 bodies into what the routes see', async () => {
    const values = { TOKEN: await h.token('org-1'), ORG: 'org-1', PATIENT_ID: 'p-42' };
    const handler = handle(h.app);
    const bodies: Record<string, unknown> = {};
    for (const file of FIXTURES) {
      const out = (await handler(loadEvent(file, values) as never, {} as never)) as { body: string };
      bodies[file] = JSON.parse(out.body);
    }
    const search = {
      type: 'Observation',
      query: { patient: ['p-42'], date: ['ge2000-01-01', 'lt2100-01-01'], _count: ['3'] },
    };
    const form = [
      ['patient', 'p-42'],
      ['date', 'ge2000-01-01'],
      ['date', 'lt2100-01-01'],
      ['_count', '3'],
    ];
    expect(bodies).toEqual({
      'v1-get-read.json': {
        resourceType: 'Patient',
        id: 'p-42',
        org: 'org-1',
        requestId: 'fixture-get-read',
      },
      'v2-get-read.json': {
        resourceType: 'Patient',
        id: 'p-42',
        org: 'org-1',
        requestId: 'fixture-get-read',
      },
      'v1-get-search.json': search,
      'v2-get-search.json': search,
      'v1-post-search.json': { type: 'Observation', form },
      'v2-post-search.json': { type: 'Observation', form },
      'v1-graphql.json': { data: { org: 'org-1', body: expect.stringContaining('"id":"p-42"') } },
      'v2-graphql.json': { data: { org: 'org-1', body: expect.stringContaining('"id":"p-42"') } },
    });
  });

  it('refuses a token whose organization differs from the one the API Gateway authorizer vouched for', async () => {
    const handler = handle(h.app);
    for (const v of ['v1', 'v2']) {
      const event = loadEvent(`${v}-get-read.json`, {
        TOKEN: await h.token('org-2'),
        ORG: 'org-1',
        PATIENT_ID: 'p-42',
      });
      const out = (await handler(event as never, {} as never)) as { statusCode: number; body: string };
      expect(out.statusCode).toBe(401);
      expect(JSON.parse(out.body)).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ code: 'login' }],
      });
    }
  });
});

describe('the Lambda handler over the real gateway and a generated cohort', () => {
  let real: TokenApp;
  beforeAll(async () => {
    real = await openTestApp({ cohort: { patients: 6, orgs: 2, seed: 5 } });
  });
  afterAll(() => real.close());

  it('answers read, search, form _search and GraphQL fixtures exactly as the local server does, with data', async () => {
    const org = real.built.organizations[0]!;
    const [row] = await real.warehouse.query<{ patient_id: string }>(
      'select patient_id from api.fct_observation_api where organization_id = ? order by patient_id limit 1',
      [org],
    );
    const values = { TOKEN: await real.token(org), ORG: org, PATIENT_ID: row!.patient_id };
    const results = await compareLambdaWithServer(real.app, values);
    for (const { file, lambda, server } of results) {
      expect({ file, ...lambda }).toEqual({ file, ...server });
      expect({ file, status: lambda.status }).toEqual({ file, status: 200 });
    }
    const body = (name: string) => JSON.parse(results.find((r) => r.file === name)!.lambda.body);
    expect(body('v1-get-read.json')).toMatchObject({ resourceType: 'Patient', id: row!.patient_id });
    expect(body('v2-graphql.json')).toEqual({
      data: { patient: { id: row!.patient_id, gender: expect.any(String) } },
    });
    const search = body('v1-get-search.json');
    expect(search).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(search.entry.length).toBeGreaterThan(0);
    expect(body('v2-post-search.json').entry).toEqual(search.entry);
  });
});
