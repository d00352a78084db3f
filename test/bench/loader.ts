/**
 * Loader benchmark, all in one run over the same landing files:
 * - `loadLanding` end to end (read, split, validate, stage, copy, commit, and the checkpoint
 *   DuckDB does on close) in MB/s;
 * - DuckDB's own `read_ndjson_objects` of the same files into a table (commit included,
 *   checkpoint on close not);
 * - a bare `JSON.parse` per line (lines already in memory, and streamed from disk), and
 *   `readLines` + `validateLine` alone;
 * - peak RSS per stage, each stage in a fresh child process (its own max RSS): validation alone
 *   and a load, for one small and one ten times larger file; generating and loading cohorts of
 *   growing size (memory must not follow file or cohort size). `COHORT_PATIENTS=100000` runs one
 *   cohort of that size instead.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { LANDING_PREFIX, landingKey, parseLandingKey } from '../../ingestion/landing/landing-keys';
import { loadLanding } from '../../ingestion/loader';
import { readLines, validateLine } from '../../ingestion/ndjson';
import { loadConfig } from '../../src/config';
import { createLocalObjectStore, type ObjectStore } from '../../src/object-store';
import { createDuckDbWarehouse } from '../../src/warehouse';

/** Landing set for the rate comparison (bytes, roughly). */
const RATE_SET_BYTES = 64 * 1024 * 1024;
/** DuckDB's memory limit during loads, as `fhir-gateway load` sets it by default. */
const MEMORY_LIMIT = '512MB';
/** Cohorts generated and loaded for the memory figures (100k ≈ 5.2 GB, several minutes: `COHORT_PATIENTS`). */
const COHORT_SIZES = [2_500, 5_000, 10_000];

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
  const validated = await measured(() => validateFiles(root, files));

  const loaderDb = await createDuckDbWarehouse({ path: join(dir, 'loader.duckdb') });
  await loaderDb.execute(`SET memory_limit = '${MEMORY_LIMIT}'`);
  const loader = await measured(async () => {
    const summary = await loadLanding(store, loaderDb);
    const closing = performance.now();
    await loaderDb.close();
    return { summary, closeSeconds: (performance.now() - closing) / 1000 };
  });

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
  const { summary } = loader.value;
  console.log(
    `lines: ${streamed.value} (loader: ${summary.loaded} loaded, ${summary.quarantined} quarantined; read_json: ${duckRows})`,
  );
  console.log(`JSON.parse per line, lines in memory   : ${fmt(parseMem)} MB/s`);
  console.log(`JSON.parse per line, streamed from disk: ${fmt(parseStream)} MB/s`);
  console.log(`readLines + validateLine (no DuckDB)   : ${fmt(rate(validated.seconds))} MB/s`);
  console.log(`DuckDB read_ndjson_objects → table     : ${fmt(duckRate)} MB/s`);
  console.log(
    `loader end to end (load + close)       : ${fmt(load)} MB/s (load ${fmt(summary.seconds, 2)} s, ` +
      `close/checkpoint ${fmt(loader.value.closeSeconds, 2)} s)`,
  );
  console.log(
    `ratios: loader / JSON.parse in memory ${fmt((100 * load) / parseMem, 0)} %, ` +
      `loader / JSON.parse streamed ${fmt((100 * load) / parseStream, 0)} %, ` +
      `loader / DuckDB read_json ${fmt((100 * load) / duckRate, 0)} %`,
  );
}

/** `readLines` + `validateLine` over landing files, nothing kept. */
async function validateFiles(root: string, files: string[]): Promise<number> {
  let accepted = 0;
  for (const f of files) {
    const landing = parseLandingKey(f.slice(root.length + 1));
    const expect = { org: landing?.org ?? '', type: landing?.type ?? '' };
    for await (const line of readLines(createReadStream(f))) {
      if (validateLine(line.text, expect).ok) accepted += 1;
    }
  }
  return accepted;
}

interface StageFigures {
  seconds: number;
  maxRssMb: number;
  bytes: number;
  files?: number;
  loaded?: number;
}

