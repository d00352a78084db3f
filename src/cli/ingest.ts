import type { Command } from 'commander';
import { landFiles } from '../../ingestion/landing/land-files';
import { LANDING_PREFIX } from '../../ingestion/landing/landing-keys';
import { loadConfig } from '../config';
import { openObjectStore } from '../object-store';
import { CliError } from './cli-error';
import { registerIngestBulk } from './ingest-bulk';
import { createProgress } from './progress';

const ORG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `fhir-gateway ingest`: land a partner's NDJSON / Bundle files under one organization. */
export function registerIngest(program: Command): void {
  // `ingest bulk` has its own --org: options after the subcommand name are the subcommand's, and
  // this --org is checked in the action (commander checks a parent's required options for its subcommands).
  const ingest = program.command('ingest').enablePositionalOptions();
  registerIngestBulk(ingest);
  ingest
    .description(
      'Land FHIR files (NDJSON, or JSON holding a resource or a Bundle) in the landing area under one organization; ' +
        '`load` then loads them, quarantining any line that is not a valid resource of that organization',
    )
    .option('--org <org>', 'the organization the files belong to (required)')
    .argument('<files...>', '.ndjson files, or .json files holding one resource or a Bundle')
    .option('--quiet', 'no progress output')
    .action(async (files: string[], opts: { org?: string; quiet?: boolean }) => {
      if (!opts.org) throw new CliError("required option '--org <org>' not specified");
      if (!ORG.test(opts.org))
        throw new CliError(`--org must be an organization id like org-1 (got ${JSON.stringify(opts.org)})`);
      const store = await openObjectStore(loadConfig());
      const progress = createProgress('ingest', { unit: 'files', total: files.length, quiet: opts.quiet });
      try {
        const summary = await landFiles(store, {
          org: opts.org,
          paths: files,
          onFile: (_, bytes) => progress.tick(1, bytes),
        });
        progress.stop();
        process.stdout.write(
          `landed ${summary.lines} lines in ${summary.files.length} files under ${LANDING_PREFIX}org=${opts.org}/…/batch=${summary.batchId}/\n` +
            'next: fhir-gateway load (then fhir-gateway transform)\n',
        );
      } catch (error) {
        progress.stop();
        if ((error as NodeJS.ErrnoException).code === 'ENOENT')
          throw new CliError(`No such file: ${(error as NodeJS.ErrnoException).path}`);
        throw error;
      }
    });
}
