/**
 * Batching in the gateway core, on a generated cohort in DuckDB: the nested GraphQL query at 50
 * parents, batched (DataLoaders) vs unbatched (one query per parent), both uncached — warehouse
 * queries and latency, as ratios (aims: ≥ 10× fewer queries, ≥ 5× lower latency).
 * Latency of whole requests (REST and GraphQL, in-process and over loopback) is `http.ts`.
 */
import { createClient, openTestApp } from '../support/app';
import { buildTestWarehouse } from '../support/cohort';

const nested = (patients: number) => `{
  patients(first: ${patients}) { edges { node { id
    encounters(first: 5) { edges { node { id subject { id }
      observations(first: 5) { edges { node { id valueQuantity { value unit } } } }
    } } }
  } } }
}`;

async function time(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

export async function run(): Promise<void> {
  const tw = await buildTestWarehouse({ patients: 100, orgs: 2, seed: 3 });
  try {
    const org = tw.organizations[0]!;
    let queries = 0;
    /** Core over the cohort in production mode, uncached, every warehouse query counted. */
    const client = async (batching: boolean) =>
      createClient(
        await openTestApp({
          trust: 'headers',
          warehouse: tw,
          production: true,
          cache: false,
          batching,
          onQuery: () => queries++,
        }),
        org,
      );
    const gql = (c: Awaited<ReturnType<typeof client>>, query: string) =>
      c.graphql(query).then((r) => r.json() as Promise<{ errors?: unknown }>);

    const batched = await client(true);
    const unbatched = await client(false);
    const q50 = nested(50);
    const check = await gql(batched, q50);
    if (check.errors) throw new Error(JSON.stringify(check.errors));
    queries = 0;
    await gql(batched, q50);
    const batchedQueries = queries;
    queries = 0;
    await gql(unbatched, q50);
    const unbatchedQueries = queries;
    const tb = await time(15, () => gql(batched, q50));
    const tu = await time(5, () => gql(unbatched, q50));
    console.log('batching: nested GraphQL query, 50 patients × 5 encounters × 5 observations (uncached)');
    console.log(
      `  warehouse queries  batched ${batchedQueries}  unbatched ${unbatchedQueries}  ratio ${(unbatchedQueries / batchedQueries).toFixed(1)}× fewer`,
    );
    console.log(
      `  latency p50        batched ${fmt(tb.p50)}  unbatched ${fmt(tu.p50)}  ratio ${(tu.p50 / tb.p50).toFixed(1)}× lower`,
    );
  } finally {
    await tw.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
