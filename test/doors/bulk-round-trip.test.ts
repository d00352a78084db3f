/**
 * The project's own Bulk Data client (ingestion/bulk, issue 12) against this gateway's `$export`
 * on a real loopback server: it lands exactly the resource set REST serves the organization, and
 * after a resource is deleted through the ingestion API, a `_since` export lists it in `deleted`
 * and the client lands its tombstone. The SMART token endpoint the client authenticates at is a
 * stand-in (this gateway has no authorization server; tokens come from its dev issuer): the
 * client's private_key_jwt assertion is verified by the bulk suite's own test authority.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBulkDeps } from '../../ingestion/bulk/bulk-deps';
import { runBulkFlowLocally } from '../../ingestion/bulk/local-runner';
import { LANDING_PREFIX } from '../../ingestion/landing/landing-keys';
import { loadConfig } from '../../src/config';
import { RESOURCE_TYPES } from '../../src/fhir/search-parameters';
import { pseudonym } from '../../src/pseudonyms';
import { type RunningServer, startServer } from '../../src/server';
import { openTestApp } from '../support/app';
import { createBulkDataAuth } from '../support/bulk-data-auth';
import { CLIENT_ID, createClientKey } from '../support/bulk-harness';
import { createDoorsClient, type DoorsApp } from '../support/doors-client';

type Json = Record<string, unknown>;
let s: DoorsApp;
let server: RunningServer;
let clientDir: string;
let base: string;
let org: string;
let flows = 0;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  s = createDoorsClient(
    await openTestApp({
      cohort: { patients: 6, orgs: 2, seed: 53 },
      doors: true,
      env: { PUBLIC_BASE_URL: base },
    }),
  );
  org = s.built.organizations[0]!;
  clientDir = await mkdtemp(join(tmpdir(), 'doors-bulk-client-'));
  const key = await createClientKey(clientDir);
  const authority = createBulkDataAuth({ clientId: CLIENT_ID, jwks: key.jwks }, () => `${base}/test-token`);
  const front = new Hono();
  front.get('/v1/export/.well-known/smart-configuration', (c) => c.json(authority.smartConfiguration()));
  front.post('/test-token', async (c) => {
    const [status, body] = await authority.issue(await c.req.text());
    if (status === 200) body.access_token = await s.token(org, ['system/*.rs']);
    return c.json(body, status as 200);
  });
  front.all('*', (c) => s.app.fetch(c.req.raw, c.env));
  server = await startServer({ app: front, host: '127.0.0.1', port });
  process.env.__DOORS_CLIENT_KEY__ = JSON.stringify({ file: key.keyFile, kid: key.kid });
}, 300_000);
afterAll(async () => {
  await server?.close(100);
  await s?.doors?.idle();
  await s?.close();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

/** Runs the bulk client's flow against this gateway; returns what it landed, by type. */
async function pull(extra: { since?: string } = {}) {
  const { file, kid } = JSON.parse(process.env.__DOORS_CLIENT_KEY__!) as { file: string; kid: string };
  const dataDir = join(clientDir, `run-${++flows}`);
  const config = loadConfig({
    DATA_DIR: dataDir,
    BULK_ALLOW_PRIVATE_NETWORKS: 'true',
    BULK_MIN_WAIT_SECONDS: '0',
    BULK_CLIENT_ID: CLIENT_ID,
    BULK_PRIVATE_KEY_FILE: file,
    BULK_KEY_ALGORITHM: 'ES384',
    BULK_KEY_ID: kid,
  });
  const deps = await createBulkDeps(config);
  const run = await runBulkFlowLocally(
    deps,
    { jobId: `pull-${flows}`, source: `${base}/v1/export`, org, level: 'system', ...extra },
    { waitMs: 5, retryMs: 5 },
  );
  const landed = new Map<string, Json[]>();
  for await (const o of deps.store.list(LANDING_PREFIX)) {
    const type = /type=([A-Za-z]+)/.exec(o.key)![1]!;
    for (const line of (await deps.store.get(o.key)).toString().split('\n').filter(Boolean)) {
      landed.set(type, [...(landed.get(type) ?? []), JSON.parse(line) as Json]);
    }
  }
  return { run, landed };
}

async function restIds(type: string): Promise<string[]> {
  const bundle = (await (await s.call(org, `/v1/fhir/${type}?_count=1000`)).json()) as {
    entry?: { resource: Json }[];
  };
  return (bundle.entry ?? []).map((e) => e.resource.id as string).sort();
}

describe("the project's bulk client against /v1/export", () => {
  it('lands exactly the resource set REST serves the organization', async () => {
    const { run, landed } = await pull();
    expect(run.outcome).toMatchObject({ status: expect.stringMatching(/complete|succeeded|landed/i) });
    for (const type of RESOURCE_TYPES) {
      const ids = (landed.get(type) ?? []).map((r) => r.id as string).sort();
      expect({ type, ids }).toEqual({ type, ids: await restIds(type) });
    }
  });

  it('lists a resource deleted through the ingestion API in the deleted of a _since export, and the client lands its tombstone', async () => {
    const sourceId = s.built.ndjson.get('Observation')!.find((r) => r.org === org)!.resource.id;
    const served = pseudonym(s.built.salt, org, 'Observation', sourceId);
    expect((await s.call(org, `/v1/fhir/Observation/${served}`)).status).toBe(200);
    const since = new Date(Date.now() - 1000).toISOString();
    const res = await s.postBundle(org, {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ request: { method: 'DELETE', url: `Observation/${sourceId}` } }],
    });
    expect(res.status).toBe(202);
    expect(await s.settle(org, res.headers.get('content-location')!)).toMatchObject({ state: 'transformed' });
    expect((await s.call(org, `/v1/fhir/Observation/${served}`)).status).toBe(404);

    const { landed } = await pull({ since });
    const tombstones = (landed.get('Observation') ?? []).filter((r) =>
      ((r.meta as { tag?: Json[] } | undefined)?.tag ?? []).some(
        (t) => t.system === 'urn:fhir-gateway:tombstone',
      ),
    );
    expect(tombstones.map((t) => t.id)).toEqual([served]);
  });
});
