/**
 * Loader benchmark, all in one run over the same landing files:
 * - `loadLanding` end to end (read, split, validate, append, commit) in MB/s;
 * - DuckDB's own `read_ndjson_objects` of the same files into a table;
 * - a bare `JSON.parse` per line (lines already in memory, and streamed from disk);
 * - peak RSS while loading one small and one large file (memory must not follow file size);
 * - peak RSS for a synthetic cohort generated and then loaded.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LANDING_PREFIX, landingKey } from '../../ingestion/landing/landing-keys';
import { loadLanding } from '../../ingestion/loader';
import { readLines } from '../../ingestion/ndjson';
import { createLocalObjectStore, type ObjectStore } from '../../src/object-store';
import { createDuckDbWarehouse } from '../../src/warehouse';

/** Landing set for the rate comparison (bytes, roughly). */
const RATE_SET_BYTES = 64 * 1024 * 1024;
/** DuckDB's memory limit during loads, as `fhir-gateway load` sets it by default. */
const MEMORY_LIMIT = '512MB';
/** Patients in the cohort generated and loaded for the memory figure (100k ≈ 5.5 GB, several minutes). */
export const COHORT_PATIENTS = 10_000;

type Generator = typeof import('../../ingestion/synthetic');

const mb = (bytes: number) => bytes / 1e6;
const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** Samples RSS every 50 ms while `fn` runs; returns its result, seconds and the peak RSS in MB. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const started = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, seconds: (performance.now() - started) / 1000, peakRssMb: mb(peak) };
  } finally {
    clearInterval(timer);
  }
}

async function loadGenerator(): Promise<Generator | null> {
  try {
    const mod = (await import('../../ingestion/synthetic')) as Generator;
    return typeof mod.generateCohort === 'function' ? mod : null;
  } catch {
    return null;
  }
}

/** Lands about `bytes` of data: a synthetic cohort when the generator exists, else synthesized Observations. */
async function landRateSet(store: ObjectStore, generator: Generator | null): Promise<string> {
  if (generator) {
    const patients = Math.max(1, Math.round(RATE_SET_BYTES / 55_000));
    const s = await generator.generateCohort(store, { patients, orgs: 3, seed: 7 });
    return `synthetic cohort: ${patients} patients, ${s.files.length} files, ${s.lines} lines`;
  }
  await store.put(
    landingKey({ org: 'org-a', type: 'Observation', batchId: 'bench', part: 0 }),
    observations(RATE_SET_BYTES),
  );
  return 'synthesized Observations (no generator yet)';
}

/** A stream of about `bytes` of Observation lines. */
function observations(bytes: number): Readable {
  return Readable.from(
    (function* () {
      let written = 0;
      for (let i = 0; written < bytes; i++) {
        const line = `${JSON.stringify({
          resourceType: 'Observation',
          id: `obs-${i}`,
          meta: { lastUpdated: '2025-01-02T03:04:05Z' },
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] },
          subject: { reference: `Patient/p-${i % 5000}` },
          effectiveDateTime: '2024-06-01T10:00:00Z',
          valueQuantity: {
            value: 5 + (i % 40) / 10,
            unit: '%',
            system: 'http://unitsofmeasure.org',
            code: '%',
          },
        })}\n`;
        written += line.length;
        yield line;
      }
    })(),
  );
}

