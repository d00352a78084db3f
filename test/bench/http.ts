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
import { openTestApp } from '../support/app';
import { demoApp } from './support/demo-app';
import { CONNECTIONS, type Figures, load, row } from './support/load';
import { compareWithMedplum } from './support/medplum-comparison';

const IN_PROCESS_ROUNDS = 150;

const NESTED = `query Nested {
  patients(first: 20) { edges { node { id
    encounters(first: 5) { edges { node { id status
      observations(first: 5) { edges { node { id status valueQuantity { value unit } } } }
    } } }
  } } }
}`;

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
  const real = await openTestApp(demoApp({ cache: true }));
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

    console.log(`loopback, ${CONNECTIONS} connections, 6 s each`);
    console.log(`${'scenario'.padEnd(40)}   req/s     p50 ms   p99 ms   errors`);
    for (const r of results) console.log(row(r));

    // The Medplum comparison: five scenarios, cache off and on, rotating over 50 patients, with
    // the server in a process of its own (support/serving-server.ts).
    await compareWithMedplum(results);
    const failed = results.filter((r) => r.errors > 0).map((r) => r.name);
    if (failed.length)
      throw new Error(`non-2xx answers under load (${failed.join(', ')}): these figures are not valid`);
    const [bare, read] = results;
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
    await new Promise((resolve) => hello.close(resolve));
    await real.close();
  }
}
