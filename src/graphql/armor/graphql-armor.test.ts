import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { GRAPHQL_LIMITS, graphqlArmorPlugins } from './graphql-armor';

/** graphql-armor prefixes its refusals with "Syntax Error: "; the rest is the configured message. */
const REFUSED = expect.stringMatching(/^(Syntax Error: )?Query is too complex\.$/);

/** A toy graph shaped like the gateway's: connections that nest and cycle. */
const typeDefs = /* GraphQL */ `
  type Coding { system: String code: String }
  type CodeableConcept { coding: [Coding!]! }
  type Patient { id: ID! encounters(first: Int): EncounterConnection! }
  type Encounter { id: ID! subject: Patient observations(first: Int): ObservationConnection! }
  type Observation { id: ID! code: CodeableConcept }
  type PatientEdge { node: Patient! }
  type EncounterEdge { node: Encounter! }
  type ObservationEdge { node: Observation! }
  type PatientConnection { edges: [PatientEdge!]! totalCount: Int! }
  type EncounterConnection { edges: [EncounterEdge!]! totalCount: Int! }
  type ObservationConnection { edges: [ObservationEdge!]! totalCount: Int! }
  type Query { patients(first: Int): PatientConnection! patient(id: ID!): Patient }
`;

const many = (n: number, make: (i: number) => unknown) =>
  Array.from({ length: Math.min(n, 3) }, (_, i) => make(i));
const connection = (first: number | undefined, make: (i: number) => unknown) => ({
  edges: many(first ?? 2, (i) => ({ node: make(i) })),
  totalCount: 3,
});
const patient = (i: number) => ({ id: `p${i}` });

const schema = createSchema({
  typeDefs,
  resolvers: {
    Query: {
      patients: (_: unknown, { first }: { first?: number }) => connection(first, patient),
      patient: (_: unknown, { id }: { id: string }) => ({ id }),
    },
    Patient: {
      encounters: (_: unknown, { first }: { first?: number }) => connection(first, (i) => ({ id: `e${i}` })),
    },
    Encounter: {
      subject: () => patient(0),
      observations: (_: unknown, { first }: { first?: number }) =>
        connection(first, (i) => ({
          id: `o${i}`,
          code: { coding: [{ system: 'http://loinc.org', code: '1-8' }] },
        })),
    },
  },
});

function yoga(production: boolean) {
  return createYoga({
    schema,
    plugins: graphqlArmorPlugins({ production }),
    maskedErrors: true,
    logging: false,
  });
}

async function run(production: boolean, body: unknown, headers: Record<string, string> = {}) {
  const res = await yoga(production).fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: unknown; errors?: { message: string }[] },
  };
}

const messages = (r: { body: { errors?: { message: string }[] } }) =>
  (r.body.errors ?? []).map((e) => e.message);

const DEEPEST_USEFUL = `{ patients(first: 20) { totalCount edges { node { id encounters(first: 10) { edges { node { id
  observations(first: 10) { edges { node { id code { coding { system code } } } } } } } } } } } }`;

function nested(levels: number): string {
  let q = 'id';
  for (let i = 0; i < levels; i++) q = `encounters(first: 1) { edges { node { subject { ${q} } } } }`;
  return `{ patient(id: "p1") { ${q} } }`;
}

describe('graphqlArmorPlugins', () => {
  it('lets the deepest query the graph is meant for through', async () => {
    const r = await run(true, { query: DEEPEST_USEFUL });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toMatchObject({ patients: { totalCount: 3 } });
  });

  it('refuses an over-deep query without naming the limit', async () => {
    const r = await run(true, { query: nested(5) });
    expect(r.body.data).toBeUndefined();
    expect(messages(r)).toEqual([REFUSED]);
    expect(JSON.stringify(r.body)).not.toContain(String(GRAPHQL_LIMITS.maxDepth));
  });

  it('counts depth through fragments', async () => {
    const query = `
      fragment E on Encounter { subject { encounters(first: 1) { edges { node { subject {
        encounters(first: 1) { edges { node { subject { encounters(first: 1) { edges { node { id } } } } } } } } } } } } }
      query { patient(id: "p1") { encounters(first: 1) { edges { node { ...E } } } } }`;
    expect(messages(await run(true, { query }))).toEqual([REFUSED]);
  });

  it('refuses 1,000 aliases of one field', async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: patient(id: "p1") { id }`).join(' ');
    const r = await run(true, { query: `{ ${aliases} }` });
    expect(r.body.data).toBeUndefined();
    expect(messages(r)).toEqual([REFUSED]);
  });

  it('refuses a document of too many tokens and one of too many directives', async () => {
    const ids = Array.from({ length: 3000 }, () => 'id').join(' ');
    expect(messages(await run(true, { query: `{ patient(id: "p1") { ${ids} } }` }))).toEqual([REFUSED]);
    const directives = Array.from({ length: 50 }, () => '@include(if: true)').join(' ');
    expect(messages(await run(true, { query: `{ patient(id: "p1") { id ${directives} } }` }))).toEqual([
      REFUSED,
    ]);
  });

  it('refuses nested pages that multiply into too many rows, also when sized by variables', async () => {
    const query = `query($n: Int) { patients(first: $n) { edges { node { encounters(first: $n) { edges { node {
      observations(first: $n) { totalCount } } } } } } } }`;
    const refused = await run(true, { query, variables: { n: 1000 } });
    expect([refused.status, refused.body]).toEqual([
      400,
      { errors: [{ message: 'Query is too complex.', extensions: { code: 'QUERY_TOO_COSTLY' } }] },
    ]);
    const ok = await run(true, { query, variables: { n: 10 } });
    expect(ok.body.errors).toBeUndefined();
  });

  it('answers a batched array with an error and runs none of it', async () => {
    const r = await run(true, [
      { query: '{ patient(id: "p1") { id } }' },
      { query: '{ patient(id: "p2") { id } }' },
    ]);
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
    expect(JSON.stringify(r.body)).not.toContain('"p1"');
  });

  it('refuses introspection in production and allows it in development', async () => {
    const query = '{ __schema { types { name } } }';
    const prod = await run(true, { query });
    expect(prod.body.data).toBeUndefined();
    expect(messages(prod).length).toBeGreaterThan(0);
    const dev = await run(false, { query });
    expect(dev.body.errors).toBeUndefined();
    expect(JSON.stringify(dev.body.data)).toContain('Patient');
  });

  it('suggests no field names for a typo in production, as it does in development', async () => {
    const query = '{ patient(id: "p1") { encounter { totalCount } } }';
    const prod = await run(true, { query });
    expect(messages(prod)).toHaveLength(1);
    expect(JSON.stringify(prod.body)).not.toContain('Did you mean');
    const dev = await run(false, { query });
    expect(JSON.stringify(dev.body)).toContain('Did you mean');
  });

  it('refuses a form post with neither a CSRF nor an Authorization header, a request a browser would not preflight', async () => {
    const res = await yoga(true).fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7B__typename%7D',
    });
    expect(res.status).toBe(403);
    const withToken = await yoga(true).fetch('http://localhost/graphql?query=%7B__typename%7D', {
      headers: { authorization: 'Bearer x' },
    });
    expect(withToken.status).toBe(200);
  });
});
