/**
 * The ingestion API end to end through the real app: a posted Bundle is checked, landed, loaded
 * and built by the local chain, and its resources come back through REST and GraphQL with the
 * ids and references the gateway serves; a transaction with one bad entry lands nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANDING_PREFIX } from '../../ingestion/landing/landing-keys';
import { pseudonym } from '../../src/pseudonyms';
import { openTestApp } from '../support/app';
import { createDoorsClient, type DoorsApp, patientBundle } from '../support/doors-client';

type Json = Record<string, unknown>;
let s: DoorsApp;
let org: string;

beforeAll(async () => {
  s = createDoorsClient(await openTestApp({ cohort: { patients: 4, orgs: 2, seed: 23 }, doors: true }));
  org = s.built.organizations[0]!;
}, 300_000);
afterAll(async () => {
  await s?.doors?.idle();
  await s?.close();
});

async function landedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of s.doors!.store.list(LANDING_PREFIX)) keys.push(o.key);
  return keys;
}

describe('POST /v1/ingestion/fhir/Bundle', () => {
  it('lands a transaction, carries it to transformed, and serves it through REST and GraphQL', async () => {
    const res = await s.postBundle(org, patientBundle('transaction', 1));
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as Json;
    const location = res.headers.get('content-location')!;
    expect(location).toBe(`http://127.0.0.1:4000/v1/ingestion/jobs/${accepted.id as string}`);
    expect(accepted).toMatchObject({
      kind: 'bundle',
      state: 'landed',
      counts: { received: 4, landed: 4, rejected: 0 },
    });
    const ids = Object.fromEntries(
      (accepted.resources as Json[]).map((r) => [r.resourceType as string, r.id as string]),
    );

    const job = await s.settle(org, location);
    expect(job).toMatchObject({
      state: 'transformed',
      counts: { received: 4, landed: 4, rejected: 0, quarantined: 0 },
    });
    expect((job.history as Json[]).map((h) => h.state)).toEqual([
      'accepted',
      'landed',
      'loaded',
      'transformed',
    ]);

    const patient = (await (await s.call(org, `/v1/fhir/Patient/${ids.Patient}`)).json()) as Json;
    expect(patient).toMatchObject({
      resourceType: 'Patient',
      id: ids.Patient,
      name: [{ family: 'Doorstep1', given: ['Ada'] }],
      managingOrganization: { reference: `Organization/${org}` },
    });
    const observation = (await (await s.call(org, `/v1/fhir/Observation/${ids.Observation}`)).json()) as Json;
    expect(observation).toMatchObject({
      subject: { reference: `Patient/${ids.Patient}` },
      encounter: { reference: `Encounter/${ids.Encounter}` },
    });
    const gql = await s.call(org, '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'query($id: ID!) { patient(id: $id) { id encounters { totalCount } observations { totalCount } conditions { totalCount } } }',
        variables: { id: ids.Patient },
      }),
    });
    expect(await gql.json()).toEqual({
      data: {
        patient: {
          id: ids.Patient,
          encounters: { totalCount: 1 },
          observations: { totalCount: 1 },
          conditions: { totalCount: 1 },
        },
      },
    });
    const other = s.built.organizations[1]!;
    expect((await s.call(other, `/v1/fhir/Patient/${ids.Patient}`)).status).toBe(404);
  }, 300_000); // waits on dbt builds (settle allows each 120 s)

  it('refuses a transaction with one bad entry whole, naming the entry, and lands nothing', async () => {
    const before = await landedKeys();
    const bundle = patientBundle('transaction', 2) as { entry: Json[] };
    delete (bundle.entry[2]!.resource as Json).code;
    const res = await s.postBundle(org, bundle);
    expect(res.status).toBe(422);
    const outcome = (await res.json()) as { issue: Json[] };
    expect(outcome.issue).toContainEqual(
      expect.objectContaining({
        code: 'structure',
        diagnostics: expect.stringMatching(
          /^entry 2 \(urn:uuid:00000003-0000-4000-8000-000000000002\): structure: Observation\.code/,
        ),
        expression: ['Bundle.entry[2].resource.code'],
      }),
    );
    expect(await landedKeys()).toEqual(before);
  });

  it('lands the good entries of a batch and reports each refused one by index and fullUrl', async () => {
    const bundle = patientBundle('batch', 3) as { entry: Json[] };
    (bundle.entry[1]!.resource as Json).status = 'bogus';
    const res = await s.postBundle(org, bundle);
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as Json;
    // The encounter is refused, and so are the two entries that reference it; the patient lands.
    expect(accepted).toMatchObject({ counts: { received: 4, landed: 1, rejected: 3 } });
    expect((accepted.outcome as { issue: Json[] }).issue.map((i) => i.diagnostics)).toEqual([
      expect.stringMatching(
        /^entry 1 \(urn:uuid:00000002-0000-4000-8000-000000000003\): structure: Encounter\.status/,
      ),
      expect.stringMatching(/^entry 2 \(urn:uuid:00000003-0000-4000-8000-000000000003\): not-found: /),
      expect.stringMatching(/^entry 3 \(urn:uuid:00000004-0000-4000-8000-000000000003\): not-found: /),
    ]);
    const job = await s.settle(org, res.headers.get('content-location')!);
    expect(job).toMatchObject({ state: 'completed-with-errors', reasons: { structure: 1, 'not-found': 2 } });
    expect(job.failure).toBeUndefined();
    const errors = await (await s.call(org, job.errorFile as string)).text();
    const records = errors
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(records.map((r) => [r.index, r.fullUrl, (r.outcome as Json).resourceType])).toEqual([
      [1, 'urn:uuid:00000002-0000-4000-8000-000000000003', 'OperationOutcome'],
      [2, 'urn:uuid:00000003-0000-4000-8000-000000000003', 'OperationOutcome'],
      [3, 'urn:uuid:00000004-0000-4000-8000-000000000003', 'OperationOutcome'],
    ]);
  }, 300_000); // waits on a dbt build
});

describe('a payload sent twice without an Idempotency-Key', () => {
  it('lands twice as versions, and the marts still serve each resource once', async () => {
    const bundle = patientBundle('batch', 7);
    const first = await s.postBundle(org, bundle);
    const second = await s.postBundle(org, bundle);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as { id: string; resources: Json[] }[];
    expect(b!.id).not.toBe(a!.id);
    expect(b!.resources).toEqual(a!.resources);
    for (const res of [first, second]) {
      expect(await s.settle(org, res.headers.get('content-location')!)).toMatchObject({
        state: 'transformed',
      });
    }
    const ids = Object.fromEntries(a!.resources.map((r) => [r.resourceType as string, r.id as string]));
    for (const [type, query] of [
      ['Patient', `_id=${ids.Patient}`],
      ['Encounter', `patient=${ids.Patient}`],
      ['Observation', `patient=${ids.Patient}`],
      ['Condition', `patient=${ids.Patient}`],
    ] as const) {
      const found = (await (await s.call(org, `/v1/fhir/${type}?${query}&_total=accurate`)).json()) as Json;
      expect({ type, total: found.total }).toEqual({ type, total: 1 });
    }
  }, 300_000); // waits on dbt builds (settle allows each 120 s)
});

describe('POST /v1/ingestion/upload-url', () => {
  it('carries an uploaded NDJSON file to transformed and serves its resources through REST', async () => {
    const resources = (patientBundle('collection', 5).entry as { resource: Json }[]).map((e) => e.resource);
    const [patient, encounter] = [
      { ...resources[0]!, id: 'upload-patient-5' },
      { ...resources[1]!, id: 'upload-encounter-5', subject: { reference: 'Patient/upload-patient-5' } },
    ];
    const body = `${JSON.stringify(patient)}\n${JSON.stringify(encounter)}\n`;
    const ticket = await s.uploadUrl(org, Buffer.byteLength(body));
    expect((await s.put(ticket.url, body)).status).toBe(200);
    const job = await s.settle(org, `/v1/ingestion/jobs/${ticket.job.id as string}`);
    expect(job).toMatchObject({
      kind: 'upload',
      state: 'transformed',
      counts: { received: 2, landed: 2, rejected: 0 },
    });
    const patientId = pseudonym(s.built.salt, org, 'Patient', 'upload-patient-5');
    const found = (await (await s.call(org, `/v1/fhir/Encounter?patient=${patientId}`)).json()) as {
      entry?: Json[];
    };
    expect(found.entry?.map((e) => (e.resource as Json).id)).toEqual([
      pseudonym(s.built.salt, org, 'Encounter', 'upload-encounter-5'),
    ]);
  }, 300_000); // waits on dbt builds (settle allows each 120 s)
});
