import { resolve } from 'node:path';
import type { Command } from 'commander';
import { LANDING_PREFIX } from '../../ingestion/landing/landing-keys';
import {
  type CohortOptions,
  DEFAULT_AS_OF,
  generateCohort,
  validateCohortOptions,
} from '../../ingestion/synthetic';
import { loadConfig } from '../config';
import { createLocalObjectStore, openObjectStore } from '../object-store';
import { CliError } from './cli-error';
import { createProgress } from './progress';

interface GenerateFlags {
  patients: string;
  orgs: string;
  seed: string;
  enrich?: boolean;
  asOf: string;
  out?: string;
  quiet?: boolean;
}

/** A whole number ≥ `min` from a flag, or a clear error naming the flag. */
function wholeNumber(flag: string, text: string, min: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new CliError(`${flag} must be a whole number ≥ ${min} (got ${JSON.stringify(text)})`);
  }
  return value;
}

/** `fhir-gateway generate`: a deterministic synthetic FHIR R4 cohort into the landing area. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'Generate a synthetic FHIR R4 cohort (Organization, Patient, Encounter, Condition, Observation) ' +
        'into the landing area as NDJSON; the same options always give byte-identical files',
    )
    .option('--patients <n>', 'number of patients (adults, dealt round-robin over the organizations)', '1000')
    .option('--orgs <k>', 'number of organizations (tenants org-1 … org-K)', '3')
    .option('--seed <s>', 'seed: each patient is derived from (seed, index) alone', '1')
    .option('--enrich', 'raise the shares of diabetes, heart failure and obesity (dense demo data)')
    .option('--as-of <date>', 'the date the records end, YYYY-MM-DD', DEFAULT_AS_OF)
    .option('--out <dir>', 'write into a local object store rooted at DIR instead of the configured one')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Output:   ${LANDING_PREFIX}org=<org>/type=<Type>/batch=synthetic-<hash of the options>/part-<nnnnn>.ndjson
Models:   BMI right-skewed (≈40 % ≥ 30, ≈9 % ≥ 40); type 2 diabetes ≈5 / 19 / 29 % at 18–44 / 45–64 / ≥ 65,
          raised by BMI; HbA1c, prediabetes, hypertension, heart failure ≈2.5 % (HFrEF / HFmrEF / HFpEF),
          NT-proBNP, LVEF, lipids, renal function — years of visits, values responding to treatment.
Examples: fhir-gateway generate                                  # the demo cohort: 1,000 patients, 3 organizations
          fhir-gateway generate --patients 20000 --orgs 5 --seed 7 --out /tmp/lake`,
    )
    .action(async (flags: GenerateFlags) => {
      const options: CohortOptions = {
        patients: wholeNumber('--patients', flags.patients, 1),
        orgs: wholeNumber('--orgs', flags.orgs, 1),
        seed: wholeNumber('--seed', flags.seed, 0),
        enrich: flags.enrich === true,
        asOf: flags.asOf,
      };
      try {
        validateCohortOptions(options);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      const store = flags.out
        ? createLocalObjectStore({ root: resolve(flags.out) })
        : await openObjectStore(loadConfig());
      const progress = createProgress('generate', {
        total: options.patients,
        unit: 'patients',
        quiet: flags.quiet,
      });
      const started = performance.now();
      let reported = 0;
      try {
        const summary = await generateCohort(store, options, {
          onPatient: (_done, bytes) => {
            progress.tick(1, bytes - reported);
            reported = bytes;
          },
        });
        progress.stop();
        const seconds = (performance.now() - started) / 1000;
        const mb = summary.bytes / 1e6;
        process.stdout.write(
          `generated ${summary.patients} patients in ${summary.organizations.length} organizations: ` +
            `${summary.files.length} files, ${summary.lines} resources, ${mb.toFixed(1)} MB in ` +
            `${seconds.toFixed(1)} s (${Math.round(summary.patients / Math.max(seconds, 0.001))} patients/s), ` +
            `batch ${summary.batchId}\n`,
        );
      } catch (error) {
        progress.stop();
        throw error;
      }
    });
}