async function rateComparison(dir: string, generator: Generator | null): Promise<void> {
  const root = join(dir, 'rate');
  const store = createLocalObjectStore({ root });
  const what = await landRateSet(store, generator);
  const files: string[] = [];
  let bytes = 0;
  for await (const o of store.list(LANDING_PREFIX)) {
    files.push(join(root, o.key));
    bytes += o.size;
  }
  console.log(
    `landing set: ${fmt(mb(bytes))} MB in ${files.length} files (${what}); DuckDB memory_limit ${MEMORY_LIMIT}`,
  );

  const lines: string[] = [];
  const streamed = await measured(async () => {
    let n = 0;
    for (const f of files) {
      for await (const line of readLines(createReadStream(f))) {
        JSON.parse(line.text);
        lines.push(line.text);
        n += 1;
      }
    }
    return n;
  });
  const inMemory = await measured(async () => {
    for (const l of lines) JSON.parse(l);
  });
  lines.length = 0;

  const loaderDb = await createDuckDbWarehouse({ path: join(dir, 'loader.duckdb') });
  await loaderDb.execute(`SET memory_limit = '${MEMORY_LIMIT}'`);
  const loader = await measured(() => loadLanding(store, loaderDb));
  await loaderDb.close();

  const duck = await createDuckDbWarehouse({ path: join(dir, 'read-json.duckdb') });
  const glob = join(root, LANDING_PREFIX, '**', '*.ndjson').replaceAll("'", "''");
  const readJson = await measured(() =>
    duck.execute(`create table raw_objects as
      select json ->> 'resourceType' as resource_type, json ->> 'id' as resource_id, json as raw, filename
      from read_ndjson_objects('${glob}', filename = true)`),
  );
  const [{ n: duckRows } = { n: 0 }] = await duck.query<{ n: number }>(
    'select count(*) as n from raw_objects',
  );
  await duck.close();

  const rate = (seconds: number) => mb(bytes) / seconds;
  const parseMem = rate(inMemory.seconds);
  const parseStream = rate(streamed.seconds);
  const load = rate(loader.seconds);
  const duckRate = rate(readJson.seconds);
  console.log(
    `lines: ${streamed.value} (loader: ${loader.value.loaded} loaded, ${loader.value.quarantined} quarantined; read_json: ${duckRows})`,
  );
  console.log(`JSON.parse per line, lines in memory   : ${fmt(parseMem)} MB/s`);
  console.log(`JSON.parse per line, streamed from disk: ${fmt(parseStream)} MB/s`);
  console.log(`DuckDB read_ndjson_objects → table     : ${fmt(duckRate)} MB/s`);
  console.log(
    `loader end to end                      : ${fmt(load)} MB/s (peak RSS ${fmt(loader.peakRssMb, 0)} MB)`,
  );
  console.log(
    `ratios: loader / JSON.parse in memory ${fmt((100 * load) / parseMem, 0)} %, ` +
      `loader / JSON.parse streamed ${fmt((100 * load) / parseStream, 0)} %, ` +
      `loader / DuckDB read_json ${fmt((100 * load) / duckRate, 0)} %`,
  );
}

/** Peak RSS loading a small file, then a file ten times larger, each into a fresh warehouse. */
async function memoryVersusFileSize(dir: string): Promise<void> {
  for (const size of [20, 200]) {
    const root = join(dir, `size-${size}`);
    const store = createLocalObjectStore({ root });
    await store.put(
      landingKey({ org: 'org-a', type: 'Observation', batchId: `s${size}`, part: 0 }),
      observations(size * 1e6),
    );
    const warehouse = await createDuckDbWarehouse({ path: join(dir, `size-${size}.duckdb`) });
    await warehouse.execute(`SET memory_limit = '${MEMORY_LIMIT}'`);
    const before = mb(process.memoryUsage.rss());
    const r = await measured(() => loadLanding(store, warehouse));
    await warehouse.close();
    await rm(root, { recursive: true, force: true });
    console.log(
      `one ${size} MB file: ${fmt(mb(r.value.bytes) / r.seconds)} MB/s, RSS before ${fmt(before, 0)} MB, peak ${fmt(r.peakRssMb, 0)} MB`,
    );
  }
}

async function cohortMemory(dir: string, generator: Generator | null): Promise<void> {
  if (!generator) {
    console.log('cohort memory: skipped (ingestion/synthetic generateCohort is not there yet)');
    return;
  }
  const store = createLocalObjectStore({ root: join(dir, 'cohort') });
  const gen = await measured(() =>
    generator.generateCohort(store, { patients: COHORT_PATIENTS, orgs: 3, seed: 11 }),
  );
  console.log(
    `cohort of ${COHORT_PATIENTS} patients generated: ${fmt(mb(gen.value.bytes))} MB, ${gen.value.files.length} files, ` +
      `${fmt(gen.seconds)} s, peak RSS ${fmt(gen.peakRssMb, 0)} MB`,
  );
  const warehouse = await createDuckDbWarehouse({ path: join(dir, 'cohort.duckdb') });
  await warehouse.execute(`SET memory_limit = '${MEMORY_LIMIT}'`);
  const load = await measured(() => loadLanding(store, warehouse));
  await warehouse.close();
  console.log(
    `cohort loaded: ${load.value.loaded} rows, ${fmt(mb(load.value.bytes) / load.seconds)} MB/s, ${fmt(load.seconds)} s, ` +
      `peak RSS ${fmt(load.peakRssMb, 0)} MB (process max ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MB)`,
  );
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-loader-'));
  try {
    const generator = await loadGenerator();
    await rateComparison(dir, generator);
    await memoryVersusFileSize(dir);
    await cohortMemory(dir, generator);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
