/**
 * The ingestion API against hostile and careless partners, through the real app: idempotency
 * keys replayed and reused, oversize, deeply nested and malformed Bundles, organization claims in
 * the body, missing scopes, another organization's jobs, and presigned uploads that are expired,
 * tampered, re-targeted outside the caller's prefix, oversize or of the wrong type.
 * The warehouse refresh is off here (jobs stop at `landed`); the round-trip suite runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORGANIZATION_TAG_SYSTEM } from '../../ingestion/jobs/check-resource';
import { LANDING_PREFIX } from '../../ingestion/landing/landing-keys';
import { createLocalPresigner, resolvePresignSecret } from '../../src/object-store';
import { openTestApp } from '../support/app';
import { createDoorsClient, type DoorsApp, patientBundle } from '../support/doors-client';

type Json = Record<string, unknown>;
const COHORT = { patients: 4, orgs: 2, seed: 41 };
let s: DoorsApp;
let org: string;
let other: string;

beforeAll(async () => {
  s = createDoorsClient(
    await openTestApp({
      cohort: COHORT,
      doors: true,
      env: {
        INGESTION_REFRESH: 'off',
        BODY_LIMIT_BYTES: '200000',
        BUNDLE_MAX_ENTRIES: '50',
        INGESTION_UPLOAD_MAX_BYTES: '100000',
      },
    }),
  );
  [org, other] = s.built.organizations as [string, string];
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
async function landedLines(batchPart: string): Promise<Json[]> {
  const lines: Json[] = [];
  for (const key of (await landedKeys()).filter((k) => k.includes(batchPart))) {
    for (const l of (await s.doors!.store.get(key)).toString().split('\n'))
      if (l) lines.push(JSON.parse(l) as Json);
  }
  return lines;
}
/** The resources of `patientBundle('collection', n)` as NDJSON lines, with ids `up-<n>-<i>`. */
const lines = (n: number) =>
  (patientBundle('collection', n).entry as { resource: Json }[]).map((e, i) =>
    JSON.stringify({ ...e.resource, id: `up-${n}-${i}` }),
  );
const issueOf = async (res: Response) => ((await res.json()) as { issue: Json[] }).issue[0];

describe('Idempotency-Key', () => {
  it('answers a replay with the same job and lands nothing more', async () => {
    const bundle = patientBundle('batch', 10);
    const first = await s.postBundle(org, bundle, { 'idempotency-key': 'key-1' });
    expect(first.status).toBe(202);
    const keys = await landedKeys();
    const replay = await s.postBundle(org, bundle, { 'idempotency-key': 'key-1' });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('content-location')).toBe(first.headers.get('content-location'));
    expect(((await replay.json()) as Json).id).toBe(((await first.json()) as Json).id);
    expect(await landedKeys()).toEqual(keys);
  });

  it('refuses the same key with a different payload with 422', async () => {
    await s.postBundle(org, patientBundle('batch', 11), { 'idempotency-key': 'key-2' });
    const conflicting = await s.postBundle(org, patientBundle('batch', 12), { 'idempotency-key': 'key-2' });
    expect(conflicting.status).toBe(422);
    expect(await issueOf(conflicting)).toMatchObject({ code: 'processing', expression: ['Idempotency-Key'] });
  });

  it('scopes keys to the organization: another organization with the same key gets its own job', async () => {
    const bundle = patientBundle('batch', 13);
    const mine = (await (await s.postBundle(org, bundle, { 'idempotency-key': 'shared' })).json()) as Json;
    const theirs = await s.postBundle(other, bundle, { 'idempotency-key': 'shared' });
    expect(theirs.status).toBe(202);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(((await theirs.json()) as Json).id).not.toBe(mine.id);
  });

  it('lands a payload sent twice without a key twice, under the same ids', async () => {
    const bundle = patientBundle('batch', 14);
    const a = (await (await s.postBundle(org, bundle)).json()) as { id: string; resources: Json[] };
    const b = (await (await s.postBundle(org, bundle)).json()) as { id: string; resources: Json[] };
    expect(a.id).not.toBe(b.id);
    expect(b.resources).toEqual(a.resources);
  });
});

