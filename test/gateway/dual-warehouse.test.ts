/**
 * The same cohort served from DuckDB and from Snowflake answers the same: a fixed set of REST and
 * GraphQL requests, compared status for status and body for body (ids, counts, order, resources
 * byte for byte), and every search walked to its end page by page.
 *
 * Snowflake is the stand-in (fakesnow on loopback, through snowflake-sdk and the gateway's own
 * adapter) unless `WAREHOUSE=snowflake` and `SNOWFLAKE_*` name a real account: then the second
 * block runs against it, unchanged (the account must hold this cohort's marts, built with
 * TEST_SALT; see README "Snowflake"), and is skipped otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Warehouse } from '../../src/warehouse';
import { createSnowflakeWarehouse } from '../../src/warehouse/snowflake-warehouse';
import { createClient, entryIds, openTestApp } from '../support/app';
import { buildTestWarehouse, type TestWarehouse } from '../support/cohort';
import {
  openStandinCohort,
  realSnowflakeConfig,
  type StandinCohort,
} from '../support/snowflake-standin/standin-cohort';

type Json = Record<string, unknown>;
const COHORT = { patients: 60, orgs: 2, seed: 23 };

/** Searches whose every page is compared; `{patient}` and friends are filled from the cohort. */
const SEARCHES = [
  'Patient?_count=7',
  'Patient?gender=female&_sort=birthdate,-_id&_total=accurate&_count=5',
  'Patient?birthdate=lt1975&_sort=-birthdate&_count=4',
  'Patient?name=a&_sort=family,given&_count=6',
  'Patient?_sort=-_lastUpdated&_count=9&_total=accurate',
  'Encounter?patient={patient}&_sort=-date&_count=3',
  'Encounter?date=ge2021-01-01&status=finished&_sort=date&_count=25&_total=accurate',
  'Observation?code=http://loinc.org|4548-4&value-quantity=gt6&_count=10&_total=accurate',
  'Observation?patient={patient}&_sort=date,-value-quantity&_count=8',
  'Observation?category=vital-signs&date=lt2022-06&_sort=-date&_count=30',
  'Condition?clinical-status=active&_sort=onset-date&_count=5&_total=accurate',
  'Condition?patient={patient}&_summary=count',
];

const NESTED = `query Nested($first: Int!) {
  patients(first: $first) {
    totalCount
    edges { cursor node { id resource
      encounters(first: 3) { totalCount edges { node { id resource
        observations(first: 2) { totalCount edges { node { id resource } } }
      } } }
      conditions(first: 2) { totalCount edges { node { id } } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Both doors (REST and GraphQL, uncached) over one warehouse, for one organization. */
async function doorsOver(warehouse: Warehouse, salt: string, org: string) {
  const rest = createClient(
    await openTestApp({ trust: 'headers', warehouse: { warehouse, salt }, cache: false }),
    org,
  );
  const graphql = async (query: string, variables: Json) => {
    const res = await rest.graphql(query, variables);
    return { status: res.status, body: await res.text() };
  };
  return { rest, graphql };
}

/** A body with the opaque cursors in links blanked: they sign the sort values as each dialect writes them. */
const withoutCursors = (text: string) => text.replace(/_cursor=[^"&]+/g, '_cursor=…');

function describeAgainst(
  name: string,
  open: (cohort: TestWarehouse) => Promise<StandinCohort | { warehouse: Warehouse; close(): Promise<void> }>,
) {
  describe(name, () => {
    let cohort: TestWarehouse;
    let snowflake: { warehouse: Warehouse; close(): Promise<void> };
    let org: string;
    let other: string;
    let duck: Awaited<ReturnType<typeof doorsOver>>;
    let snow: Awaited<ReturnType<typeof doorsOver>>;
    let fill: (path: string) => string;

    beforeAll(async () => {
      cohort = await buildTestWarehouse(COHORT);
      snowflake = await open(cohort);
      [org, other] = cohort.organizations as [string, string];
      duck = await doorsOver(cohort.warehouse, cohort.salt, org);
      snow = await doorsOver(snowflake.warehouse, cohort.salt, org);
      const patients = entryIds(await duck.rest.bundle('Patient?_count=3&_sort=_id'));
      fill = (path) => path.replace('{patient}', patients[1]!);
    });
    afterAll(async () => {
      await snowflake?.close();
      await cohort?.close();
    });

    it('reads the same resources byte for byte, and answers 404 alike for another organization’s id', async () => {
      expect([cohort.warehouse.dialect, snowflake.warehouse.dialect]).toEqual(['duckdb', 'snowflake']);
      const ids = entryIds(await duck.rest.bundle('Patient?_count=5&_sort=_id'));
      const foreign = entryIds(
        await (await doorsOver(cohort.warehouse, cohort.salt, other)).rest.bundle('Patient?_count=1'),
      );
      expect(ids).toHaveLength(5);
      for (const path of [
        ...ids.map((id) => `Patient/${id}`),
        `Patient/${foreign[0]}`,
        'Encounter/no-such-id',
      ]) {
        const [a, b] = await Promise.all([duck.rest.call(path), snow.rest.call(path)]);
        expect({ path, status: b.status, body: await b.text() }).toEqual({
          path,
          status: a.status,
          body: await a.text(),
        });
      }
    });

    it.each(SEARCHES)('answers %s with the same bundles, page by page', async (template) => {
      const path = fill(template);
      const [a, b] = await Promise.all([duck.rest.call(path), snow.rest.call(path)]);
      const body = await a.text();
      expect(a.status).toBe(200);
      expect(JSON.parse(body).total ?? JSON.parse(body).entry?.length ?? 0).toBeGreaterThan(0);
      expect(withoutCursors(await b.text())).toBe(withoutCursors(body));
      if (path.includes('_summary=count')) return;
      const [walkedDuck, walkedSnow] = await Promise.all([duck.rest.walk(path), snow.rest.walk(path)]);
      expect(walkedSnow).toEqual(walkedDuck);
      expect(new Set(walkedDuck).size).toBe(walkedDuck.length);
    });

    it('answers the nested GraphQL query (patients → encounters → observations) the same', async () => {
      const [a, b] = await Promise.all([
        duck.graphql(NESTED, { first: 6 }),
        snow.graphql(NESTED, { first: 6 }),
      ]);
      expect(a.status).toBe(200);
      expect(JSON.parse(a.body).errors).toBeUndefined();
      expect(JSON.parse(a.body).data.patients.edges).toHaveLength(6);
      expect(withoutCursors(b.body)).toBe(withoutCursors(a.body));
    });
  });
}

describeAgainst('DuckDB and the Snowflake stand-in', (cohort) => openStandinCohort(cohort));

const real = realSnowflakeConfig();
describe.skipIf(!real)('with SNOWFLAKE_* naming a real account', () => {
  describeAgainst('DuckDB and the real Snowflake account', async () => {
    const warehouse = createSnowflakeWarehouse(real!);
    return { warehouse, close: () => warehouse.close() };
  });
});
