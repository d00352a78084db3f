/**
 * FHIR R4 conformance details of the REST door, against a generated cohort: content negotiation,
 * read headers, result parameters, modifiers and paging under ties.
 * See: https://hl7.org/fhir/R4/http.html and https://hl7.org/fhir/R4/search.html
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, createClient, entryIds, link, openTestApp } from '../support/app';
import { buildTestWarehouse, type RawResource, type TestWarehouse } from '../support/cohort';
import { codings, createExpectations, dateMatches, implicitRange } from './expectations';

type Json = Record<string, unknown>;
let tw: TestWarehouse;
let x: ReturnType<typeof createExpectations>;
let org: string;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  tw = await buildTestWarehouse({ patients: 40, orgs: 2, seed: 7 });
  x = createExpectations(tw);
  org = tw.organizations[0]!;
  client = createClient(await openTestApp({ trust: 'headers', warehouse: tw }), org);
});
afterAll(() => tw.close());

const call = (path: string, init?: RequestInit) => client.call(path, init);
const bundle = (path: string) => client.bundle(path);
const walk = (path: string) => client.walk(path);

describe('content negotiation', () => {
  it('lets _format override Accept: JSON forms are served, XML and unknown forms are 406', async () => {
    const xmlAccept = { Accept: 'application/fhir+xml' };
    for (const format of ['json', 'application/json', 'application/fhir+json', 'application/fhir json']) {
      const res = await call(`Patient?_count=1&_format=${encodeURIComponent(format)}`, {
        headers: xmlAccept,
      });
      expect(res.status, format).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    }
    for (const format of ['xml', 'application/fhir+xml', 'text/xml', 'ttl']) {
      const res = await call(`Patient?_count=1&_format=${encodeURIComponent(format)}`);
      expect(res.status, format).toBe(406);
      expect(await res.json()).toMatchObject({ issue: [{ code: 'not-supported' }] });
    }
  });

  it('accepts */*, application/json and FHIR JSON with parameters, and refuses what excludes JSON', async () => {
    for (const accept of [
      '*/*',
      'application/json',
      'application/fhir+json; fhirVersion=4.0',
      'text/html, */*;q=0.8',
    ]) {
      expect((await call('metadata', { headers: { Accept: accept } })).status, accept).toBe(200);
    }
    for (const accept of ['application/xml', 'text/html', 'application/json;q=0']) {
      expect((await call('metadata', { headers: { Accept: accept } })).status, accept).toBe(406);
    }
  });
});

