/**
 * The attack catalogue (issue 5) against the real app in production mode: forged tokens on
 * REST and GraphQL, injection and hostile Unicode in every search parameter, `_count` edge
 * cases, forged cursors, GraphQL introspection, typos and batching. Each has its expected
 * status and body, and none is answered with a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOLVERS } from '../../resolvers';
import { RESOURCE_TYPES } from '../../src/fhir/search-parameters';
import { createExpectations, nameParts, stringMatch } from '../gateway/expectations';
import { HOSTILE_VALUES, RAW_ENCODED } from './hostile-values';
import { openSecureApp, type SecureApp } from './secure-app';
import { createTokenLab, forgedTokens, type TokenLab } from './token-lab';

type Json = Record<string, unknown>;
let lab: TokenLab;
let s: SecureApp;
let x: ReturnType<typeof createExpectations>;
let own: string;
let foreignIds: Set<string>;
let ownIds: Set<string>;

beforeAll(async () => {
  lab = await createTokenLab();
  s = await openSecureApp(lab);
  x = createExpectations(s.built);
  const [a, b] = s.built.organizations as [string, string];
  own = a;
  ownIds = new Set(RESOURCE_TYPES.flatMap((t) => x.ids(t, a, () => true)));
  foreignIds = new Set(RESOURCE_TYPES.flatMap((t) => x.ids(t, b, () => true)));
}, 180_000);
afterAll(async () => {
  await s?.close();
  await lab?.close();
});

const LOGIN = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'login', diagnostics: 'A valid bearer token is required' }],
};

function entryIds(bundle: Json): string[] {
  return ((bundle.entry as Json[] | undefined) ?? []).map((e) => (e.resource as Json).id as string);
}

describe('forged tokens at the app', () => {
  it('answers every forged token with the same 401 OperationOutcome on REST and GraphQL', async () => {
    const forged = await forgedTokens(lab);
    const answers: Record<string, unknown> = {};
    for (const [name, token] of Object.entries(forged)) {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const rest = await s.app.request('/v1/fhir/Patient', { headers });
      const gql = await s.app.request('/graphql', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ patients { totalCount } }' }),
      });
      answers[name] = {
        rest: [rest.status, rest.headers.get('www-authenticate'), await rest.json()],
        graphql: [gql.status, await gql.json()],
      };
    }
    const refused = { rest: [401, 'Bearer', LOGIN], graphql: [401, LOGIN] };
    expect(answers).toEqual(Object.fromEntries(Object.keys(forged).map((n) => [n, refused])));
    expect(lab.elsewhere.requests).toEqual([]);
  });
});

describe('hostile search values', () => {
  it('answers SQL, wildcard and Unicode attacks in every search parameter with 200 or 400, never foreign rows', async () => {
    const outcomes = new Map<string, number>();
    for (const type of RESOURCE_TYPES) {
      for (const param of RESOLVERS[type].definition.params) {
        const values = [...HOSTILE_VALUES.map((v) => encodeURIComponent(v)), ...RAW_ENCODED];
        for (const value of values) {
          const res = await s.call(`/v1/fhir/${type}?${param.name}=${value}`, own);
          outcomes.set(String(res.status), (outcomes.get(String(res.status)) ?? 0) + 1);
          const body = (await res.json()) as Json;
          if (res.status === 200) {
            expect(body.resourceType).toBe('Bundle');
            for (const id of entryIds(body)) expect(ownIds.has(id)).toBe(true);
          } else {
            expect({ status: res.status, type: body.resourceType }).toEqual({
              status: 400,
              type: 'OperationOutcome',
            });
          }
        }
      }
    }
    expect([...outcomes.keys()].sort()).toEqual(['200', '400']);
  });

  it('treats %, _ and * as literal characters, not wildcards', async () => {
    for (const [param, value] of [
      ['family', '%'],
      ['family', '_'],
      ['given', '%25'],
      ['name:contains', '%'],
      ['family:exact', '*'],
    ] as const) {
      const res = await s.call(`/v1/fhir/Patient?${param}=${encodeURIComponent(value)}`, own);
      expect([param, value, res.status, entryIds((await res.json()) as Json)]).toEqual([
        param,
        value,
        200,
        [],
      ]);
    }
  });

  it('finds the same patients for NFC and NFD spellings of a name', async () => {
    const patients = x.resources('Patient', own).map((r) => r.resource);
    const accented =
      patients.flatMap((p) => nameParts(p, 'family')).find((f) => f !== f.normalize('NFD')) ?? 'García';
    const expected = x.ids('Patient', own, (p) => stringMatch(nameParts(p, 'family'), accented));
    for (const form of ['NFC', 'NFD'] as const) {
      const res = await s.call(
        `/v1/fhir/Patient?family=${encodeURIComponent(accented.normalize(form))}&_count=500`,
        own,
      );
      expect([form, res.status, entryIds((await res.json()) as Json).sort()]).toEqual([form, 200, expected]);
    }
  });

  it('answers hostile GraphQL filter values, lone surrogates included, without a 5xx or foreign rows', async () => {
    const query = `query($v: [String!]) {
      patients(filter: { family: $v }) { totalCount edges { node { id } } }
      observations(filter: { code: $v }) { totalCount }
      encounters(filter: { date: $v }) { totalCount } }`;
    for (const value of [...HOSTILE_VALUES, '\uD800', 'x\uDFFFy']) {
      const res = await s.graphql(own, { query, variables: { v: [value] } });
      expect(res.status).toBeLessThan(500);
      const text = await res.text();
      for (const id of foreignIds) expect(text).not.toContain(id);
      expect(text).not.toMatch(/INTERNAL_SERVER_ERROR/);
    }
  });
});

describe('_count and cursors', () => {
  const invalidCount = {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: 'invalid',
        diagnostics: '_count must be a non-negative integer',
        expression: ['_count'],
      },
    ],
  };

  it('refuses _count of -1 and abc with 400', async () => {
    for (const count of ['-1', 'abc', '1e3', '']) {
      const res = await s.call(`/v1/fhir/Patient?_count=${count}`, own);
      expect([count, res.status, await res.json()]).toEqual([count, 400, invalidCount]);
    }
  });

  it('clamps a _count of 100000 to 1000', async () => {
    const res = await s.call('/v1/fhir/Observation?_count=100000', own);
    const bundle = (await res.json()) as Json;
    expect(res.status).toBe(200);
    expect(entryIds(bundle).length).toBe(Math.min(1000, x.ids('Observation', own, () => true).length));
    expect((bundle.link as Json[])[0]).toMatchObject({
      relation: 'self',
      url: expect.stringContaining('_count=1000'),
    });
  });

  it('refuses forged and tampered cursors with the same 400', async () => {
    const page = (await (await s.call('/v1/fhir/Patient?_count=2', own)).json()) as Json;
    const real = new URL(
      (page.link as Json[]).find((l) => l.relation === 'next')!.url as string,
    ).searchParams.get('_cursor')!;
    const [payload, mac] = real.split('.') as [string, string];
    const tampered = `${Buffer.from(
      Buffer.from(payload, 'base64url')
        .toString()
        .replace(/[0-9a-f]/, '0'),
    ).toString('base64url')}.${mac}`;
    const refused = {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'invalid',
          diagnostics: 'Invalid or expired paging cursor',
          expression: ['_cursor'],
        },
      ],
    };
    for (const cursor of [
      'eyJmb28iOjF9',
      'garbage',
      `${payload}.`,
      tampered,
      `${payload}.${'A'.repeat(22)}`,
      "' OR 1=1",
    ]) {
      const res = await s.call(`/v1/fhir/Patient?_count=2&_cursor=${encodeURIComponent(cursor)}`, own);
      expect([cursor, res.status, await res.json()]).toEqual([cursor, 400, refused]);
    }
  });
});

describe('GraphQL in production', () => {
  it('refuses introspection', async () => {
    const res = await s.graphql(own, { query: '{ __schema { types { name } } }' });
    const body = (await res.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors.map((e) => e.extensions.code)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(body)).not.toContain('Observation');
  });

  it("suggests no field names for a typo'd field", async () => {
    const res = await s.graphql(own, { query: '{ patient(id: "x") { identifer } pateints { totalCount } }' });
    const text = await res.text();
    expect(JSON.parse(text).data).toBeUndefined();
    expect(text).not.toMatch(/Did you mean|"identifier"|"patients"/);
  });

  it('refuses a batched array and runs none of it', async () => {
    const start = s.queries.length;
    const res = await s.graphql(own, [
      { query: '{ patients { totalCount } }' },
      { query: '{ patients { totalCount } }' },
    ]);
    expect([res.status, await res.json()]).toEqual([
      400,
      { errors: [{ message: 'Batching is not supported.', extensions: { code: 'BAD_REQUEST' } }] },
    ]);
    expect(s.queries.length).toBe(start);
  });
});
