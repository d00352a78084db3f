/**
 * Snowflake through the real driver (snowflake-sdk, the gateway's adapter) against the stand-in
 * with a fixed 150 ms added to every statement — Snowflake's typical point-lookup latency:
 *  - the nested GraphQL query (20 patients × 5 encounters × 5 observations) batched vs unbatched,
 *    and the same data through REST calls (aims: under 4× one statement; ≥ 20× faster than unbatched);
 *  - cold start of the Lambda bundle (esbuild of src/handlers/lambda.ts): its size, and the time
 *    from import to the first answered request in a fresh process, on a stand-in without added
 *    latency (aims: under 10 MB; under 1 s plus the warehouse's own login).
 */
import { execFile } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { ESM_CJS_BANNER, EXTERNAL_MODULES } from '../../infra/lib/lambda-bundling';
import { createClient, entryIds, openTestApp } from '../support/app';
import { buildTestWarehouse, type TestWarehouse } from '../support/cohort';
import { openStandinCohort, standinEnv, throwawayKey } from '../support/snowflake-standin/standin-cohort';

const LATENCY_MS = 150;
/** The gateway's default SNOWFLAKE_POOL_MAX. */
const POOL = 4;
const ROOT = resolve(import.meta.dirname, '../..');
const NESTED = `{
  patients(first: 20) { edges { node { id
    encounters(first: 5) { edges { node { id
      observations(first: 5) { edges { node { id valueQuantity { value unit } } } }
    } } }
  } } }
}`;

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}
const ms = (v: number) => `${v.toFixed(0)} ms`;

async function batching(tw: TestWarehouse): Promise<void> {
  const sf = await openStandinCohort(tw, { latencyMs: LATENCY_MS, poolMax: POOL });
  try {
    const org = tw.organizations[0]!;
    let statements = 0;
    /** Core over the stand-in in production mode, uncached, every statement counted. */
    const client = async (batching: boolean) =>
      createClient(
        await openTestApp({
          trust: 'headers',
          warehouse: { warehouse: sf.warehouse, salt: tw.salt },
          production: true,
          cache: false,
          batching,
          onQuery: () => statements++,
        }),
        org,
      );
    const batched = await client(true);
    const unbatched = await client(false);
    const gql = (c: typeof batched) =>
      c.graphql(NESTED).then(async (r) => {
        const body = (await r.json()) as { errors?: unknown };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
      });
    const rest = batched;
    const restCalls = async () => {
      const patients = entryIds(await rest.bundle('Patient?_count=20'));
      const encounters = await Promise.all(
        patients.map((p) => rest.bundle(`Encounter?patient=${p}&_count=5`)),
      );
      await Promise.all(
        encounters.flatMap(entryIds).map((e) => rest.bundle(`Observation?encounter=${e}&_count=5`)),
      );
    };
    const count = async (fn: () => Promise<unknown>) => {
      statements = 0;
      await fn();
      return statements;
    };
    await gql(batched); // sessions logged in, caches warm
    const nB = await count(() => gql(batched));
    const nU = await count(() => gql(unbatched));
    const nR = await count(restCalls);
    const tOne = await median(5, () => sf.warehouse.query('select 1 as one'));
    const tB = await median(5, () => gql(batched));
    const tU = await median(2, () => gql(unbatched));
    const tR = await median(2, restCalls);
    console.log(`snowflake: stand-in + ${LATENCY_MS} ms per statement, pool of ${POOL} sessions, uncached`);
    console.log(`  one statement (select 1)      ${ms(tOne)}`);
    console.log(
      `  nested GraphQL 20×5×5         batched ${ms(tB)} (${nB} statements, ${(tB / tOne).toFixed(1)}× one statement)`,
    );
    console.log(
      `                                unbatched ${ms(tU)} (${nU} statements) → batched ${(tU / tB).toFixed(1)}× faster`,
    );
    console.log(
      `  same data through REST        ${ms(tR)} (${nR} calls' statements) → GraphQL batched ${(tR / tB).toFixed(1)}× faster`,
    );
  } finally {
    await sf.close();
  }
}

