import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printSchemaSdl } from '../../src/graphql';
import { createClient, type HeaderApp, openTestApp } from '../support/app';
import { buildTestWarehouse, type TestWarehouse } from '../support/cohort';
import { createExpectations } from './expectations';

type Json = Record<string, unknown>;
let tw: TestWarehouse;
let x: ReturnType<typeof createExpectations>;
let org: string;
let other: string;
const statements: string[] = [];
/** Uncached, so each query's warehouse statements are all recorded. */
let opened: HeaderApp;

beforeAll(async () => {
  tw = await buildTestWarehouse({ patients: 200, orgs: 2, seed: 11 });
  x = createExpectations(tw);
  [org, other] = tw.organizations as [string, string];
  opened = await openTestApp({
    trust: 'headers',
    warehouse: tw,
    cache: false,
    onQuery: (sql) => statements.push(sql),
  });
});
afterAll(() => tw.close());

/** Runs a query as `asOrg` with `scopes`, recording its warehouse statements. */
async function gql(query: string, variables: Json = {}, scopes = ['system/*.rs'], asOrg = org) {
  statements.length = 0;
  const res = await createClient(opened, asOrg).graphql(query, variables, { scope: scopes.join(' ') });
  return (await res.json()) as { data?: Json; errors?: Json[] };
}

const perTable = () => {
  const counts: Record<string, number> = {};
  for (const sql of statements) {
    const table = /from (api\.\w+)/.exec(sql)?.[1] ?? 'other';
    counts[table] = (counts[table] ?? 0) + 1;
  }
  return counts;
};

const NESTED = /* GraphQL */ `
  query Nested($first: Int!) {
    patients(first: $first) {
      edges { node { id
        encounters(first: 3) { totalCount edges { node { id resource
          subject { id }
          observations(first: 4) { totalCount edges { node { id valueQuantity { value unit } encounter { id } } } }
          medicationRequests(first: 2) { totalCount edges { node { id } } }
        } } }
        conditions(first: 2) { edges { node { id code { coding { system code } } } } }
        medicationRequests(first: 5) { totalCount edges { node { id status intent authoredOn
          medicationCodeableConcept { coding { system code display } text }
          dosageInstruction { text boundsPeriod { start end } }
          
        } } }
      } }
    }
  }
`;

describe('GraphQL batching', () => {
  it.each([1, 10, 100])(
    'issues one warehouse query per type per nesting level for %i patients',
    async (first) => {
      const res = await gql(NESTED, { first });
      expect(res.errors).toBeUndefined();
      expect(((res.data!.patients as Json).edges as Json[]).length).toBe(first);
      expect(perTable()).toEqual({
        'api.dim_patient_api': 2, // the page, then Encounter.subject by id
        'api.fct_encounter_api': 3, // Observation.encounter by id, encounters per patient, their counts
        'api.fct_observation_api': 2, // observations per encounter, their counts
        'api.fct_condition_api': 1,
        'api.fct_medication_request_api': 4, // per encounter and per patient, each with its counts
      });
      for (const sql of statements) expect(sql).toMatch(/organization_id = \?/);
    },
  );

  it('returns the same resources as the REST reads and the counts of the raw data', async () => {
    const res = await gql(NESTED, { first: 20 });
    const fhir = createClient(opened, org);
    for (const p of ((res.data!.patients as Json).edges as Json[]).map((e) => e.node as Json)) {
      const encounters = p.encounters as Json;
      const raw = x.resources('Patient', org).find((r) => x.token(org, 'Patient', r.resource.id) === p.id)!;
      expect(encounters.totalCount).toBe(
        x.ids('Encounter', org, (e) => x.refId(e.subject) === raw.resource.id).length,
      );
      for (const e of (encounters.edges as Json[]).map((edge) => edge.node as Json)) {
        const rest = await fhir.call(`Encounter/${e.id}`);
        expect(e.resource).toEqual(await rest.json());
        expect(e.subject).toEqual({ id: p.id });
        const obs = e.observations as Json;
        expect(obs.totalCount).toBe(
          x.ids('Observation', org, (o) => x.token(org, 'Encounter', x.refId(o.encounter)!) === e.id).length,
        );
        for (const o of (obs.edges as Json[]).map((edge) => edge.node as Json))
          expect(o.encounter).toEqual({ id: e.id });
        expect((e.medicationRequests as Json).totalCount).toBe(
          x.ids('MedicationRequest', org, (m) => x.token(org, 'Encounter', x.refId(m.encounter)!) === e.id)
            .length,
        );
      }
      const prescriptions = p.medicationRequests as Json;
      const rawRequests = x
        .resources('MedicationRequest', org)
        .filter((r) => x.refId(r.resource.subject) === raw.resource.id);
      expect(prescriptions.totalCount).toBe(rawRequests.length);
      for (const m of (prescriptions.edges as Json[]).map((edge) => edge.node as Json)) {
        const rest = await fhir.call(`MedicationRequest/${m.id}`);
        const resource = (await rest.json()) as Json;
        expect(m).toMatchObject({
          status: resource.status,
          intent: resource.intent,
          authoredOn: resource.authoredOn,
          medicationCodeableConcept: resource.medicationCodeableConcept,
        });
        expect((m.dosageInstruction as Json[])[0]!.text).toBe(
          (resource.dosageInstruction as Json[])[0]!.text,
        );
      }
    }
    const withPrescriptions = ((res.data!.patients as Json).edges as Json[]).filter(
      (e) => ((e.node as Json).medicationRequests as Json).totalCount !== 0,
    );
    expect(withPrescriptions.length).toBeGreaterThan(0);
  });
});

