/**
 * `transform build` (dbt Core, dbt-duckdb) on generated cohorts of 1k and 10k patients (3
 * organizations): wall time including dbt's start-up, the slowest nodes (run_results.json) and
 * the peak RSS of the whole process tree (dbt's Python and DuckDB in it). Then, on the 10k
 * cohort, an incremental build after a 10-patient batch, against the full build's time.
 * Baseline: the project's former TypeScript dbt runner on this machine, last measured at 1k 8.0 s /
 * 1.2 GB and 10k 42.8 s / 2.95 GB. Aims: 1k under 10 s; 10k under 40 s and 2 GB; incremental
 * under 15 % of the full build. Generation and loading are not timed here (`pipeline` times them).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLanding } from '../../ingestion/loader';
import { generateCohort } from '../../ingestion/synthetic';
import { type Config, loadConfig } from '../../src/config';
import { openObjectStore } from '../../src/object-store';
import { transform } from '../../src/transform';
import { openRawWarehouse } from '../../src/warehouse';
import { measureTree } from './support/process-tree-rss';

const RUNNER = { 1000: { seconds: 8.0, mb: 1200 }, 10000: { seconds: 42.8, mb: 2950 } } as const;

async function land(config: Config, cohort: { patients: number; orgs: number; seed: number }) {
  const store = await openObjectStore(config);
  await generateCohort(store, cohort);
  const raw = await openRawWarehouse(config);
  try {
    await loadLanding(store, raw);
  } finally {
    await raw.close();
  }
}

async function build(config: Config) {
  const lines: string[] = [];
  const measured = await measureTree(() =>
    transform(config, { args: ['build'], output: (l) => lines.push(l) }),
  );
  if (measured.result !== 0) throw new Error(`dbt build failed:\n${lines.slice(-20).join('\n')}`);
  const results = JSON.parse(
    readFileSync(join(config.dataDir, 'dbt', 'target', 'run_results.json'), 'utf8'),
  ) as {
    results: { unique_id: string; execution_time: number }[];
  };
  const slowest = [...results.results]
    .sort((a, b) => b.execution_time - a.execution_time)
    .slice(0, 3)
    .map((r) => `${r.unique_id.split('.').pop()} ${r.execution_time.toFixed(1)} s`)
    .join(', ');
  return { ...measured, nodes: results.results.length, slowest };
}

async function measure(patients: 1_000 | 10_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-transform-'));
  try {
    const config = loadConfig({ DATA_DIR: dir, TOKEN_SALT: 'bench-salt-0123456789abcdef' });
    await land(config, { patients, orgs: 3, seed: 2024 });
    const full = await build(config);
    const before = RUNNER[patients];
    console.log(
      `${patients.toLocaleString('en')} patients: build ${full.seconds.toFixed(1)} s (${full.nodes} nodes), peak RSS ${full.peakMb.toFixed(0)} MB` +
        ` — ${(full.seconds / before.seconds).toFixed(2)}× the old runner's ${before.seconds} s, ${(full.peakMb / before.mb).toFixed(2)}× its ${before.mb} MB`,
    );
    console.log(`  slowest: ${full.slowest}`);
    if (patients !== 10_000) return;
    await land(config, { patients: 10, orgs: 3, seed: 2025 });
    const incremental = await build(config);
    console.log(
      `  incremental build after a 10-patient batch: ${incremental.seconds.toFixed(1)} s = ${((100 * incremental.seconds) / full.seconds).toFixed(0)} % of the full build` +
        ` (aim < 15 %), peak RSS ${incremental.peakMb.toFixed(0)} MB; slowest: ${incremental.slowest}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await measure(1_000);
  await measure(10_000);
}
