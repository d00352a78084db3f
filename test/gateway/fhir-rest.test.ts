import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOLVERS } from '../../resolvers';
import { RESOURCE_TYPES } from '../../src/fhir/search-parameters';
import { BASE, type CallInit, createClient, entryIds, link, openTestApp } from '../support/app';
import { buildTestWarehouse, type TestWarehouse } from '../support/cohort';
import { createExpectations } from './expectations';

type Json = Record<string, unknown>;
let tw: TestWarehouse;
let x: ReturnType<typeof createExpectations>;
let org: string;
let other: string;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  tw = await buildTestWarehouse({ patients: 40, orgs: 2, seed: 7 });
  x = createExpectations(tw);
  [org, other] = tw.organizations as [string, string];
  client = createClient(await openTestApp({ trust: 'headers', warehouse: tw }), org);
});
afterAll(() => tw.close());

const call = (path: string, init?: CallInit) => client.call(path, init);
const json = async (res: Response) => (await res.json()) as Json;

describe('reads', () => {
  it('returns the served resource byte for byte as application/fhir+json', async () => {
    const id = x.ids('Patient', org, () => true)[0]!;
    const res = await call(`Patient/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const [stored] = await tw.warehouse.query('select resource from api.dim_patient_api where id = ?', [id]);
    expect(await res.text()).toBe(stored!.resource);
  });

  it("answers another organization's id exactly as a missing one", async () => {
    const foreign = x.ids('Patient', other, () => true)[0]!;
    const a = await call(`Patient/${foreign}`);
    const b = await call('Patient/doesnotexist0000');
    expect([a.status, b.status]).toEqual([404, 404]);
    const [ta, tb] = [await a.text(), await b.text()];
    expect(ta.replace(foreign, 'X')).toBe(tb.replace('doesnotexist0000', 'X'));
    expect(JSON.parse(ta)).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'not-found' }],
    });
  });

  it('refuses a read without the read scope of that type with 403', async () => {
    const id = x.ids('Observation', org, () => true)[0]!;
    const res = await call(`Observation/${id}`, { scope: 'system/Patient.rs' });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ issue: [{ code: 'forbidden' }] });
    expect((await call('Observation?code=x', { scope: 'system/Observation.r' })).status).toBe(403);
  });
});

describe('search results', () => {
  it('walks every result exactly once through next links, honouring _count', async () => {
    const want = x.ids('Observation', org, () => true);
    const seen: string[] = [];
    let url: string | undefined = `${BASE}/Observation?_count=7&_sort=-date`;
    let pages = 0;
    while (url) {
      const b = await json(await call(url.slice(BASE.length + 1)));
      const ids = entryIds(b);
      expect(ids.length).toBeLessThanOrEqual(7);
      seen.push(...ids);
      url = link(b, 'next');
      pages++;
    }
    expect(pages).toBe(Math.ceil(want.length / 7));
    expect([...seen].sort()).toEqual(want);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('orders by the requested keys with id as a stable tie-break', async () => {
    const b = await json(await call('Patient?_sort=gender,-birthdate&_count=1000'));
    const rows = ((b.entry as Json[]) ?? []).map((e) => e.resource as Json);
    const key = (r: Json) => [r.gender as string, r.birthDate as string, r.id as string] as const;
    const expected = [...rows].sort((p, q) => {
      const [g1, d1, i1] = key(p);
      const [g2, d2, i2] = key(q);
      return g1.localeCompare(g2) || d2.localeCompare(d1) || (i1 < i2 ? -1 : 1);
    });
    expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(rows).toHaveLength(x.ids('Patient', org, () => true).length);
  });

  it('builds a searchset with absolute fullUrls, match mode, self and next links and the total when asked', async () => {
    const b = await json(await call('Encounter?status=finished&_count=2&_total=accurate&unknown=1'));
    const total = x.ids('Encounter', org, (e) => e.status === 'finished').length;
    expect(b).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total });
    const entry = (b.entry as Json[])[0]!;
    expect(entry).toMatchObject({
      search: { mode: 'match' },
      fullUrl: `${BASE}/Encounter/${(entry.resource as Json).id}`,
    });
    expect(link(b, 'self')).toBe(`${BASE}/Encounter?status=finished&_total=accurate&_count=2`);
    expect(link(b, 'next')).toMatch(
      new RegExp(`^${BASE}/Encounter\\?status=finished&_total=accurate&_count=2&_cursor=`),
    );
  });

  it('answers _summary=count with the total and no entries', async () => {
    const b = await json(await call('Condition?_summary=count'));
    expect(b.total).toBe(x.ids('Condition', org, () => true).length);
    expect(b.entry).toBeUndefined();
  });

  it('clamps _count to 1000 and refuses a malformed _count, _sort or _total with 400', async () => {
    const b = await json(await call('Patient?_count=100000'));
    expect(link(b, 'self')).toContain('_count=1000');
    for (const q of [
      '_count=-1',
      '_count=abc',
      '_sort=resource',
      '_total=maybe',
      'birthdate=yesterday',
      'name:fuzzy=x',
    ]) {
      const res = await call(`Patient?${q}`);
      expect(res.status, q).toBe(400);
      expect(await json(res)).toMatchObject({
        resourceType: 'OperationOutcome',
        issue: [{ code: 'invalid' }],
      });
    }
  });

  it('refuses unknown parameters under Prefer: handling=strict', async () => {
    expect((await call('Patient?foo=bar')).status).toBe(200);
    expect((await call('Patient?foo=bar', { headers: { Prefer: 'handling=strict' } })).status).toBe(400);
  });

  it("refuses another organization's cursor, another query's cursor and a forged one", async () => {
    const next = link(await json(await call('Observation?_count=3')), 'next')!;
    const cursor = new URL(next).searchParams.get('_cursor')!;
    expect((await call(`Observation?_count=3&_cursor=${cursor}`)).status).toBe(200);
    expect((await call(`Observation?_count=3&_cursor=${cursor}`, { org: other })).status).toBe(400);
    expect((await call(`Observation?_count=3&code=x&_cursor=${cursor}`)).status).toBe(400);
    expect((await call(`Observation?_count=3&_cursor=${cursor.slice(0, -2)}AA`)).status).toBe(400);
  });

  it("never returns another organization's rows", async () => {
    const b = await json(await call('Patient?_count=1000'));
    expect(entryIds(b).sort()).toEqual(x.ids('Patient', org, () => true));
  });
});

describe('HTTP semantics', () => {
  it('searches with POST _search and a form body, merged with the query string', async () => {
    const res = await call('Encounter/_search?_count=1000', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'status=in-progress',
    });
    expect(res.status).toBe(200);
    expect(entryIds(await json(res)).sort()).toEqual(
      x.ids('Encounter', org, (e) => e.status === 'in-progress'),
    );
  });

  it('answers 415 for another body type, 405 for other methods, 406 for a non-JSON Accept, 404 for unknown types', async () => {
    const post = await call('Encounter/_search', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(415);
    const del = await call('Patient/abc', { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD');
    expect((await call('Patient', { method: 'PUT' })).status).toBe(405);
    expect((await call('Patient', { headers: { Accept: 'application/xml' } })).status).toBe(406);
    expect((await call('Patient', { headers: { Accept: 'application/fhir+json' } })).status).toBe(200);
    expect((await call('Medication/abc')).status).toBe(404);
  });

  it('publishes a CapabilityStatement derived from the search-parameter definitions, without a token', async () => {
    const res = await call('metadata', { org: '' });
    expect(res.status).toBe(200);
    const cs = await json(res);
    const resources = (cs.rest as Json[])[0]!.resource as Json[];
    expect(resources.map((r) => r.type)).toEqual([...RESOURCE_TYPES]);
    for (const r of resources) {
      const names = (r.searchParam as Json[]).map((p) => p.name);
      expect(names).toEqual(
        expect.arrayContaining(RESOLVERS[r.type as 'Patient'].definition.params.map((p) => p.name)),
      );
      expect(r.interaction).toEqual([{ code: 'read' }, { code: 'search-type' }]);
      expect(r.searchInclude).toBeUndefined();
    }
  });
});