describe('Bundles refused whole', () => {
  const post = (body: string, type = 'application/fhir+json') =>
    s.call(org, '/v1/ingestion/fhir/Bundle', { method: 'POST', headers: { 'content-type': type }, body });

  it('answers an oversize body with 413 and too many entries with 413', async () => {
    const big = JSON.stringify({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ resource: { resourceType: 'Patient', text: 'x'.repeat(210_000) } }],
    });
    expect((await post(big)).status).toBe(413);
    const many = JSON.stringify({
      resourceType: 'Bundle',
      type: 'batch',
      entry: Array.from({ length: 51 }, () => ({})),
    });
    const res = await post(many);
    expect([res.status, (await issueOf(res))?.code]).toEqual([413, 'too-long']);
  });

  it('answers deep nesting and malformed JSON with 400, a wrong media type with 415', async () => {
    expect(
      (await post(`{"resourceType":"Bundle","type":"batch","entry":[${'['.repeat(100)}${']'.repeat(100)}]}`))
        .status,
    ).toBe(400);
    expect((await post('{"resourceType":"Bundle",')).status).toBe(400);
    expect((await post(JSON.stringify(patientBundle('batch')), 'text/plain')).status).toBe(415);
    expect((await post('type=batch', 'application/x-www-form-urlencoded')).status).toBe(415);
  });

  it('answers what is not a batch, transaction or collection Bundle, or has no valid entry, with 400 or 422', async () => {
    expect((await post('{"resourceType":"Patient"}')).status).toBe(400);
    expect((await post('{"resourceType":"Bundle","type":"searchset","entry":[{}]}')).status).toBe(422);
    expect((await post('{"resourceType":"Bundle","type":"batch","entry":[]}')).status).toBe(422);
    const allBad = await post(
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [{ resource: { resourceType: 'Medication' } }, { fullUrl: 'urn:uuid:x' }],
      }),
    );
    expect(allBad.status).toBe(422);
    const issues = ((await allBad.json()) as { issue: Json[] }).issue;
    expect(issues.map((i) => i.diagnostics)).toEqual([
      expect.stringContaining('Every entry'),
      expect.stringMatching(/^entry 0: unsupported-type: /),
      expect.stringMatching(/^entry 1 \(urn:uuid:x\): the entry has no resource/),
    ]);
  });

  it('refuses a token without create scopes with 403', async () => {
    const res = await s.call(
      org,
      '/v1/ingestion/fhir/Bundle',
      {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(patientBundle('batch', 15)),
      },
      ['system/*.rs'],
    );
    expect(res.status).toBe(403);
  });
});

describe('organization claims in the body', () => {
  it('overwrites managingOrganization, serviceProvider and organization tags with the token organization', async () => {
    const bundle = patientBundle('batch', 16) as { entry: { resource: Json }[] };
    bundle.entry[0]!.resource.meta = {
      tag: [
        { system: ORGANIZATION_TAG_SYSTEM, code: other },
        { system: 'urn:partner', code: 'keep' },
      ],
      lastUpdated: '1999-01-01T00:00:00Z',
    };
    bundle.entry[1]!.resource.serviceProvider = { reference: `Organization/${other}` };
    const accepted = (await (await s.postBundle(org, bundle)).json()) as Json;
    expect(accepted.counts).toMatchObject({ landed: 4, rejected: 0 });
    const lines = await landedLines(`org=${org}/`);
    const patient = lines.find((l) => (l.name as Json[] | undefined)?.[0]?.family === 'Doorstep16')!;
    expect(patient.managingOrganization).toEqual({ reference: `Organization/${org}` });
    expect((patient.meta as Json).tag).toEqual([
      { system: 'urn:partner', code: 'keep' },
      { system: ORGANIZATION_TAG_SYSTEM, code: org },
    ]);
    expect((patient.meta as Json).lastUpdated).not.toBe('1999-01-01T00:00:00Z');
    expect(await landedLines(`org=${other}/`)).not.toContainEqual(
      expect.objectContaining({ id: patient.id }),
    );
  });

  it('refuses an Organization resource naming another organization', async () => {
    const res = await s.postBundle(org, {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { resourceType: 'Organization', id: other, name: 'Not me' } },
        ...(patientBundle('batch', 17).entry as Json[]),
      ],
    });
    expect(res.status).toBe(202);
    const outcome = ((await res.json()) as { outcome: { issue: Json[] } }).outcome;
    expect(outcome.issue[0]!.diagnostics).toMatch(/^entry 0: organization-mismatch: /);
  });
});

