/**
 * Tenant isolation, proven through the real app (issue 5): one organization's token against
 * another's data, on every REST route and every GraphQL root field and edge. A foreign
 * resource answers exactly as a missing one, searches never return foreign rows, foreign or
 * re-targeted cursors are refused, an organization named anywhere but the token is ignored,
 * and every warehouse statement issued on the caller's behalf carries the caller's organization.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../src/fhir/search-parameters';
import { pseudonym } from '../../src/pseudonyms';
import { createExpectations } from '../gateway/expectations';
import { openSecureApp, type SecureApp } from './secure-app';
import { createTokenLab, type TokenLab } from './token-lab';

type Json = Record<string, unknown>;
let lab: TokenLab;
let s: SecureApp;
let x: ReturnType<typeof createExpectations>;
let own: string;
let foreign: string;

beforeAll(async () => {
  lab = await createTokenLab();
  s = await openSecureApp(lab);
  x = createExpectations(s.built);
  [own, foreign] = s.built.organizations as [string, string];
}, 180_000);
afterAll(async () => {
  await s?.close();
  await lab?.close();
});

const all = (type: string, org: string) => x.ids(type, org, () => true);
const MISSING = (type: string) => pseudonym('no-such-salt-000000', 'nobody', type, 'missing');
/** The GraphQL root of a type is its name in lower camel case (`MedicationRequest` → `medicationRequest`). */
const graphqlField = (type: string) => type[0]!.toLowerCase() + type.slice(1);

/** Calls the app as `org` and checks every mart statement it issued was bound to `org` only. */
async function as(org: string, path: string, init: RequestInit = {}): Promise<Response> {
  const start = s.queries.length;
  const res = await s.call(path, org, init);
  const others = s.built.organizations.filter((o) => o !== org);
  for (const q of s.queries.slice(start)) {
    if (!/api\.(dim|fct)_/.test(q.sql)) continue;
    expect(q.sql).toMatch(/organization_id = \?/);
    expect(q.params).toContain(org);
    for (const other of others) expect(q.params).not.toContain(other);
  }
  return res;
}

const gql = (org: string, query: string, variables: Json = {}) =>
  as(org, '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });

/** Every id in every entry of every page of a REST search. */
async function searchAll(org: string, path: string, init: RequestInit = {}): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined = path;
  let first = true;
  while (next) {
    const res = await as(org, next, first ? init : {});
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Json;
    ids.push(...((bundle.entry as Json[] | undefined) ?? []).map((e) => (e.resource as Json).id as string));
    const url = (bundle.link as Json[]).find((l) => l.relation === 'next')?.url as string | undefined;
    next = url ? new URL(url).pathname + new URL(url).search : undefined;
    first = false;
  }
  return ids.sort();
}

