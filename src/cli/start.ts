import { join } from 'node:path';
import type { Command } from 'commander';
import { LANDING_PREFIX } from '../../ingestion/landing/landing-keys';
import { loadLanding } from '../../ingestion/loader';
import { generateCohort } from '../../ingestion/synthetic';
import { openApp } from '../app';
import { type Config, loadConfig } from '../config';
import { QUICK_QUERY } from '../graphql/graphiql/example-query';
import { createLogger } from '../logger';
import { type ObjectStore, openObjectStore } from '../object-store';
import { listServedOrganizations } from '../repository';
import { startServer } from '../server';
import { openRawWarehouse } from '../warehouse';
import { currentBuildFile } from '../warehouse/duckdb-builds';
import { CliError } from './cli-error';
import { buildMarts } from './dbt-build';
import { createProgress } from './progress';
import { untilSignal } from './serve';

const COHORT = { patients: 1000, orgs: 3, seed: 42 };
const BANNER_TOKEN_TTL_SECONDS = 8 * 3600;

/**
 * `fhir-gateway start` (= `npm start`): generate a cohort if the landing area is empty, load what
 * is new, build the dbt models when something was loaded (or they were never built), then serve.
 * A second start finds everything in place and serves within seconds.
 */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Generate (first run only) → load → transform → serve GraphiQL and REST FHIR on localhost')
    .option('--patients <n>', 'patients generated on first run', String(COHORT.patients))
    .option('--orgs <n>', 'organizations generated on first run', String(COHORT.orgs))
    .option('--seed <n>', 'generator seed', String(COHORT.seed))
    .option('--quiet', 'no progress output')
    .action(async (opts: { patients: string; orgs: string; seed: string; quiet?: boolean }) => {
      const config = loadConfig();
      const log = createLogger({ level: config.logLevel });
      const started = performance.now();
      const store = await openObjectStore(config);
      if (!(await hasLandingData(store))) {
        const cohort = { patients: Number(opts.patients), orgs: Number(opts.orgs), seed: Number(opts.seed) };
        const progress = createProgress('generate', {
          total: cohort.patients,
          unit: 'patients',
          quiet: opts.quiet,
        });
        try {
          await generateCohort(store, cohort, { onPatient: () => progress.tick() });
        } finally {
          progress.stop();
        }
      }
      const raw = await openRawWarehouse(config);
      let loaded: { files: number };
      try {
        const progress = createProgress('load', { unit: 'files', quiet: opts.quiet });
        loaded = await loadLanding(store, raw, {
          log,
          stagingDir: join(config.dataDir, 'staging'),
          onFile: (f) => progress.tick(1, f.bytes),
        });
        progress.stop();
      } finally {
        await raw.close();
      }
      if (loaded.files > 0 || !(await hasBuild(config))) {
        if (config.warehouse.kind !== 'duckdb')
          throw new CliError('`start` runs the local DuckDB pipeline only');
        await buildMarts(config, { quiet: !!opts.quiet });
      }
      const opened = await openApp(config, log);
      try {
        const server = await startServer({
          app: opened.app,
          host: config.server.host,
          port: config.server.port,
        });
        const organizations = await listServedOrganizations(opened.warehouse);
        const tokens = await Promise.all(
          organizations.map(async (org) => ({
            org,
            token: await opened.devIssuer!.mintDevToken({ org, ttlSeconds: BANNER_TOKEN_TTL_SECONDS }),
          })),
        );
        process.stdout.write(banner(server.port, tokens, (performance.now() - started) / 1000));
        await untilSignal(server, async () => undefined);
      } finally {
        await opened.close();
      }
    });
}

async function hasLandingData(store: ObjectStore): Promise<boolean> {
  for await (const _ of store.list(LANDING_PREFIX)) return true;
  return false;
}

async function hasBuild(config: Config): Promise<boolean> {
  return config.warehouse.kind !== 'duckdb' || !!(await currentBuildFile(config.warehouse.martsDir));
}

function banner(port: number, tokens: { org: string; token: string }[], seconds: number): string {
  const base = `http://localhost:${port}`;
  const first = tokens[0];
  const query = QUICK_QUERY;
  return `
fhir-gateway is up in ${seconds.toFixed(1)} s

  GraphiQL       ${base}/graphql   (opens with a dev token; ?org=<org> for another organization)
  API reference  ${base}/docs
  REST FHIR      ${base}/v1/fhir/metadata

Dev tokens (${BANNER_TOKEN_TTL_SECONDS / 3600} h; more with \`npx fhir-gateway token --org <org>\`):
${tokens.map((t) => `  ${t.org}\n    ${t.token}`).join('\n')}
${
  first
    ? `
Try it:
  export TOKEN=${first.token}
  curl -s -H "Authorization: Bearer $TOKEN" '${base}/v1/fhir/Patient?_count=2'
  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
    -d '${JSON.stringify({ query })}' ${base}/graphql

GraphQL (paste into GraphiQL):
  ${query}
`
    : ''
}
Ctrl-C stops the server; the data under .data/ is kept for the next start.
`;
}