export async function coldStart(tw: TestWarehouse): Promise<void> {
  const out = join(ROOT, '.data', 'bench', 'lambda');
  await mkdir(out, { recursive: true });
  const bundle = join(out, 'lambda.mjs');
  await build({
    entryPoints: [join(ROOT, 'src/handlers/lambda.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // The deployed functions' banner (infra/lib/constructs/fhir-function.ts).
    banner: { js: ESM_CJS_BANNER },
    outfile: bundle,
    // As deployed: DuckDB, graphql and the GraphiQL page stay out (they resolve from the repository here).
    external: EXTERNAL_MODULES,
    logLevel: 'error',
  });
  const size = (await stat(bundle)).size;
  const sf = await openStandinCohort(tw);
  try {
    const keyPath = join(tw.dir, 'cold-key.pem');
    await writeFile(keyPath, throwawayKey(), { mode: 0o600 });
    const env = {
      ...process.env,
      ...standinEnv(sf.standin!.accessUrl, keyPath),
      DATA_DIR: tw.dir,
      TOKEN_SALT: tw.salt,
      LOG_LEVEL: 'error',
      AUDIT_LOG: join(tw.dir, 'audit.ndjson'),
      SNOWFLAKE_CACHE_DIR: join(tw.dir, 'snowflake-cache'),
    };
    const run = promisify(execFile);
    const org = tw.organizations[0]!;
    const token = (
      await run(process.execPath, [join(ROOT, 'bin/fhir-gateway.js'), 'token', '--org', org], {
        env: { ...env, WAREHOUSE: 'duckdb' },
      })
    ).stdout.trim();
    const probe = join(out, 'probe.mjs');
    await writeFile(
      probe,
      `const t0 = performance.now();
const { handler } = await import(${JSON.stringify(bundle)});
const tImport = performance.now();
const event = { version: '2.0', routeKey: '$default', rawPath: '/v1/fhir/Patient', rawQueryString: '_count=1',
  headers: { authorization: 'Bearer ${token}', host: 'bench.local' },
  requestContext: { http: { method: 'GET', path: '/v1/fhir/Patient', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
    requestId: 'cold', stage: '$default', timeEpoch: Date.now(), domainName: 'bench.local', accountId: '0', apiId: 'x' },
  isBase64Encoded: false };
handler(event, {}).then((res) => {
  console.log(JSON.stringify({ importMs: tImport - t0, firstMs: performance.now() - t0, status: res.statusCode, body: res.statusCode === 200 ? undefined : res.body }));
  process.exit(0);
});`,
    );
    const samples: { importMs: number; firstMs: number; status: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const { stdout, stderr } = await run(process.execPath, [probe], { env });
      const sample = JSON.parse(stdout.trim().split('\n').pop()!);
      if (sample.status !== 200)
        console.log(`  (first request failed: ${stdout.slice(0, 2000)}${stderr.slice(-2000)})`);
      samples.push(sample);
    }
    const login = await median(3, async () => {
      const w = (await import('../../src/warehouse/snowflake-warehouse')).createSnowflakeWarehouse({
        account: 'standin',
        accessUrl: sf.standin!.accessUrl,
        user: 'standin',
        privateKey: throwawayKey(),
        database: 'FHIR_GATEWAY',
        poolMax: 1,
        statementTimeoutSeconds: 30,
        acquireTimeoutMs: 10_000,
        cacheDir: join(tw.dir, 'snowflake-cache'),
        logLevel: 'silent',
      });
      await w.query('select 1 as one');
      await w.close();
    });
    const mid = samples.sort((a, b) => a.firstMs - b.firstMs)[1]!;
    console.log('cold start: the gateway Lambda bundle with snowflake-sdk (esbuild, minified, ESM)');
    console.log(`  bundle size                   ${(size / 1024 / 1024).toFixed(1)} MB`);
    console.log(
      `  fresh process, median of 3    import ${ms(mid.importMs)}; first answered request ${ms(mid.firstMs)} (status ${mid.status})`,
    );
    console.log(`  of which the warehouse        login + first statement on a warm process ${ms(login)}`);
  } finally {
    await sf.close();
  }
}

export async function run(): Promise<void> {
  const tw = await buildTestWarehouse({ patients: 60, orgs: 2, seed: 5 });
  try {
    await batching(tw);
    await coldStart(tw);
  } finally {
    await tw.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