describe('GraphQL MedicationRequest', () => {
  it('resolves the root search with its subject and encounter in one query per type, as in the raw data', async () => {
    const res = await gql(`{ medicationRequests(first: 60, sort: "-authoredon") { totalCount edges { node {
      id authoredOn subject { id } encounter { id }
    } } } }`);
    expect(res.errors).toBeUndefined();
    expect(perTable()).toEqual({
      'api.fct_medication_request_api': 2, // the page and its totalCount
      'api.dim_patient_api': 1,
      'api.fct_encounter_api': 1,
    });
    const raw = new Map(
      x
        .resources('MedicationRequest', org)
        .map((r) => [x.token(org, 'MedicationRequest', r.resource.id), r.resource]),
    );
    const nodes = ((res.data!.medicationRequests as Json).edges as Json[]).map((e) => e.node as Json);
    expect(nodes.length).toBe(Math.min(60, raw.size));
    for (const m of nodes) {
      const source = raw.get(m.id as string)!;
      expect(m).toEqual({
        id: m.id,
        authoredOn: source.authoredOn,
        subject: { id: x.token(org, 'Patient', x.refId(source.subject)!) },
        encounter: { id: x.token(org, 'Encounter', x.refId(source.encounter)!) },
      });
    }
    const dates = nodes.map((m) => Date.parse(m.authoredOn as string));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  });

  it('refuses the edge without MedicationRequest scopes and leaves the rest of the answer', async () => {
    const res = await gql(
      '{ patients(first: 1) { edges { node { id medicationRequests(first: 1) { totalCount } } } } }',
      {},
      ['system/Patient.rs'],
    );
    expect(res.errors?.[0]?.message).toMatch(/does not grant/);
    expect(((res.data?.patients as Json | undefined)?.edges as Json[] | undefined)?.length).toBe(1);
  });
});

describe('GraphQL roots, filters and paging', () => {
  it('filters with FHIR search values and pages with cursors through every match once', async () => {
    const want = x.ids(
      'Observation',
      org,
      (o) => (((o.valueQuantity as Json | undefined)?.value as number) ?? 0) > 60,
    );
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res = await gql(
        `query($after: String) { observations(filter: { valueQuantity: ["gt60"] }, first: 9, after: $after) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
        { after },
      );
      const conn = res.data!.observations as Json;
      expect(conn.totalCount).toBe(want.length);
      seen.push(...(conn.edges as Json[]).map((e) => (e.node as Json).id as string));
      const info = conn.pageInfo as Json;
      after = info.hasNextPage ? (info.endCursor as string) : null;
    } while (after);
    expect(seen.sort()).toEqual(want);
  });

  it("answers another organization's id exactly as a missing one: null", async () => {
    const foreign = x.ids('Patient', other, () => true)[0]!;
    const a = await gql(`{ patient(id: "${foreign}") { id } }`);
    const b = await gql('{ patient(id: "nope") { id } }');
    expect(a).toEqual({ data: { patient: null } });
    expect(b).toEqual(a);
  });

  it('refuses a nested edge whose type the token may not search, with FORBIDDEN', async () => {
    const id = x.ids('Patient', org, () => true)[0]!;
    const res = await gql(`{ patient(id: "${id}") { id observations { totalCount } } }`, {}, [
      'system/Patient.rs',
    ]);
    expect((res.data!.patient as Json).id).toBe(id);
    expect(res.errors).toMatchObject([
      { path: ['patient', 'observations'], extensions: { code: 'FORBIDDEN' } },
    ]);
    expect(statements.some((s) => s.includes('fct_observation_api'))).toBe(false);
  });

  it('reports an invalid filter value as BAD_USER_INPUT', async () => {
    const res = await gql('{ patients(filter: { birthdate: ["yesterday"] }) { totalCount } }');
    expect(res.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' } }]);
  });
});

describe('GraphQL connection arguments', () => {
  it('answers first: 0 with the total and no edges, and refuses a negative first or backward paging', async () => {
    expect(await gql('{ patients(first: 0) { totalCount edges { node { id } } } }')).toEqual({
      data: { patients: { totalCount: x.ids('Patient', org, () => true).length, edges: [] } },
    });
    for (const args of ['first: -1', 'last: 2', 'before: "x"']) {
      const res = await gql(`{ patients(${args}) { edges { node { id } } } }`);
      expect(res, args).toMatchObject({
        data: { patients: null },
        errors: [{ path: ['patients'], extensions: { code: 'BAD_USER_INPUT' } }],
      });
    }
  });
});

describe('the printed schema', () => {
  it('matches the committed schema/schema.graphql (run `npx tsx src/graphql/print-schema.ts` after changes)', () => {
    expect(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8')).toBe(
      printSchemaSdl(),
    );
  });
});