const runTs = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
const self = fileURLToPath(import.meta.url);

/** Runs one stage in a fresh Node process so its max RSS is its own. */
function inChild(stage: 'validate' | 'load' | 'generate', root: string, arg = ''): Promise<StageFigures> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [runTs, self, '--stage', stage, root, arg], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as StageFigures)
        : reject(new Error(`${stage} stage failed (${code})`)),
    );
  });
}

/** The child side of `inChild`: runs the stage and prints its figures as JSON. */
async function runStage(stage: string, root: string, arg: string): Promise<void> {
  const store = createLocalObjectStore({ root });
  const started = performance.now();
  let figures: Omit<StageFigures, 'seconds' | 'maxRssMb'>;
  if (stage === 'validate') {
    const files: string[] = [];
    let bytes = 0;
    for await (const o of store.list(LANDING_PREFIX)) {
      files.push(join(root, o.key));
      bytes += o.size;
    }
    figures = { bytes, files: files.length, loaded: await validateFiles(root, files) };
  } else if (stage === 'load') {
    const warehouse = await createDuckDbWarehouse({ path: arg });
    await warehouse.execute(`SET memory_limit = '${MEMORY_LIMIT}'`);
    const s = await loadLanding(store, warehouse);
    await warehouse.close();
    figures = { bytes: s.bytes, files: s.files, loaded: s.loaded };
  } else {
    const generator = await loadGenerator();
    if (!generator) throw new Error('no generator');
    const s = await generator.generateCohort(store, { patients: Number(arg), orgs: 3, seed: 11 });
    figures = { bytes: s.bytes, files: s.files.length };
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({ ...figures, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }),
  );
}

const stageLine = (what: string, f: StageFigures) =>
  `${what}: ${fmt(mb(f.bytes))} MB, ${fmt(mb(f.bytes) / f.seconds)} MB/s, ${fmt(f.seconds)} s, peak RSS ${fmt(f.maxRssMb, 0)} MB`;

/** Peak RSS of validation alone and of a load, for a small file and one ten times larger. */
async function memoryVersusFileSize(dir: string): Promise<void> {
  for (const size of [20, 200]) {
    const root = join(dir, `size-${size}`);
    const store = createLocalObjectStore({ root });
    await store.put(
      landingKey({ org: 'org-a', type: 'Observation', batchId: `s${size}`, part: 0 }),
      observations(size * 1e6),
    );
    console.log(stageLine(`one ${size} MB file, readLines + validateLine`, await inChild('validate', root)));
    console.log(
      stageLine(`one ${size} MB file, loaded`, await inChild('load', root, join(dir, `size-${size}.duckdb`))),
    );
    await rm(root, { recursive: true, force: true });
    await rm(join(dir, `size-${size}.duckdb`), { force: true });
  }
}

/** Peak RSS generating, then loading, cohorts of growing size (each stage in its own process). */
async function cohortMemory(dir: string, generator: Generator | null): Promise<void> {
  if (!generator) {
    console.log('cohort memory: skipped (ingestion/synthetic generateCohort is not there yet)');
    return;
  }
  const requested = loadConfig().bench.cohortPatients;
  for (const patients of requested ? [requested] : COHORT_SIZES) {
    const root = join(dir, `cohort-${patients}`);
    const db = join(dir, `cohort-${patients}.duckdb`);
    console.log(
      stageLine(
        `cohort of ${patients} patients generated`,
        await inChild('generate', root, String(patients)),
      ),
    );
    const load = await inChild('load', root, db);
    console.log(`${stageLine(`cohort of ${patients} patients loaded`, load)}, ${load.loaded} rows`);
    await rm(root, { recursive: true, force: true });
    await rm(db, { force: true });
  }
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

const stageAt = process.argv.indexOf('--stage');
if (stageAt > 0 && process.argv[1] === self) {
  const [stage, root, arg] = process.argv.slice(stageAt + 1) as [string, string, string];
  await runStage(stage, root, arg);
}