describe('jobs of another organization', () => {
  it("answers another organization's job and error file exactly as missing ones", async () => {
    const res = await s.postBundle(org, patientBundle('batch', 18));
    const location = res.headers.get('content-location')!;
    const missing = location.replace(/[0-9a-f-]{36}$/, '00000000-0000-4000-8000-000000000000');
    for (const suffix of ['', '/errors']) {
      const foreign = await s.call(other, `${location}${suffix}`);
      const absent = await s.call(org, `${missing}${suffix}`);
      expect(foreign.status).toBe(404);
      expect([foreign.status, await foreign.text()]).toEqual([absent.status, await absent.text()]);
    }
    expect((await s.call(org, location)).status).toBe(200);
  });
});

describe('presigned NDJSON uploads', () => {
  it("hands out a URL under the caller's prefix that expires within 15 minutes", async () => {
    const ticket = await s.uploadUrl(org, 1000);
    expect(ticket.url).toMatch(
      new RegExp(
        `^http://127\\.0\\.0\\.1:4000/v1/object-store/uploads/org(=|%3D)${org}/[0-9a-f-]{36}\\.ndjson\\?`,
      ),
    );
    expect(Date.parse(ticket.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60 * 1000);
    expect(ticket.job).toMatchObject({ kind: 'upload', state: 'awaiting-upload' });
  });

  it('validates an uploaded file line by line, lands its good lines and reports every refused line by file and line', async () => {
    const good = lines(20);
    const body = [
      good[0],
      '{"resourceType":"Patient"',
      good[1],
      '{"resourceType":"Observation","id":"no-code","status":"final"}',
      good[2],
    ].join('\n');
    const ticket = await s.uploadUrl(org, Buffer.byteLength(body));
    expect((await s.put(ticket.url, body)).status).toBe(200);
    const location = `/v1/ingestion/jobs/${ticket.job.id as string}`;
    const job = await s.settle(org, location, ['landed', 'failed']);
    expect(job).toMatchObject({
      state: 'landed',
      counts: { received: 5, landed: 3, rejected: 2 },
      reasons: { 'not-json': 1, structure: 1 },
    });
    const errors = (await (await s.call(org, `${location}/errors`)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(errors.map((e) => [e.file, e.line])).toEqual([
      [`uploads/org=${org}/${ticket.job.id as string}.ndjson`, 2],
      [`uploads/org=${org}/${ticket.job.id as string}.ndjson`, 4],
    ]);
    expect(await s.doors!.store.exists(`uploads/org=${org}/${ticket.job.id as string}.ndjson`)).toBe(false);
    expect((await s.put(ticket.url, body)).status).toBe(409);
  });

  it('takes an upload from a token that may create some types, and refuses the lines of the others by line', async () => {
    const res = await s.call(
      org,
      '/v1/ingestion/upload-url',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ size: 10 }) },
      ['system/*.rs'],
    );
    expect(res.status).toBe(403);
    expect(await issueOf(res)).toMatchObject({ code: 'forbidden' });

    const body = lines(23).join('\n'); // Patient, Encounter, Observation, Condition
    const ticket = await s.uploadUrl(org, Buffer.byteLength(body), [
      'system/Patient.c',
      'system/Encounter.cu',
    ]);
    expect((await s.put(ticket.url, body)).status).toBe(200);
    const location = `/v1/ingestion/jobs/${ticket.job.id as string}`;
    const job = await s.settle(org, location, ['landed', 'failed']);
    expect(job).toMatchObject({
      state: 'landed',
      counts: { received: 4, landed: 2, rejected: 2 },
      reasons: { 'forbidden-type': 2 },
    });
    const errors = (await (await s.call(org, `${location}/errors`)).text()).trim().split('\n');
    expect(errors.map((l) => [(JSON.parse(l) as Json).line, l.match(/create on (\w+)/)?.[1]])).toEqual([
      [3, 'Observation'],
      [4, 'Condition'],
    ]);
    const landed = (await landedLines(`org=${org}/`)).filter((l) => (l.id as string).startsWith('up-23-'));
    expect(landed.map((l) => l.resourceType).sort()).toEqual(['Encounter', 'Patient']);
  });

  it('refuses tampered URLs, URLs re-targeted at another organization or outside uploads, with 403', async () => {
    const ticket = await s.uploadUrl(org, 100_000);
    const body = lines(21).join('\n');
    const tampered = ticket.url.replace(
      /signature=([0-9a-f])/,
      (_, c: string) => `signature=${c === '0' ? '1' : '0'}`,
    );
    const retargeted = ticket.url.replace(`org%3D${org}`, `org%3D${other}`);
    expect(retargeted).not.toBe(ticket.url);
    for (const url of [tampered, retargeted]) expect((await s.put(url, body)).status).toBe(403);
    // A correctly signed URL for a key outside the upload prefix (as if the signer were tricked).
    const presign = createLocalPresigner({
      baseUrl: 'http://127.0.0.1:4000',
      secret: await resolvePresignSecret(s.config),
    });
    for (const key of [
      `landing/fhir/org=${org}/type=Patient/batch=evil/part-00000.ndjson`,
      `uploads/org=${other}/${ticket.job.id as string}.ndjson`,
    ]) {
      const res = await s.put(await presign(key, { method: 'PUT', expiresInSeconds: 60 }), body);
      expect({ key, status: res.status }).toEqual({ key, status: 403 });
    }
    expect(await landedKeys()).not.toContainEqual(expect.stringContaining('batch=evil'));
  });

  it('refuses a wrong media type with 415, a body over the announced size and a size over the limit with 413', async () => {
    const ticket = await s.uploadUrl(org, 10);
    expect((await s.put(ticket.url, 'x', 'application/json')).status).toBe(415);
    expect((await s.put(ticket.url, lines(22).join('\n'))).status).toBe(413);
    expect(await s.doors!.store.exists(`uploads/org=${org}/${ticket.job.id as string}.ndjson`)).toBe(false);
    const res = await s.call(org, '/v1/ingestion/upload-url', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size: 100_001 }),
    });
    expect(res.status).toBe(413);
  });
});

