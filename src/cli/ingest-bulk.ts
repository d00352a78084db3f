/**
 * `fhir-gateway ingest bulk`: pull an EHR's data with the FHIR Bulk Data $export flow, run locally
 * (the same flow document and handlers Step Functions runs in AWS), then load it and build the
 * models. Prints progress (resources, MB/s, each file) and the job's ledger.
 */

import { join } from 'node:path';
import type { Command } from 'commander';
import { createBulkDeps } from '../../ingestion/bulk/bulk-deps';
import type { BulkLedger, ExportLevel } from '../../ingestion/bulk/bulk-job-store';
import { runBulkFlowLocally } from '../../ingestion/bulk/local-runner';
import { newBatchId } from '../../ingestion/landing/land-files';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openRawWarehouse } from '../warehouse';
import { CliError } from './cli-error';
import { buildMarts } from './dbt-build';
import { createProgress } from './progress';

const ORG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
const repeat = (value: string, previous: string[] = []) => [...previous, value];

interface BulkOptions {
  source: string;
  org: string;
  level: string;
  type?: string[];
  since?: string;
  until?: string;
  typeFilter?: string[];
  patient?: string[];
  post?: boolean;
  outputFormat?: string;
  job?: string;
  load: boolean;
  transform: boolean;
  quiet?: boolean;
}

/** Registers `bulk` under the `ingest` command. */
export function registerIngestBulk(ingest: Command): void {
  ingest
    .command('bulk')
    .exitOverride()
    .showHelpAfterError()
    .description(
      'Pull from an EHR with FHIR Bulk Data $export (SMART Backend Services when BULK_CLIENT_ID is set), ' +
        'land every file, then load and transform; prints the job ledger',
    )
    .requiredOption(
      '--source <base-url>',
      'the FHIR server base URL (its origin is allowed; others via BULK_ALLOWED_ORIGINS)',
    )
    .requiredOption('--org <org>', 'the organization the data lands under')
    .option('--level <level>', 'system | patient | group:<id>', 'system')
    .option('--type <types>', 'resource types, comma-separated (_type)', list)
    .option('--since <instant|last>', '_since; `last` = the previous completed job for this org and source')
    .option('--until <instant>', '_until')
    .option('--type-filter <query>', '_typeFilter (repeatable)', repeat)
    .option('--patient <reference>', 'patient parameter (repeatable; kick-off by POST)', repeat)
    .option('--post', 'kick off with POST and a Parameters body')
    .option('--output-format <mime>', '_outputFormat')
    .option('--job <id>', 'the job id (re-run an unfinished job with the same id to resume it)')
    .option('--no-load', 'land only (no load, no transform)')
    .option('--no-transform', 'load, but do not run the dbt build')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Example (a public sandbox-style server with no authorization):
  fhir-gateway ingest bulk --source https://bulk-data.smarthealthit.org/fhir --org org-1 \\
    --type Patient,Encounter,Observation,Condition

Ledger: lines seen = landed + quarantined for every file; "completed" only when all balanced.
Job state: <data>/jobs/bulk/<job>/ (job.json, manifest.json, files/, errors/, ledger.json)`,
    )
    .action(async (opts: BulkOptions) => {
      if (!ORG.test(opts.org))
        throw new CliError(`--org must be an organization id like org-1 (got ${JSON.stringify(opts.org)})`);
      if (!/^(system|patient|group:[A-Za-z0-9\-.]{1,64})$/.test(opts.level)) {
        throw new CliError('--level must be system, patient or group:<id>');
      }
      const config = loadConfig();
      const log = createLogger({ level: config.logLevel });
      const progress = createProgress('bulk', { unit: 'resources', quiet: opts.quiet });
      const deps = await createBulkDeps(config, {
        onProgress: (p) => progress.tick(p.resources, p.wireBytes),
      });
      const jobId = opts.job ?? newBatchId('bulk');
      const raw = opts.load ? await openRawWarehouse(config) : undefined;
      let result: Awaited<ReturnType<typeof runBulkFlowLocally>>;
      try {
        result = await runBulkFlowLocally(
          deps,
          {
            jobId,
            source: opts.source,
            org: opts.org,
            level: opts.level as ExportLevel,
            types: opts.type,
            since: opts.since,
            until: opts.until,
            typeFilter: opts.typeFilter,
            patients: opts.patient,
            method: opts.post ? 'POST' : 'GET',
            outputFormat: opts.outputFormat,
          },
          {
            warehouse: raw,
            stagingDir: join(config.dataDir, 'staging'),
            log,
            onFile: (f) => {
              if (!opts.quiet && f.status !== 'in-progress') {
                process.stderr.write(
                  `file ${f.index}: ${f.status}${f.lines !== undefined ? ` (${f.lines} lines)` : ''}\n`,
                );
              }
            },
          },
        );
      } finally {
        progress.stop();
        await raw?.close();
      }
      const { ledger, load } = result;
      process.stdout.write(
        formatLedger(jobId, ledger, 'error' in result.outcome ? result.outcome.error : undefined),
      );
      if (load) {
        process.stdout.write(
          `loaded ${load.files} files (${load.loaded} rows, ${load.quarantined} quarantined) into the raw tables\n`,
        );
      }
      if (opts.load && opts.transform && load && load.files > 0) {
        await buildMarts(config, { quiet: !!opts.quiet });
      }
      process.exitCode =
        ledger?.status === 'completed' ? 0 : ledger?.status === 'completed-with-errors' ? 2 : 1;
    });
}

/** The ledger as a short table. */
export function formatLedger(jobId: string, ledger: BulkLedger | null, error?: string): string {
  if (!ledger) return `job ${jobId}: no ledger (${error ?? 'the flow did not finish'})\n`;
  const rows = ledger.perFile.map(
    (f) =>
      `  ${String(f.index).padStart(4)}  ${f.kind.padEnd(7)} ${f.type.padEnd(16)} ${f.status.padEnd(11)} ` +
      `${String(f.lines).padStart(8)} ${String(f.landed).padStart(8)} ${String(f.quarantined).padStart(8)} ${String(f.deleted).padStart(7)}` +
      `${f.error ? `  ${f.error}` : ''}`,
  );
  return [
    `job ${ledger.jobId} (org ${ledger.org}): ${ledger.status}${ledger.failure ? ` — ${ledger.failure}` : ''}`,
    `  files ${ledger.files.total} (landed ${ledger.files.landed}, failed ${ledger.files.failed}, unfinished ${ledger.files.unfinished}), ` +
      `${(ledger.bytes / 1e6).toFixed(1)} MB`,
    `  lines seen ${ledger.lines} = landed ${ledger.landed} + quarantined ${ledger.quarantined}; tombstones ${ledger.deleted}; server errors ${ledger.errors}` +
      `${ledger.balanced ? '' : '  (NOT balanced)'}`,
    '  file  kind    type             status         lines   landed  quarant deleted',
    ...rows,
    '',
  ].join('\n');
}
