/**
 * After a bulk job, load + transform (dbt Core) serve exactly the resources the server held,
 * through REST and GraphQL; delivering the same export again changes nothing; resources the
 * server deleted (its `deleted` file → tombstones) leave the marts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudonym } from '../../src/pseudonyms';
import { transform } from '../../src/transform';
import { openRawWarehouse, openWarehouse, type Warehouse } from '../../src/warehouse';
import { createClient, openTestApp } from '../support/app';
import { cohortLines } from '../support/bulk-data-server';
import { type BulkHarness, openBulkHarness } from '../support/bulk-harness';
import { TEST_SALT } from '../support/cohort';

const ORG = 'org-1';
const TYPES = ['Patient', 'Encounter', 'Observation', 'Condition'];
const resources = cohortLines({ patients: 15, seed: 5 });
const idsOf = (type: string) => resources.get(type)!.map((l) => (JSON.parse(l) as { id: string }).id);
const token = (type: string, id: string) => pseudonym(TEST_SALT, ORG, type, id);

let h: BulkHarness;
beforeAll(async () => {
  h = await openBulkHarness({ server: { resources, auth: true }, env: { TOKEN_SALT: TEST_SALT } });
});
afterAll(() => h.close());

/** A bulk job, then the load and a dbt run of the API marts; returns the served warehouse. */
async function ingest(fullRefresh = false): Promise<Warehouse> {
  const raw = await openRawWarehouse(h.config);
  try {
    const result = await h.run({ types: TYPES }, { warehouse: raw });
    expect(result.ledger?.status).toBe('completed');
  } finally {
    await raw.close();
  }
  const lines: string[] = [];
  const code = await transform(h.config, {
    args: ['run', '--select', '+path:models/marts/api'],
    fullRefresh,
    output: (l) => lines.push(l),
  });
  if (code !== 0) throw new Error(lines.slice(-20).join('\n'));
  return openWarehouse(h.config);
}

/** What REST and GraphQL serve from `warehouse` (uncached), as ORG. */
async function served(warehouse: Warehouse) {
  const fhir = createClient(
    await openTestApp({ trust: 'headers', warehouse: { warehouse, salt: TEST_SALT }, cache: false }),
    ORG,
  );
  const rest = Object.fromEntries(
    await Promise.all(TYPES.map(async (t) => [t, (await fhir.walk(`${t}?_count=100`)).sort()] as const)),
  );
  const res = await fhir.graphql('{ patients(first: 100) { totalCount edges { node { id } } } }');
  const graphql = (await res.json()) as {
    data: { patients: { totalCount: number; edges: { node: { id: string } }[] } };
  };
  return { rest, graphql: graphql.data.patients, fhir };
}

const expected = (type: string) =>
  idsOf(type)
    .map((id) => token(type, id))
    .sort();

describe('a bulk job loaded and transformed', () => {
  it('serves exactly the resources the server held, through REST and GraphQL', async () => {
    const warehouse = await ingest();
    try {
      const s = await served(warehouse);
      for (const type of TYPES) expect(s.rest[type]).toEqual(expected(type));
      expect(s.graphql.totalCount).toBe(idsOf('Patient').length);
      expect(s.graphql.edges.map((e) => e.node.id).sort()).toEqual(expected('Patient'));
    } finally {
      await warehouse.close();
    }
  });

  it('serves each resource once after the same export is delivered again, and drops what the server deleted', async () => {
    const observation = idsOf('Observation')[3]!;
    const condition = idsOf('Condition')[0]!;
    h.server.remove('Observation', observation);
    h.server.remove('Condition', condition);
    const warehouse = await ingest(true);
    try {
      const s = await served(warehouse);
      for (const type of TYPES) expect(s.rest[type]).toEqual(expected(type));
      expect(s.rest.Observation).not.toContain(token('Observation', observation));
      expect((await s.fhir.call(`Observation/${token('Observation', observation)}`)).status).toBe(404);
      expect((await s.fhir.call(`Condition/${token('Condition', condition)}`)).status).toBe(404);
      expect(s.graphql.totalCount).toBe(idsOf('Patient').length);
    } finally {
      await warehouse.close();
    }
  });
});
