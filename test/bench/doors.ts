/**
 * The partner doors, in-process through the real app over a generated cohort (the demo size by
 * default, `COHORT_PATIENTS` for another):
 * - Bundle ingest: resources/s accepted and landed (100-entry batch Bundles; 1 and 16 concurrent
 *   clients), against the landing writer alone writing the same lines (the baseline).
 * - NDJSON upload: MB/s through the presigned PUT, line validation and landing, against the
 *   streaming line reader + JSON.parse alone on the same file.
 * - Export: resources/s, MB/s and peak RSS of a whole-organization `$export`, against one SQL
 *   query selecting the same resources from the marts.
 * - Freshness: a 100-entry Bundle on top of the cohort until REST serves it, and where the time goes.
 * Aims (issue 13): ingest ≥ 3,000 resources/s, upload ≥ 50 MB/s, export ≥ 20,000 resources/s with
 * flat memory, freshness < 15 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createLandingWriter } from '../../ingestion/landing/landing-writer';
import { readLines } from '../../ingestion/ndjson';
import { loadConfig } from '../../src/config';
import { createLocalObjectStore } from '../../src/object-store';
import { openTestApp } from '../support/app';
import {
  awaitExport,
  createDoorsClient,
  type DoorsApp,
  kickOff,
  patientBundle,
} from '../support/doors-client';

const PATIENTS = loadConfig().bench.cohortPatients ?? 1000;
const BUNDLES = 40;
const UNLIMITED = { RATE_LIMIT_CAPACITY: '1000000000', RATE_LIMIT_REFILL_PER_SECOND: '1000000000' };
type Json = Record<string, unknown>;

/** A 100-entry batch Bundle: 25 patients, each with an encounter, an observation and a condition. */
function bundleOf100(n: number): Json {
  const entry = Array.from(
    { length: 25 },
    (_, k) => patientBundle('batch', n * 100 + k).entry as Json[],
  ).flat();
  return { resourceType: 'Bundle', type: 'batch', entry };
}

function sampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const per = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString('en-US');

