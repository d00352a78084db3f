/**
 * HTTP benchmark on loopback (autocannon): a cached REST Patient read, an Observation search and
 * a nested GraphQL query (20 patients × encounters × observations) against the real app over a
 * generated cohort, with a bare `node:http` hello server measured in the same run as the yardstick.
 * Then in-process latency (p50/p99): a REST read and search, and the nested GraphQL query against the equivalent REST calls a
 * client would chain (patients → their encounters → those encounters' observations).
 * Aims: cached reads ≥ 25 % of hello's req/s; nested GraphQL p50 ≤ 1.5× the REST chain's.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { createContextFactory } from '../../src/context';
import { createLogger } from '../../src/logger';
import { openRealApp } from '../app/real-app';
import { buildTestWarehouse } from '../support/cohort';
import { servingScenarios } from './support/serving-scenarios';

const DURATION_SECONDS = 6;
const SCENARIO_SECONDS = 10;
const CONNECTIONS = 16;
/** The demo cohort `start` generates (the Medplum comparison ran on it). */
const DEMO = { patients: 1000, orgs: 3, seed: 42 };
const IN_PROCESS_ROUNDS = 150;

const NESTED = `query Nested {
  patients(first: 20) { edges { node { id
    encounters(first: 5) { edges { node { id status
      observations(first: 5) { edges { node { id status valueQuantity { value unit } } } }
    } } }
  } } }
}`;

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(name: string, options: autocannon.Options): Promise<Figures> {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION_SECONDS, ...options });
  const errors = r.errors + r.timeouts + r.non2xx;
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors };
}

const row = (r: Figures, extra = '') =>
  `${r.name.padEnd(40)} ${r.rps.toFixed(0).padStart(7)} ${String(r.p50).padStart(9)} ${String(r.p99).padStart(8)} ${String(r.errors).padStart(8)}${extra}`;