describe('reads', () => {
  it('sends Last-Modified from meta.lastUpdated and no ETag, since resources carry no versionId', async () => {
    const id = x.ids('Patient', org, () => true)[0]!;
    const res = await call(`Patient/${id}`);
    const resource = (await res.json()) as { meta: { lastUpdated: string; versionId?: string } };
    expect(resource.meta.versionId).toBeUndefined();
    expect(res.headers.get('last-modified')).toBe(new Date(resource.meta.lastUpdated).toUTCString());
    expect(res.headers.get('etag')).toBeNull();
  });

  it('answers If-Modified-Since with 304 and no body when unchanged since, else the resource', async () => {
    const id = x.ids('Observation', org, () => true)[0]!;
    const modified = (await call(`Observation/${id}`)).headers.get('last-modified')!;
    const unchanged = await call(`Observation/${id}`, { headers: { 'If-Modified-Since': modified } });
    expect([unchanged.status, await unchanged.text()]).toEqual([304, '']);
    expect(unchanged.headers.get('last-modified')).toBe(modified);
    const earlier = new Date(Date.parse(modified) - 1000).toUTCString();
    const changed = await call(`Observation/${id}`, { headers: { 'If-Modified-Since': earlier } });
    expect(changed.status).toBe(200);
    expect((await changed.json()) as Json).toMatchObject({ resourceType: 'Observation', id });
  });

  it('answers HEAD like GET without a body, and names HEAD in Allow', async () => {
    const id = x.ids('Encounter', org, () => true)[0]!;
    const head = await call(`Encounter/${id}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    expect(await head.text()).toBe('');
    const del = await call(`Encounter/${id}`, { method: 'DELETE' });
    expect([del.status, del.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});

describe('result parameters', () => {
  it('answers _count=0 with the total, no entries and no next link', async () => {
    const b = await bundle('Observation?_count=0&status=final');
    expect(b).toMatchObject({
      resourceType: 'Bundle',
      type: 'searchset',
      total: x.ids('Observation', org, (o) => o.status === 'final').length,
    });
    expect(b.entry).toBeUndefined();
    expect(link(b, 'next')).toBeUndefined();
  });

  it('writes a self link that reproduces the query it ran: unknown, chained, _include and empty parameters dropped', async () => {
    const b = await bundle(
      'Observation?code:missing=false&foo=bar&patient.name=x&_include=Observation:patient&status=&_sort=-date&_count=2',
    );
    expect(link(b, 'self')).toBe(`${BASE}/Observation?code%3Amissing=false&_sort=-date&_count=2`);
    const again = await bundle(link(b, 'self')!.slice(BASE.length + 1));
    expect(entryIds(again)).toEqual(entryIds(b));
  });

  it.each([
    ['Patient?_sort=gender&_count=3', 'Patient'],
    ['Encounter?_sort=status,-_lastUpdated&_count=4', 'Encounter'],
    ['Observation?_sort=code&_count=9', 'Observation'],
  ])('pages %s exactly once though the sort key has many ties', async (path, type) => {
    const ids = await walk(path);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(x.ids(type, org, () => true));
  });
});

describe('_lastUpdated', () => {
  it.each([
    ['Encounter', 'ge2023-01-01'],
    ['Observation', 'lt2021-06'],
    ['Patient', 'sa2025-06-15'],
    ['Condition', 'eq2022'],
  ] as const)('matches %s?_lastUpdated=%s on meta.lastUpdated', async (type, value) => {
    const [start, end] = implicitRange(value.slice(2));
    const want = x.ids(type, org, (r) => {
      const t = Date.parse((r.meta as Json).lastUpdated as string);
      return dateMatches(value.slice(0, 2), start, end, t, t);
    });
    expect(want.length).toBeGreaterThan(0);
    expect([...(await walk(`${type}?_lastUpdated=${value}&_count=1000`))].sort()).toEqual(want);
  });
});

describe('modifiers', () => {
  const quantity = (o: RawResource) => (o.valueQuantity as Json | undefined)?.value;
  it.each([
    ['Observation?value-quantity:missing=true', 'Observation', (o: RawResource) => quantity(o) === undefined],
    [
      'Observation?value-quantity:missing=false',
      'Observation',
      (o: RawResource) => quantity(o) !== undefined,
    ],
    ['Condition?encounter:missing=false', 'Condition', (c: RawResource) => !!c.encounter],
    [
      'Encounter?date:missing=false',
      'Encounter',
      (e: RawResource) => !!(e.period as Json | undefined)?.start,
    ],
    ['Patient?gender:not=male', 'Patient', (p: RawResource) => p.gender !== 'male'],
    [
      'Patient?gender:not=male,other',
      'Patient',
      (p: RawResource) => !['male', 'other'].includes(p.gender as string),
    ],
    [
      `Observation?category:not=${encodeURIComponent('http://terminology.hl7.org/CodeSystem/observation-category|laboratory')}`,
      'Observation',
      (o: RawResource) =>
        !codings(o.category).some(
          ([s, c]) =>
            s === 'http://terminology.hl7.org/CodeSystem/observation-category' && c === 'laboratory',
        ),
    ],
  ] as const)('%s', async (path, type, predicate) => {
    const want = x.ids(type, org, predicate);
    expect(want.length).toBeGreaterThan(0);
    const got = await walk(`${path}&_count=1000`);
    expect([...got].sort()).toEqual(want);
  });

  it('finds no one by :exact with a bar inside the value', async () => {
    const p = x.resources('Patient', org)[0]!.resource;
    const given = ((p.name as Json[])[0]!.given as string[]) ?? [];
    expect(given.length).toBeGreaterThan(1);
    const value = encodeURIComponent(given.slice(0, 2).join('\\|'));
    expect(entryIds(await bundle(`Patient?given:exact=${value}`))).toEqual([]);
  });
});
