import { join } from 'node:path';
import type { Command } from 'commander';
import { LANDING_PREFIX } from '../../ingestion/landing/landing-keys';
import { loadLanding, QUARANTINE_PREFIX } from '../../ingestion/loader';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openObjectStore } from '../object-store';
import { openRawWarehouse } from '../warehouse';
import { createProgress } from './progress';

/** `fhir-gateway load`: the local stand-in for Snowpipe (landing NDJSON → raw tables in DuckDB). */
export function registerLoad(program: Command): void {
  program
    .command('load')
    .description(
      'Load every landing file not loaded before into the raw tables, exactly once per object key; ' +
        'refused lines go to quarantine/ with a reason',
    )
    .option('--prefix <prefix>', 'only load objects under this key prefix', LANDING_PREFIX)
    .option('--concurrency <n>', 'files loaded at the same time', '2')
    .option('--memory-limit <size>', "DuckDB's memory limit while loading (e.g. 512MB, 2GB)", '512MB')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Landing layout: ${LANDING_PREFIX}org=<org>/type=<Type>/batch=<id>/part-<nnnnn>.ndjson
Raw tables:     raw.fhir_organization | patient | encounter | observation | condition
History:        raw.load_history (one row per loaded key), raw.load_ledger (per batch: seen = loaded + quarantined)
Quarantine:     ${QUARANTINE_PREFIX}org=<org>/type=<Type>/batch=<id>/part-<nnnnn>.ndjson
                ({source_key, source_row, reason, line} per refused line)`,
    )
    .action(async (opts: { prefix: string; concurrency: string; memoryLimit: string; quiet?: boolean }) => {
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new Error('--concurrency must be a positive integer');
      if (!/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i.test(opts.memoryLimit)) {
        throw new Error('--memory-limit must look like 512MB or 2GB');
      }
      const config = loadConfig();
      const log = createLogger({ level: config.logLevel });
      const store = await openObjectStore(config);
      const warehouse = await openRawWarehouse(config);
      if (warehouse.dialect === 'duckdb') await warehouse.execute(`SET memory_limit = '${opts.memoryLimit}'`);
      const progress = createProgress('load', { unit: 'files', quiet: opts.quiet });
      try {
        const summary = await loadLanding(store, warehouse, {
          stagingDir: join(config.dataDir, 'staging'),
          prefix: opts.prefix,
          log,
          concurrency,
          onFile: (f) => progress.tick(1, f.bytes),
        });
        const mb = summary.bytes / 1e6;
        process.stdout.write(
          `loaded ${summary.files} files (${summary.lines} lines: ${summary.loaded} loaded, ` +
            `${summary.quarantined} quarantined), skipped ${summary.skipped} non-landing keys, ` +
            `${mb.toFixed(1)} MB in ${summary.seconds.toFixed(1)} s (${(mb / Math.max(summary.seconds, 0.001)).toFixed(1)} MB/s)\n`,
        );
        if (summary.quarantined > 0) {
          process.stdout.write(`quarantined lines and their reasons are under ${QUARANTINE_PREFIX}\n`);
        }
      } finally {
        progress.stop();
        await warehouse.close();
      }
    });
}