/** The peak resident set size of this process while `fn` runs (sampled every 50 ms). */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  try {
    return { value: await fn(), peakMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timeIt(rounds: number, fn: () => Promise<void>) {
  for (let i = 0; i < 10; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

export async function run(): Promise<void> {
  // The per-organization rate limit would answer most of a load test with 429: lift it, so the
  // figures measure serving (the limiter middleware still runs on every request).
  const unlimited = { RATE_LIMIT_CAPACITY: '1000000000', RATE_LIMIT_REFILL_PER_SECOND: '1000000000' };
  const cohort = await buildTestWarehouse(DEMO);
  const real = await openRealApp(DEMO, {}, unlimited);
  // The same app with the build-keyed cache off: every request reaches the warehouse.
  const uncached = await openRealApp(
    DEMO,
    {
      createContext: createContextFactory({
        warehouse: cohort.warehouse,
        tokenSalt: cohort.salt,
        log: createLogger({ level: 'silent' }),
        cache: false,
      }),
    },
    unlimited,
  );
  const org = real.built.organizations[0]!;
  const auth = { Authorization: `Bearer ${await real.token(org)}` };
  const [patient] = await real.warehouse.query<{ patient_id: string }>(
    'select patient_id from api.fct_observation_api where organization_id = ? group by patient_id order by count(*) desc limit 1',
    [org],
  );
  const patientId = patient!.patient_id;

  const hello = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('hello');
  });
  await new Promise<void>((resolve) => hello.listen(0, '127.0.0.1', resolve));
  const helloUrl = `http://127.0.0.1:${(hello.address() as AddressInfo).port}/`;
  const { startServer } = await import('../../src/server');
  const server = await startServer({ app: real.app, host: '127.0.0.1', port: 0 });
  const uncachedServer = await startServer({ app: uncached.app, host: '127.0.0.1', port: 0 });

  try {
    const results: Figures[] = [];
    results.push(await load('node:http hello', { url: helloUrl }));
    results.push(
      await load('REST Patient read (cached)', {
        url: `${server.url}/v1/fhir/Patient/${patientId}`,
        headers: { ...auth, Accept: 'application/fhir+json' },
      }),
    );
    results.push(
      await load('REST Observation search', {
        url: `${server.url}/v1/fhir/Observation?patient=${patientId}&_count=20`,
        headers: { ...auth, Accept: 'application/fhir+json' },
      }),
    );
    results.push(
      await load('GraphQL nested 20×5×5', {
        url: `${server.url}/graphql`,
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: NESTED }),
      }),
    );

    console.log(`loopback, ${CONNECTIONS} connections, ${DURATION_SECONDS} s each`);
    console.log(`${'scenario'.padEnd(40)}   req/s     p50 ms   p99 ms   errors`);
    for (const r of results) console.log(row(r));

    // The Medplum comparison: five scenarios, cache off and on, rotating over 50 patients.
    const bare = results[0]!;
    const uncachedAuth = { Authorization: `Bearer ${await uncached.token(org)}` };
    console.log(
      `\n${SCENARIO_SECONDS} s each, ${CONNECTIONS} connections; ratios: to this run's bare hello, and to Medplum's req/s`,
    );
    console.log(`${'scenario'.padEnd(40)}   req/s     p50 ms   p99 ms   errors   /hello  /Medplum`);
    let peakMb = 0;
    for (const scenario of servingScenarios(cohort, org)) {
      for (const [mode, url, headers] of [
        ['no cache', uncachedServer.url, uncachedAuth],
        ['cache', server.url, auth],
      ] as const) {
        const measured = await peakRss(() =>
          load(`${scenario.name} (${mode})`, {
            url,
            duration: SCENARIO_SECONDS,
            headers: { ...headers, Accept: 'application/fhir+json' },
            requests: scenario.paths.map((path) => ({ method: 'GET', path })),
          }),
        );
        peakMb = Math.max(peakMb, measured.peakMb);
        const r = measured.value;
        results.push(r);
        console.log(
          row(
            r,
            `${(r.rps / bare.rps).toFixed(3).padStart(9)} ${(r.rps / scenario.medplumRps).toFixed(2).padStart(8)}×`,
          ),
        );
      }
    }
    console.log(
      `peak RSS under load (server and load generator, one process): ${peakMb.toFixed(0)} MB (aim < 600 MB)`,
    );
    const failed = results.filter((r) => r.errors > 0).map((r) => r.name);
    if (failed.length)
      throw new Error(`non-2xx answers under load (${failed.join(', ')}): these figures are not valid`);
    const read = results[1];
    console.log(
      `cached REST read / bare hello req/s: ${((100 * read!.rps) / bare!.rps).toFixed(1)} % (aim ≥ 25 %)`,
    );

    const request = (path: string, init: RequestInit = {}) =>
      real.app.request(path, { ...init, headers: { ...auth, Accept: 'application/json', ...init.headers } });
    const inProcessRead = await timeIt(IN_PROCESS_ROUNDS * 3, async () => {
      await (await request(`/v1/fhir/Patient/${patientId}`)).text();
    });
    const search = await timeIt(IN_PROCESS_ROUNDS * 3, async () => {
      await (await request(`/v1/fhir/Observation?patient=${patientId}&_count=20`)).text();
    });
    console.log(
      `in-process: REST Patient read p50 ${inProcessRead.p50.toFixed(2)} ms p99 ${inProcessRead.p99.toFixed(2)} ms; ` +
        `Observation search (20) p50 ${search.p50.toFixed(2)} ms p99 ${search.p99.toFixed(2)} ms`,
    );
    const graphql = await timeIt(IN_PROCESS_ROUNDS, async () => {
      const res = await request('/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: NESTED }),
      });
      await res.json();
    });
    let restCounts = [0, 0, 0];
    const rest = await timeIt(IN_PROCESS_ROUNDS, async () => {
      const patients = await (await request('/v1/fhir/Patient?_count=20')).json();
      const pids = (patients.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id);
      const encounters = await (
        await request(`/v1/fhir/Encounter?patient=${pids.join(',')}&_count=100`)
      ).json();
      const eids = (encounters.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id);
      const observations = await (
        await request(`/v1/fhir/Observation?encounter=${eids.join(',')}&_count=500`)
      ).json();
      restCounts = [pids.length, eids.length, observations.entry?.length ?? 0];
    });
    console.log(
      `in-process, ${IN_PROCESS_ROUNDS} rounds: nested GraphQL p50 ${graphql.p50.toFixed(1)} ms p99 ${graphql.p99.toFixed(1)} ms; ` +
        `REST chain (${restCounts.join(' → ')} resources, 3 calls) p50 ${rest.p50.toFixed(1)} ms p99 ${rest.p99.toFixed(1)} ms`,
    );
    if (restCounts[2] === 0)
      throw new Error('the REST chain found no observations: the comparison is not valid');
    console.log(`nested GraphQL p50 / REST chain p50: ${(graphql.p50 / rest.p50).toFixed(2)}× (aim ≤ 1.5×)`);
  } finally {
    await server.close();
    await uncachedServer.close();
    await new Promise((resolve) => hello.close(resolve));
    await uncached.close();
    await real.close();
  }
}
