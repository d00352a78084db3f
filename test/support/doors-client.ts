/**
 * A small client for the partner doors (ingestion and export) of a test app opened with
 * `openTestApp({ cohort, doors: true })`, calling with dev-issuer tokens (write scopes by default).
 */
import type { TokenApp } from './app';

type Json = Record<string, unknown>;

export const WRITE_SCOPES = ['system/*.cruds'];

export function createDoorsClient(real: TokenApp) {
  const tokens = new Map<string, string>();
  const token = async (org: string, scopes = WRITE_SCOPES) => {
    const key = `${org} ${scopes.join(' ')}`;
    if (!tokens.has(key)) tokens.set(key, await real.token(org, [...scopes]));
    return tokens.get(key)!;
  };
  const local = (url: string) => url.replace(real.config.server.baseUrl, '');
  /** Calls the app as `org` (absolute URLs of this gateway are accepted). */
  const call = async (org: string, url: string, init: RequestInit = {}, scopes?: string[]) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${await token(org, scopes)}`);
    return real.app.request(local(url), { ...init, headers });
  };
  const postBundle = (org: string, bundle: unknown, headers: Record<string, string> = {}) =>
    call(org, '/v1/ingestion/fhir/Bundle', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', ...headers },
      body: typeof bundle === 'string' ? bundle : JSON.stringify(bundle),
    });
  /** Polls a job until it leaves the in-flight states; returns its last view. */
  const settle = async (
    org: string,
    location: string,
    until = ['transformed', 'completed-with-errors', 'failed'],
    timeoutMs = 120_000,
  ): Promise<Json> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = (await (await call(org, location)).json()) as Json;
      if (until.includes(job.state as string)) return job;
      if (Date.now() > deadline) throw new Error(`job still ${job.state as string}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** Asks for an upload URL as `org`; returns the ticket (throws unless 201). */
  const uploadUrl = async (org: string, size: number, scopes?: string[]) => {
    const res = await call(
      org,
      '/v1/ingestion/upload-url',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contentType: 'application/fhir+ndjson', size }),
      },
      scopes,
    );
    if (res.status !== 201) throw new Error(`upload-url: ${res.status} ${await res.text()}`);
    return (await res.json()) as { url: string; expiresAt: string; maxBytes: number; job: Json };
  };
  /** PUTs a body to a presigned URL, with no bearer token (the URL is the credential). */
  const put = (url: string, body: string, contentType = 'application/fhir+ndjson') =>
    real.app.request(local(url), {
      method: 'PUT',
      headers: { 'content-type': contentType },
      body,
    });
  return { ...real, token, call, postBundle, settle, uploadUrl, put };
}

export type DoorsApp = ReturnType<typeof createDoorsClient>;

/** A transaction Bundle of one new patient with an encounter, an observation and a condition, linked by urn:uuid. */
export function patientBundle(type: 'transaction' | 'batch' | 'collection', n = 0): Json {
  const uuid = (k: number) => `${String(k).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const [p, e, o, c] = [1, 2, 3, 4].map((k) => `urn:uuid:${uuid(k)}`);
  const request = type === 'collection' ? undefined : (t: string) => ({ method: 'POST', url: t });
  const entry = (fullUrl: string, resource: Json) => ({
    fullUrl,
    resource,
    ...(request && { request: request(resource.resourceType as string) }),
  });
  return {
    resourceType: 'Bundle',
    type,
    entry: [
      entry(p!, {
        resourceType: 'Patient',
        name: [{ family: `Doorstep${n}`, given: ['Ada'] }],
        gender: 'female',
        birthDate: '1980-04-02',
        managingOrganization: { reference: 'Organization/someone-else' },
      }),
      entry(e!, {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject: { reference: p },
        period: { start: '2026-03-01T09:00:00Z', end: '2026-03-01T09:30:00Z' },
      }),
      entry(o!, {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] },
        subject: { reference: p },
        encounter: { reference: e },
        effectiveDateTime: '2026-03-01T09:10:00Z',
        valueQuantity: { value: 6.1, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
      }),
      entry(c!, {
        resourceType: 'Condition',
        subject: { reference: p },
        encounter: { reference: e },
        code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006' }] },
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
        },
        onsetDateTime: '2026-03-01',
      }),
    ],
  };
}

/** Kicks off an export as `org` and returns the response. */
export function kickOff(s: DoorsApp, org: string, query = '', init: RequestInit = {}, scopes?: string[]) {
  const headers = new Headers(init.headers);
  if (!headers.has('prefer')) headers.set('prefer', 'respond-async');
  return s.call(org, `/v1/export/$export${query}`, { ...init, headers }, scopes);
}

/** Polls an export's status until it is no longer 202; returns the last response. */
export async function awaitExport(
  s: DoorsApp,
  org: string,
  location: string,
  timeoutMs = 60_000,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await s.call(org, location);
    if (res.status !== 202) return res;
    if (Date.now() > deadline) throw new Error('export still running');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every line of every output file of a manifest, parsed, by type. */
export async function downloadAll(
  s: DoorsApp,
  org: string,
  manifest: { output: { type: string; url: string }[] },
) {
  const byType = new Map<string, string[]>();
  for (const file of manifest.output) {
    const res = await s.call(org, file.url);
    if (res.status !== 200) throw new Error(`${file.url}: ${res.status}`);
    const lines = (await res.text()).split('\n').filter(Boolean);
    byType.set(file.type, [...(byType.get(file.type) ?? []), ...lines]);
  }
  return byType;
}
