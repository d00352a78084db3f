/**
 * Partner uploads with the object store on S3 (a real S3-compatible server, s3rver, on loopback):
 * the ticket's URLs are S3's own presigned PUT and `UploadPart` URLs, used with plain fetch as a
 * partner would; a single PUT is found on the next status poll, a multipart upload is joined by
 * the completion route; a file larger than announced is refused before anything lands. The
 * warehouse refresh is off (jobs stop at `landed`); the round-trip suite runs it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANDING_PREFIX } from '../../ingestion/landing/landing-keys';
import { openTestApp } from '../support/app';
import { createDoorsClient, type DoorsApp, patientBundle } from '../support/doors-client';
import { type S3rverHandle, startS3rver } from '../support/s3rver-harness';

type Json = Record<string, unknown>;
const PART = 400;
let s3: S3rverHandle;
let s3dir: string;
let s: DoorsApp;
let org: string;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(async () => {
  s3dir = await mkdtemp(join(tmpdir(), 'doors-s3-'));
  s3 = await startS3rver(s3dir, ['lake']);
  // The S3 client takes its credentials from the SDK's default chain, as in production.
  process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
  s = createDoorsClient(
    await openTestApp({
      cohort: { patients: 4, orgs: 2, seed: 61 },
      doors: true,
      env: {
        INGESTION_REFRESH: 'off',
        OBJECT_STORE: 's3',
        S3_BUCKET: 'lake',
        S3_ENDPOINT: s3.endpoint,
        S3_FORCE_PATH_STYLE: 'true',
        INGESTION_UPLOAD_PART_BYTES: String(PART),
      },
    }),
  );
  org = s.built.organizations[0]!;
}, 300_000);
afterAll(async () => {
  await s?.doors?.idle();
  await s?.close();
  await s3?.close();
  await rm(s3dir, { recursive: true, force: true });
  process.env.AWS_ACCESS_KEY_ID = saved.id;
  process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
});

const ndjson = (n: number) =>
  Buffer.from(
    `${(patientBundle('collection', n).entry as { resource: Json }[])
      .map((e, i) => JSON.stringify({ ...e.resource, id: `s3-${n}-${i}` }))
      .join('\n')}\n`,
  );
type Ticket = Awaited<ReturnType<DoorsApp['uploadUrl']>> & {
  url?: string;
  headers: Record<string, string>;
  multipart?: { partSize: number; complete: string; parts: { partNumber: number; url: string }[] };
};
async function landedIds(): Promise<unknown[]> {
  const ids: unknown[] = [];
  for await (const o of s.doors!.store.list(LANDING_PREFIX)) {
    for (const l of (await s.doors!.store.get(o.key)).toString().split('\n'))
      if (l) ids.push((JSON.parse(l) as Json).id);
  }
  return ids;
}

describe('uploads straight to S3', () => {
  it('lands a file PUT to the presigned S3 URL once a status poll finds it', async () => {
    const small = Buffer.from(
      `${JSON.stringify({ resourceType: 'Patient', id: 's3-single', gender: 'male' })}\n`,
    );
    const ticket = (await s.uploadUrl(org, small.length)) as Ticket;
    expect(new URL(ticket.url!).origin).toBe(s3.endpoint);
    const put = await fetch(ticket.url!, {
      method: 'PUT',
      headers: ticket.headers,
      body: new Uint8Array(small),
    });
    expect(put.status).toBe(200);
    const job = await s.settle(org, `/v1/ingestion/jobs/${ticket.job.id as string}`, ['landed', 'failed']);
    expect(job).toMatchObject({ state: 'landed', counts: { received: 1, landed: 1, rejected: 0 } });
    expect(await landedIds()).toContain('s3-single');
  });

  it('joins a multipart upload PUT part by part to presigned S3 UploadPart URLs', async () => {
    const body = ndjson(2);
    const ticket = (await s.uploadUrl(org, body.length)) as Ticket;
    expect(ticket.url).toBeUndefined();
    const parts = [];
    for (const { partNumber, url } of ticket.multipart!.parts) {
      expect(new URL(url).origin).toBe(s3.endpoint);
      expect(new URL(url).searchParams.get('partNumber')).toBe(String(partNumber));
      const res = await fetch(url, {
        method: 'PUT',
        body: new Uint8Array(body.subarray((partNumber - 1) * PART, partNumber * PART)),
      });
      expect(res.status).toBe(200);
      parts.push({ partNumber, etag: res.headers.get('etag')! });
    }
    expect(parts.length).toBeGreaterThan(1);
    const done = await s.call(org, ticket.multipart!.complete, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parts }),
    });
    expect(done.status).toBe(202);
    const job = await s.settle(org, `/v1/ingestion/jobs/${ticket.job.id as string}`, ['landed', 'failed']);
    expect(job).toMatchObject({ state: 'landed', counts: { received: 4, landed: 4, rejected: 0 } });
    expect(await landedIds()).toEqual(expect.arrayContaining(['s3-2-0', 's3-2-1', 's3-2-2', 's3-2-3']));
  });

  it('refuses a file larger than announced (S3 URLs cannot bound it) and lands none of it', async () => {
    const big = Buffer.from(
      `${JSON.stringify({ resourceType: 'Patient', id: 's3-over' })}\n`.padStart(300, ' '),
    );
    const ticket = (await s.uploadUrl(org, 100)) as Ticket;
    expect(
      (await fetch(ticket.url!, { method: 'PUT', headers: ticket.headers, body: new Uint8Array(big) }))
        .status,
    ).toBe(200);
    const job = await s.settle(org, `/v1/ingestion/jobs/${ticket.job.id as string}`, ['landed', 'failed']);
    expect(job).toMatchObject({
      state: 'failed',
      failure: 'The upload is larger than the 100 bytes announced',
    });
    expect(await landedIds()).not.toContain('s3-over');
    expect(await s.doors!.store.exists(`uploads/org=${org}/${ticket.job.id as string}.ndjson`)).toBe(false);
  });
});