describe('tenant isolation over REST', () => {
  it("answers another organization's resource exactly as a missing one, for every type", async () => {
    for (const type of RESOURCE_TYPES) {
      const theirs = all(type, foreign)[0]!;
      const missing = MISSING(type);
      const [a, b] = [
        await as(own, `/v1/fhir/${type}/${theirs}`),
        await as(own, `/v1/fhir/${type}/${missing}`),
      ];
      expect([a.status, b.status]).toEqual([404, 404]);
      expect([...a.headers.entries()].filter(([k]) => k !== 'x-request-id')).toEqual(
        [...b.headers.entries()].filter(([k]) => k !== 'x-request-id'),
      );
      expect((await a.text()).replace(theirs, 'ID')).toBe((await b.text()).replace(missing, 'ID'));
    }
  });

  it('returns exactly the caller organization rows from every search, across every page', async () => {
    for (const type of RESOURCE_TYPES) {
      expect(await searchAll(own, `/v1/fhir/${type}?_count=500`)).toEqual(all(type, own));
    }
  });

  it("finds nothing through another organization's ids or references", async () => {
    const theirPatient = all('Patient', foreign)[0]!;
    const theirEncounter = all('Encounter', foreign)[0]!;
    for (const path of [
      `/v1/fhir/Patient?_id=${theirPatient}`,
      `/v1/fhir/Encounter?patient=${theirPatient}`,
      `/v1/fhir/Encounter?subject=Patient/${theirPatient}`,
      `/v1/fhir/Observation?patient=${theirPatient}`,
      `/v1/fhir/Observation?encounter=${theirEncounter}`,
      `/v1/fhir/Condition?patient=${theirPatient}`,
      `/v1/fhir/Condition?encounter=${theirEncounter}`,
      `/v1/fhir/MedicationRequest?patient=${theirPatient}`,
      `/v1/fhir/MedicationRequest?encounter=${theirEncounter}`,
    ]) {
      expect(await searchAll(own, path)).toEqual([]);
    }
  });

  it('ignores an organization named in a header, a query parameter or a form body', async () => {
    const baseline = all('Patient', own);
    const headers = {
      'X-Organization': foreign,
      'X-Org-Id': foreign,
      Organization: foreign,
      'X-Tenant': foreign,
    };
    expect(await searchAll(own, '/v1/fhir/Patient?_count=500', { headers })).toEqual(baseline);
    expect(
      await searchAll(
        own,
        `/v1/fhir/Patient?_count=500&org=${foreign}&organization=${foreign}&organization_id=${foreign}`,
      ),
    ).toEqual(baseline);
    const posted = await searchAll(own, '/v1/fhir/Patient/_search', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `_count=500&org=${foreign}&organization_id=${foreign}`,
    });
    expect(posted).toEqual(baseline);
  });

  it('refuses a paging cursor issued to another organization or for another query', async () => {
    const page = (await (await as(foreign, '/v1/fhir/Patient?_count=2')).json()) as Json;
    const next = new URL((page.link as Json[]).find((l) => l.relation === 'next')!.url as string);
    const cursor = next.searchParams.get('_cursor')!;
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
    const stolen = await as(own, next.pathname + next.search);
    expect([stolen.status, await stolen.json()]).toEqual([400, refused]);
    const retargeted = await as(
      foreign,
      `/v1/fhir/Patient?_count=2&gender=female&_cursor=${encodeURIComponent(cursor)}`,
    );
    expect([retargeted.status, await retargeted.json()]).toEqual([400, refused]);
  });
});

describe('tenant isolation over GraphQL', () => {
  it("answers another organization's id exactly as a missing one, for every root field", async () => {
    for (const type of RESOURCE_TYPES) {
      const field = graphqlField(type);
      const query = `query($id: ID!) { ${field}(id: $id) { id resource } }`;
      const a = await gql(own, query, { id: all(type, foreign)[0] });
      const b = await gql(own, query, { id: MISSING(type) });
      expect([a.status, await a.text()]).toEqual([b.status, await b.text()]);
    }
  });

  it('returns only the caller organization rows from root connections and every edge', async () => {
    const query = `{
      patients(first: 50) { totalCount edges { node { id
        encounters(first: 20) { edges { node { id subject { id }
          observations(first: 20) { edges { node { id subject { id } encounter { id } } } }
          conditions(first: 20) { edges { node { id subject { id } encounter { id } } } } } } }
        observations(first: 50) { edges { node { id } } }
        conditions(first: 50) { edges { node { id } } } } } }
      encounters(first: 500) { edges { node { id } } }
      observations(first: 500) { edges { node { id } } }
      conditions(first: 500) { edges { node { id } } } }`;
    const res = await gql(own, query);
    const text = await res.text();
    const body = JSON.parse(text) as { data: Json; errors?: unknown };
    expect(body.errors).toBeUndefined();
    for (const type of RESOURCE_TYPES) for (const id of all(type, foreign)) expect(text).not.toContain(id);
    const data = body.data as { patients: { totalCount: number; edges: { node: { id: string } }[] } };
    expect(data.patients.totalCount).toBe(all('Patient', own).length);
    expect(data.patients.edges.map((e) => e.node.id).sort()).toEqual(all('Patient', own));
  });

  it("finds nothing through a filter naming another organization's patient", async () => {
    const theirPatient = all('Patient', foreign)[0]!;
    const query = `query($p: [String!]) {
      encounters(filter: { patient: $p }) { totalCount }
      observations(filter: { patient: $p }) { totalCount }
      conditions(filter: { patient: $p }) { totalCount } }`;
    const body = (await (await gql(own, query, { p: [theirPatient] })).json()) as Json;
    expect(body).toEqual({
      data: { encounters: { totalCount: 0 }, observations: { totalCount: 0 }, conditions: { totalCount: 0 } },
    });
  });
});

describe('the organization bind', () => {
  it('was checked on mart statements during this suite', () => {
    expect(s.queries.filter((q) => /api\.(dim|fct)_/.test(q.sql)).length).toBeGreaterThan(20);
  });
});