describe('expired upload URLs', () => {
  let short: DoorsApp;
  beforeAll(async () => {
    short = createDoorsClient(
      await openTestApp({
        cohort: COHORT,
        doors: true,
        env: { INGESTION_REFRESH: 'off', INGESTION_UPLOAD_URL_TTL_SECONDS: '1' },
      }),
    );
  }, 300_000);

  it('refuses a PUT after the URL expired with 403', async () => {
    const ticket = await short.uploadUrl(org, 1000);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await short.put(ticket.url, '{}');
    expect(res.status).toBe(403);
    expect(await issueOf(res)).toMatchObject({
      code: 'forbidden',
      diagnostics: expect.stringContaining('expired'),
    });
  });
});

describe('multipart uploads of large files', () => {
  const PART = 300;
  let parted: DoorsApp;
  beforeAll(async () => {
    parted = createDoorsClient(
      await openTestApp({
        cohort: COHORT,
        doors: true,
        env: {
          INGESTION_REFRESH: 'off',
          INGESTION_UPLOAD_PART_BYTES: String(PART),
          INGESTION_UPLOAD_MAX_BYTES: '100000',
        },
      }),
    );
  }, 300_000);
  afterAll(async () => {
    await parted?.doors?.idle();
    await parted?.close();
  });

  type PartedTicket = Awaited<ReturnType<DoorsApp['uploadUrl']>> & {
    url?: string;
    multipart: { partSize: number; complete: string; parts: { partNumber: number; url: string }[] };
  };
  const ticketFor = async (size: number, as = org) => (await parted.uploadUrl(as, size)) as PartedTicket;
  const putPart = (url: string, body: string | Buffer) =>
    parted.app.request(url.replace('http://127.0.0.1:4000', ''), {
      method: 'PUT',
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
  const complete = (ticket: PartedTicket, parts: unknown, as = org) =>
    parted.call(as, ticket.multipart.complete, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parts }),
    });
  /** PUTs `body` cut at the part size (lines split across parts), last part first; the parts' ETags in order. */
  const sendParts = async (ticket: PartedTicket, body: Buffer) => {
    const etags: { partNumber: number; etag: string }[] = [];
    for (const { partNumber, url } of [...ticket.multipart.parts].reverse()) {
      const res = await putPart(url, body.subarray((partNumber - 1) * PART, partNumber * PART));
      expect(res.status).toBe(200);
      etags.unshift({ partNumber, etag: res.headers.get('etag')! });
    }
    return etags;
  };

  it('hands out one signed PUT URL per part instead of one URL for a file larger than the part size', async () => {
    const ticket = await ticketFor(1000);
    expect(ticket.url).toBeUndefined();
    expect(ticket.multipart).toMatchObject({
      partSize: PART,
      complete: `http://127.0.0.1:4000/v1/ingestion/jobs/${ticket.job.id as string}/complete`,
    });
    expect(ticket.multipart.parts.map((p) => p.partNumber)).toEqual([1, 2, 3, 4]);
    for (const p of ticket.multipart.parts) {
      const url = new URL(p.url);
      expect(url.pathname).toBe(`/v1/object-store/uploads/org%3D${org}/${ticket.job.id as string}.ndjson`);
      expect(url.searchParams.get('partNumber')).toBe(String(p.partNumber));
      expect(url.searchParams.get('uploadId')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await ticketFor(PART)).url).toBeDefined();
  });

  it('joins the parts in part order, validates the file line by line and lands its good lines', async () => {
    const good = lines(30);
    const text = [
      good[0],
      good[1],
      '{"resourceType":"Encounter","id":"bad","status":"bogus"}',
      good[2],
      good[3],
    ];
    const body = Buffer.from(`${text.join('\n')}\n`);
    const ticket = await ticketFor(body.length);
    expect(ticket.multipart.parts.length).toBe(Math.ceil(body.length / PART));
    const parts = await sendParts(ticket, body);
    const key = `uploads/org=${org}/${ticket.job.id as string}.ndjson`;
    expect(await parted.doors!.store.exists(key)).toBe(false);
    const res = await complete(ticket, parts);
    expect(res.status).toBe(202);
    const location = `/v1/ingestion/jobs/${ticket.job.id as string}`;
    const job = await parted.settle(org, location, ['landed', 'failed']);
    expect(job).toMatchObject({
      state: 'landed',
      counts: { received: 5, landed: 4, rejected: 1 },
      upload: { bytes: body.length, parts: parts.length },
    });
    const errors = (await (await parted.call(org, `${location}/errors`)).text()).trim().split('\n');
    expect(errors.map((l) => [(JSON.parse(l) as Json).file, (JSON.parse(l) as Json).line])).toEqual([
      [key, 3],
    ]);
    const landed: string[] = [];
    for await (const o of parted.doors!.store.list(LANDING_PREFIX)) {
      if (o.key.includes(`org=${org}/`))
        landed.push(...(await parted.doors!.store.get(o.key)).toString().split('\n'));
    }
    const ids = landed.filter(Boolean).map((l) => (JSON.parse(l) as Json).id);
    expect(ids).toEqual(expect.arrayContaining(['up-30-0', 'up-30-1', 'up-30-2', 'up-30-3']));
    expect(ids).not.toContain('bad');
    expect(await parted.doors!.store.exists(key)).toBe(false);
    expect((await complete(ticket, parts)).status).toBe(409);
    expect((await putPart(ticket.multipart.parts[0]!.url, 'x')).status).toBe(409);
  });

  it('refuses tampered part URLs, oversize parts, wrong ETags and foreign completions', async () => {
    const body = Buffer.from(`${lines(31).join('\n')}\n`);
    const ticket = await ticketFor(body.length);
    const first = ticket.multipart.parts[0]!.url;
    const renumbered = first.replace(/partNumber=1\b/, 'partNumber=2');
    expect(renumbered).not.toBe(first);
    expect((await putPart(renumbered, 'x')).status).toBe(403);
    const oversize = await putPart(first, Buffer.alloc(PART + 1, 'x'));
    expect([oversize.status, (await issueOf(oversize))?.code]).toEqual([413, 'too-long']);
    const parts = await sendParts(ticket, body);
    const missing = {
      ...ticket,
      multipart: {
        ...ticket.multipart,
        complete: ticket.multipart.complete.replace(
          /[0-9a-f-]{36}(?=\/complete$)/,
          '00000000-0000-4000-8000-000000000000',
        ),
      },
    };
    const foreign = await complete(ticket, parts, other);
    const absent = await complete(missing, parts);
    expect(foreign.status).toBe(404);
    expect([foreign.status, await foreign.text()]).toEqual([absent.status, await absent.text()]);
    const wrongEtag = await complete(ticket, [{ ...parts[0]!, etag: '"0"' }, ...parts.slice(1)]);
    expect([wrongEtag.status, (await issueOf(wrongEtag))?.expression]).toEqual([400, ['parts']]);
    expect((await complete(ticket, [...parts].reverse())).status).toBe(400);
    expect((await complete(ticket, [])).status).toBe(400);
    expect((await complete(ticket, parts)).status).toBe(202);
  });

  it('fails an upload whose parts add up to more than announced, landing nothing of it', async () => {
    const ticket = await ticketFor(PART + 10);
    const parts = [];
    for (const { partNumber, url } of ticket.multipart.parts) {
      const part = Buffer.from(
        `${JSON.stringify({ resourceType: 'Patient', id: `over-${partNumber}` })}\n`.padEnd(PART, ' '),
      );
      parts.push({ partNumber, etag: (await putPart(url, part)).headers.get('etag')! });
    }
    expect((await complete(ticket, parts)).status).toBe(202);
    const job = await parted.settle(org, `/v1/ingestion/jobs/${ticket.job.id as string}`, [
      'landed',
      'failed',
    ]);
    expect(job).toMatchObject({
      state: 'failed',
      failure: `The upload is larger than the ${PART + 10} bytes announced`,
      counts: { landed: 0 },
    });
    expect(await parted.doors!.store.exists(`uploads/org=${org}/${ticket.job.id as string}.ndjson`)).toBe(
      false,
    );
  });

  it('answers completing a single-request upload with 400', async () => {
    const ticket = await parted.uploadUrl(org, 100);
    const res = await parted.call(org, `/v1/ingestion/jobs/${ticket.job.id as string}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parts: [{ partNumber: 1, etag: '"x"' }] }),
    });
    expect(res.status).toBe(400);
  });
});
