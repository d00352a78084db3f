/**
 * The Bulk Data `$export` service through the real app: what it exports is exactly what REST
 * serves the caller's organization (the same JSON, token ids and references), filtered by
 * `_type`, `_typeFilter`, `_since` and the token's scopes; output files split at the size
 * limit; status reports progress; cancel and expiry remove the files.
 * See: https://hl7.org/fhir/uv/bulkdata/export.html
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../src/fhir/search-parameters';
import { openTestApp } from '../support/app';
import { awaitExport, createDoorsClient, type DoorsApp, downloadAll, kickOff } from '../support/doors-client';

type Json = Record<string, unknown>;
type Manifest = { output: { type: string; url: string; count: number }[]; [k: string]: unknown };
const COHORT = { patients: 12, orgs: 2, seed: 31 };
let s: DoorsApp;
let org: string;
let other: string;

beforeAll(async () => {
  s = createDoorsClient(
    await openTestApp({ cohort: COHORT, doors: true, env: { EXPORT_FILE_MAX_BYTES: '20000' } }),
  );
  [org, other] = s.built.organizations as [string, string];
}, 300_000);
afterAll(async () => {
  await s?.close();
});

/** Every resource REST returns for `type` under `query`, as the exact JSON text, by id. */
async function restResources(type: string, query = '', as = org): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let url: string | undefined = `/v1/fhir/${type}?_count=1000${query}`;
  while (url) {
    const bundle = (await (await s.call(as, url)).json()) as Json;
    for (const e of (bundle.entry as Json[] | undefined) ?? []) {
      const id = (e.resource as Json).id as string;
      out.set(id, await (await s.call(as, `/v1/fhir/${type}/${id}`)).text());
    }
    url = ((bundle.link as Json[]).find((l) => l.relation === 'next')?.url as string | undefined)?.replace(
      /^https?:\/\/[^/]+/,
      '',
    );
  }
  return out;
}

async function exportOf(query: string, as = org, scopes?: string[]) {
  const res = await kickOff(s, as, query, {}, scopes);
  expect(res.status).toBe(202);
  const done = await awaitExport(s, as, res.headers.get('content-location')!);
  expect(done.status).toBe(200);
  const manifest = (await done.json()) as Manifest;
  return {
    manifest,
    lines: await downloadAll(s, as, manifest),
    location: res.headers.get('content-location')!,
  };
}

describe('GET /v1/export/$export', () => {
  it('exports every resource REST serves the organization, byte for byte, in files split at the size limit', async () => {
    const { manifest, lines, location } = await exportOf('');
    expect(location).toMatch(/^http:\/\/127\.0\.0\.1:4000\/v1\/export\/jobs\/[0-9a-f-]{36}$/);
    expect(manifest).toMatchObject({
      transactionTime: expect.any(String),
      request: 'http://127.0.0.1:4000/v1/export/$export',
      requiresAccessToken: true,
      error: [],
    });
    expect(manifest).not.toHaveProperty('deleted');
    for (const type of RESOURCE_TYPES) {
      const rest = await restResources(type);
      const exported = lines.get(type) ?? [];
      expect({ type, ids: exported.map((l) => (JSON.parse(l) as Json).id).sort() }).toEqual({
        type,
        ids: [...rest.keys()].sort(),
      });
      for (const line of exported) expect(line).toBe(rest.get((JSON.parse(line) as Json).id as string));
      const files = manifest.output.filter((f) => f.type === type);
      expect(files.reduce((n, f) => n + f.count, 0)).toBe(rest.size);
    }
    // 20 kB files: the larger types come in several.
    expect(manifest.output.filter((f) => f.type === 'Observation').length).toBeGreaterThan(1);
  });

  it('exports only _type, filtered by _typeFilter with the same search parameters as REST', async () => {
    const code = encodeURIComponent('Observation?code=http://loinc.org|4548-4');
    const { manifest, lines } = await exportOf(`?_type=Patient,Observation&_typeFilter=${code}`);
    expect([...new Set(manifest.output.map((f) => f.type))].sort()).toEqual(['Observation', 'Patient']);
    const rest = await restResources('Observation', '&code=http://loinc.org|4548-4');
    expect(rest.size).toBeGreaterThan(0);
    expect((lines.get('Observation') ?? []).map((l) => (JSON.parse(l) as Json).id).sort()).toEqual(
      [...rest.keys()].sort(),
    );
  });

  it('takes the kick-off as POST Parameters, and _since exports list deleted (an empty list)', async () => {
    const res = await kickOff(s, org, '', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          { name: '_type', valueString: 'Condition' },
          { name: '_since', valueInstant: '2000-01-01T00:00:00Z' },
        ],
      }),
    });
    expect(res.status).toBe(202);
    const manifest = (await (
      await awaitExport(s, org, res.headers.get('content-location')!)
    ).json()) as Manifest;
    expect(manifest).toMatchObject({ deleted: [], request: expect.stringContaining('_since=2000-01-01T00') });
    expect(manifest.output.map((f) => f.type)).toEqual(expect.arrayContaining(['Condition']));
    expect(new Set(manifest.output.map((f) => f.type))).toEqual(new Set(['Condition']));
  });

  it('exports only the types the token may read and search, and refuses a _type it may not', async () => {
    const { manifest } = await exportOf('', org, ['system/Patient.rs']);
    expect(new Set(manifest.output.map((f) => f.type))).toEqual(new Set(['Patient']));
    const refused = await kickOff(s, org, '?_type=Observation', {}, ['system/Patient.rs']);
    expect(refused.status).toBe(403);
  });

  it('refuses a kick-off without Prefer: respond-async, unknown types, formats and filters with 400', async () => {
    const noPrefer = await s.call(org, '/v1/export/$export');
    expect(noPrefer.status).toBe(400);
    for (const query of [
      '?_type=Medication',
      '?_outputFormat=text/csv',
      '?_typeFilter=Patient%3Fnope%3D1',
      '?_since=yesterday',
    ]) {
      const res = await kickOff(s, org, query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(((await res.json()) as Json).resourceType).toBe('OperationOutcome');
    }
  });

  it('exports at Patient level too', async () => {
    const res = await s.call(org, '/v1/export/Patient/$export?_type=Patient', {
      headers: { prefer: 'respond-async' },
    });
    expect(res.status).toBe(202);
    const manifest = (await (
      await awaitExport(s, org, res.headers.get('content-location')!)
    ).json()) as Manifest;
    expect(manifest.request).toBe('http://127.0.0.1:4000/v1/export/Patient/$export?_type=Patient');
    expect(manifest.output.reduce((n, f) => n + f.count, 0)).toBe((await restResources('Patient')).size);
  });
});

