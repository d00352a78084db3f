/**
 * `transform build` of dbt/ on generated cohorts of 1k and 10k patients (3 organizations):
 * wall time, the slowest nodes, and peak RSS sampled during the build (DuckDB's native memory
 * included). Aim: 1k patients under 10 s. Generation and loading are not timed here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLanding } from '../../ingestion/loader';
import { generateCohort } from '../../ingestion/synthetic';
import { createLocalObjectStore } from '../../src/object-store';
import { runTransform } from '../../src/transform';
import { createDuckDbWarehouse } from '../../src/warehouse';

const SIZES = [1_000, 10_000];

async function measure(patients: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-transform-'));
  const path = join(dir, 'warehouse.duckdb');
  try {
    const store = createLocalObjectStore({ root: dir });
    await generateCohort(store, { patients, orgs: 3, seed: 2024 });
    const warehouse = await createDuckDbWarehouse({ path });
    await loadLanding(store, warehouse);
    const [raw] = await warehouse.query<{ n: number }>(
      `select (select count(*) from raw.fhir_patient) + (select count(*) from raw.fhir_encounter)
            + (select count(*) from raw.fhir_observation) + (select count(*) from raw.fhir_condition) as n`,
    );
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 25);
    const started = performance.now();
    const result = await runTransform({
      warehouse,
      command: 'build',
      projectDir: 'dbt',
      env: { FHIR_TOKEN_SALT: 'bench-salt-0123456789abcdef', FHIR_GATEWAY_DUCKDB_PATH: path },
      output: () => undefined,
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    await warehouse.close();
    const slowest = [...result.results]
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 3)
      .map((r) => `${r.node.split('.').pop()} ${r.seconds.toFixed(1)} s`)
      .join(', ');
    console.log(
      `${patients.toLocaleString('en')} patients (${raw!.n.toLocaleString('en')} raw resources): build ${seconds.toFixed(1)} s` +
        ` (${result.ok ? 'ok' : 'FAILED'}, ${result.results.length} nodes), peak RSS ${(peak / 1e6).toFixed(0)} MB` +
        ` (${(baseline / 1e6).toFixed(0)} MB before)${patients === 1_000 ? ` — aim < 10 s: ${seconds < 10 ? 'met' : 'missed'}` : ''}`,
    );
    console.log(`  slowest: ${slowest}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  for (const patients of SIZES) await measure(patients);
}
