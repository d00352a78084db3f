import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encounterSearch } from '../../resolvers';
import { parseSearchRequest } from '../fhir/search-request';
import { createDuckDbWarehouse, type Warehouse } from '../warehouse';
import { createOrgRepository } from './org-repository';

let warehouse: Warehouse;
beforeEach(async () => {
  warehouse = await createDuckDbWarehouse({ path: ':memory:' });
  await warehouse.execute(`create schema api;
    create table api.fct_encounter_api (organization_id varchar, id varchar, patient_id varchar,
      status varchar, period_start timestamp, period_end timestamp, last_updated timestamp, resource varchar)`);
});
afterEach(() => warehouse.close());

/** Every id of `params`, following the repository's cursors page by page. */
async function walk(org: string, params: [string, string][]): Promise<string[]> {
  const repository = createOrgRepository({ warehouse, organizationId: org, salt: 'salt' });
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const request = parseSearchRequest(encounterSearch, cursor ? [...params, ['_cursor', cursor]] : params);
    const page = await repository.search(request);
    ids.push(...page.rows.map((r) => r.id));
    if (!page.next) return ids;
    cursor = repository.encodeCursor(request, page.next);
  }
  throw new Error('paging did not end');
}

describe('keyset paging', () => {
  it('returns every row exactly once when sort values differ below the millisecond or tie', async () => {
    const times = ['.000100', '.000200', '.000200', '.000300', '.000900', '.001000'];
    for (const [i, fraction] of times.entries()) {
      await warehouse.query(
        `insert into api.fct_encounter_api (organization_id, id, patient_id, last_updated, resource)
         values ('org-a', ?, 'p', cast(? as timestamp), '{}')`,
        [`e${i}`, `2024-05-01 10:00:00${fraction}`],
      );
    }
    const ascending = await walk('org-a', [
      ['_sort', '_lastUpdated'],
      ['_count', '1'],
    ]);
    expect(ascending).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    const descending = await walk('org-a', [
      ['_sort', '-_lastUpdated'],
      ['_count', '2'],
    ]);
    expect(descending).toEqual(['e5', 'e4', 'e3', 'e1', 'e2', 'e0']);
  });

  it('keeps rows without a sort value at the end, once', async () => {
    for (const [id, start] of [
      ['a', null],
      ['b', '2024-01-01 00:00:00.5'],
      ['c', null],
      ['d', '2023-01-01 00:00:00'],
    ] as const) {
      await warehouse.query(
        `insert into api.fct_encounter_api (organization_id, id, period_start, resource)
         values ('org-a', ?, cast(? as timestamp), '{}')`,
        [id, start],
      );
    }
    expect(
      await walk('org-a', [
        ['_sort', 'date'],
        ['_count', '1'],
      ]),
    ).toEqual(['d', 'b', 'a', 'c']);
    expect(
      await walk('org-a', [
        ['_sort', '-date'],
        ['_count', '3'],
      ]),
    ).toEqual(['b', 'd', 'a', 'c']);
    expect(await walk('org-b', [['_sort', 'date']])).toEqual([]);
  });
});