export async function run(): Promise<void> {
  console.log(`cohort: ${PATIENTS} patients, 3 organizations (generate → load → dbt once)`);
  const s = createDoorsClient(
    await openTestApp({
      cohort: { patients: PATIENTS, orgs: 3, seed: 42 },
      doors: true,
      env: { ...UNLIMITED, INGESTION_REFRESH: 'off', INGESTION_UPLOAD_PART_BYTES: String(8 * 1024 * 1024) },
    }),
  );
  const org = s.built.organizations[0]!;
  const bodies = Array.from({ length: BUNDLES }, (_, i) => JSON.stringify(bundleOf100(i)));
  try {
    // Baseline: the landing writer alone, the same lines, no HTTP and no checks.
    const scratch = await mkdtemp(join(tmpdir(), 'bench-doors-'));
    const lines = bodies.flatMap((b) =>
      (JSON.parse(b) as { entry: { resource: Json }[] }).entry.map((e) => e.resource),
    );
    let t0 = performance.now();
    const writer = createLandingWriter(createLocalObjectStore({ root: scratch }), { batchId: 'baseline' });
    for (const r of lines) await writer.writeResource(org, r as { resourceType: string });
    await writer.close();
    const baselineMs = performance.now() - t0;
    await rm(scratch, { recursive: true, force: true });
    console.log(`baseline landing writer alone: ${per(lines.length, baselineMs)} resources/s`);

    for (const clients of [1, 16]) {
      t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < bodies.length) {
            const res = await s.postBundle(org, bodies[next++]!);
            if (res.status !== 202) throw new Error(`ingest: ${res.status} ${await res.text()}`);
          }
        }),
      );
      const ms = performance.now() - t0;
      const rps = (lines.length * 1000) / ms;
      console.log(
        `Bundle ingest, ${String(clients).padStart(2)} client(s): ${per(lines.length, ms)} resources/s accepted and landed ` +
          `(${BUNDLES} × 100-entry Bundles; ${((rps / ((lines.length * 1000) / baselineMs)) * 100).toFixed(0)} % of the writer alone)`,
      );
    }

    // NDJSON upload: one file of ~20 MB of valid lines.
    const line = (i: number) => JSON.stringify({ ...(lines[i % lines.length] as Json), id: `u-${i}` });
    const parts: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < 20e6; i++) {
      const l = `${line(i)}\n`;
      parts.push(l);
      bytes += l.length;
    }
    const file = parts.join('');
    t0 = performance.now();
    let parsed = 0;
    for await (const l of readLines(Readable.from([Buffer.from(file)]))) parsed += JSON.parse(l.text) ? 1 : 0;
    const readMs = performance.now() - t0;
    for (const body of [file.slice(0, file.lastIndexOf('\n', 6e6) + 1), file]) {
      const size = Buffer.byteLength(body);
      const ticket = (await s.uploadUrl(org, size)) as Awaited<ReturnType<typeof s.uploadUrl>> & {
        url?: string;
        multipart?: { partSize: number; complete: string; parts: { partNumber: number; url: string }[] };
      };
      t0 = performance.now();
      if (ticket.multipart) {
        const bytes = Buffer.from(body);
        const { partSize, parts } = ticket.multipart;
        const etags = await Promise.all(
          parts.map(async ({ partNumber, url }) => {
            const res = await s.app.request(url.replace('http://127.0.0.1:4000', ''), {
              method: 'PUT',
              body: new Uint8Array(bytes.subarray((partNumber - 1) * partSize, partNumber * partSize)),
            });
            if (res.status !== 200) throw new Error(`part: ${res.status}`);
            return { partNumber, etag: res.headers.get('etag')! };
          }),
        );
        const done = await s.call(org, ticket.multipart.complete, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ parts: etags }),
        });
        if (done.status !== 202) throw new Error(`complete: ${done.status}`);
      } else {
        const put = await s.put(ticket.url!, body);
        if (put.status !== 200) throw new Error(`upload: ${put.status}`);
      }
      const job = await s.settle(
        org,
        `/v1/ingestion/jobs/${ticket.job.id as string}`,
        ['landed', 'failed'],
        600_000,
      );
      const uploadMs = performance.now() - t0;
      console.log(
        `NDJSON upload (${ticket.multipart ? `multipart, ${ticket.multipart.parts.length} parts in parallel` : 'one PUT'}): ` +
          `${mb(size / (uploadMs / 1000))} MB/s through PUT, validation and landing (${mb(size)} MB, job ${job.state as string}, ` +
          `${(job.counts as Json).landed as number} lines landed); reader + JSON.parse alone ${mb(bytes / (readMs / 1000))} MB/s ` +
          `(upload = ${((size / uploadMs / (bytes / readMs)) * 100).toFixed(0)} % of it)`,
      );
    }
    console.log(`(reader + JSON.parse alone: ${parsed} lines)`);

    // Export of the whole organization.
    const [sql] = await s.warehouse.query<{ n: number; b: number }>('select 1 as n, 1 as b');
    void sql;
    t0 = performance.now();
    let sqlRows = 0;
    let sqlBytes = 0;
    for (const table of [
      'api.dim_patient_api',
      'api.fct_encounter_api',
      'api.fct_observation_api',
      'api.fct_condition_api',
    ]) {
      const rows = await s.warehouse.query<{ resource: string }>(
        `select resource from ${table} where organization_id = ? order by id`,
        [org],
      );
      sqlRows += rows.length;
      for (const r of rows) sqlBytes += r.resource.length + 1;
    }
    const sqlMs = performance.now() - t0;
    const rssBefore = process.memoryUsage().rss;
    const rss = sampler();
    t0 = performance.now();
    const res = await kickOff(s, org, '');
    const done = await awaitExport(s, org, res.headers.get('content-location')!, 600_000);
    const exportMs = performance.now() - t0;
    const peak = rss.stop();
    const manifest = (await done.json()) as { output: { count: number }[] };
    const count = manifest.output.reduce((n, f) => n + f.count, 0);
    console.log(
      `Export: ${per(count, exportMs)} resources/s, ${mb((sqlBytes / exportMs) * 1000)} MB/s (${count} resources, ${manifest.output.length} files), ` +
        `peak RSS ${mb(peak)} MB (${mb(rssBefore)} MB before the kick-off); one SQL select of the same rows ${per(sqlRows, sqlMs)} resources/s (${((sqlMs / exportMs) * 100).toFixed(0)} %)`,
    );
    await s.doors?.idle();
    // The same cohort with the local refresh on (closing the first app would remove the cohort).
    const fresh = createDoorsClient(
      await openTestApp({ cohort: { patients: PATIENTS, orgs: 3, seed: 42 }, doors: true, env: UNLIMITED }),
    );
    await freshness(fresh).finally(() => fresh.close());
  } finally {
    await s.doors?.idle();
    await s.close();
  }
}

/** A 100-entry Bundle on top of the cohort, with the local refresh on, until REST serves it. */
async function freshness(s: DoorsApp): Promise<void> {
  const org = s.built.organizations[0]!;
  try {
    const t0 = performance.now();
    const res = await s.postBundle(org, bundleOf100(900));
    const accepted = (await res.json()) as { resources: { resourceType: string; id: string }[] };
    const landedMs = performance.now() - t0;
    const last = accepted.resources[accepted.resources.length - 1]!;
    const job = await s.settle(
      org,
      res.headers.get('content-location')!,
      ['transformed', 'completed-with-errors', 'failed'],
      600_000,
    );
    const history = job.history as { state: string; at: string }[];
    const at = (state: string) => Date.parse(history.find((h) => h.state === state)?.at ?? '');
    if (job.state !== 'transformed')
      throw new Error(`freshness: the job ended ${job.state as string}: ${String(job.failure)}`);
    for (
      let tries = 0;
      (await s.call(org, `/v1/fhir/${last.resourceType}/${last.id}`)).status !== 200;
      tries++
    ) {
      if (tries > 200) throw new Error('freshness: transformed, but REST does not serve the resource');
      await new Promise((r) => setTimeout(r, 50));
    }
    const visibleMs = performance.now() - t0;
    console.log(
      `Freshness: a 100-entry Bundle visible through REST ${(visibleMs / 1000).toFixed(1)} s after the POST ` +
        `(accept + land ${(landedMs / 1000).toFixed(2)} s; load ${((at('loaded') - at('landed')) / 1000).toFixed(1)} s; ` +
        `dbt run ${((at(job.state as string) - at('loaded')) / 1000).toFixed(1)} s; state ${job.state as string}) — aim < 15 s`,
    );
  } finally {
    await s.doors?.idle();
  }
}