describe('export jobs', () => {
  it('answers another organization exactly as a missing export: status, files and DELETE are 404', async () => {
    const { manifest, location } = await exportOf('?_type=Patient');
    const missing = location.replace(/[0-9a-f-]{36}$/, '00000000-0000-4000-8000-000000000000');
    for (const url of [location, manifest.output[0]!.url]) {
      const foreign = await s.call(other, url);
      const absent = await s.call(org, url.replace(location, missing));
      expect([foreign.status, await foreign.text()]).toEqual([absent.status, await absent.text()]);
      expect(foreign.status).toBe(404);
    }
    expect((await s.call(other, location, { method: 'DELETE' })).status).toBe(404);
    expect((await s.call(org, manifest.output[0]!.url)).status).toBe(200);
  });

  it('cancels with DELETE and removes every file', async () => {
    const { manifest, location } = await exportOf('');
    const id = location.split('/').pop()!;
    const files = async () => {
      const keys: string[] = [];
      for await (const o of s.doors!.store.list(`jobs/export/org=${org}/${id}/`)) keys.push(o.key);
      return keys;
    };
    expect((await files()).length).toBe(manifest.output.length + 1);
    expect((await s.call(org, location, { method: 'DELETE' })).status).toBe(202);
    expect(await files()).toEqual([]);
    expect((await s.call(org, location)).status).toBe(404);
    expect((await s.call(org, manifest.output[0]!.url)).status).toBe(404);
  });

  it('reports progress with X-Progress and Retry-After while running, and cancels a running export', async () => {
    const res = await kickOff(s, org, '');
    const location = res.headers.get('content-location')!;
    const status = await s.call(org, location);
    if (status.status === 202) {
      expect(status.headers.get('x-progress')).toMatch(/^\d{1,3}%$/);
      expect(Number(status.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } else {
      expect(status.status).toBe(200);
    }
    expect((await s.call(org, location, { method: 'DELETE' })).status).toBe(202);
    await s.doors!.idle();
    const keys: string[] = [];
    for await (const o of s.doors!.store.list(`jobs/export/org=${org}/${location.split('/').pop()}/`))
      keys.push(o.key);
    expect(keys).toEqual([]);
  });
});

describe('export limits', () => {
  let limited: DoorsApp;
  beforeAll(async () => {
    limited = createDoorsClient(
      await openTestApp({
        cohort: COHORT,
        doors: true,
        env: {
          EXPORT_MAX_CONCURRENT_PER_ORG: '1',
          EXPORT_FILE_TTL_SECONDS: '1',
        },
      }),
    );
  }, 300_000);
  afterAll(async () => {
    await limited?.doors?.idle();
  });

  it('answers a second concurrent export of one organization with 429 and Retry-After, not another organization', async () => {
    const first = await kickOff(limited, org, '');
    const second = await kickOff(limited, org, '');
    const elsewhere = await kickOff(limited, other, '?_type=Patient');
    expect(first.status).toBe(202);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(elsewhere.status).toBe(202);
    await limited.doors!.idle();
  });

  it('lets files expire: after the TTL the export and its files are gone', async () => {
    const res = await kickOff(limited, org, '?_type=Patient');
    const location = res.headers.get('content-location')!;
    const done = await awaitExport(limited, org, location);
    const manifest = (await done.json()) as Manifest;
    expect(done.headers.get('expires')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await limited.call(org, manifest.output[0]!.url)).status).toBe(404);
    expect((await limited.call(org, location)).status).toBe(404);
    const keys: string[] = [];
    for await (const o of limited.doors!.store.list(`jobs/export/org=${org}/${location.split('/').pop()}/`))
      keys.push(o.key);
    expect(keys).toEqual([]);
  });
});
