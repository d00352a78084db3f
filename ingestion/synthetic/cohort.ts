/**
 * A whole synthetic cohort into the landing area: the organizations once each, then every
 * patient's record under its organization, through the landing writer. The batch id is derived
 * from the options, so the same options give the same keys and byte-identical files (the loader
 * then sees nothing new) and different options never reuse a key.
 */
import { createHash } from 'node:crypto';
import type { ObjectStore } from '../../src/object-store';
import { createLandingWriter, type LandingSummary } from '../landing/landing-writer';
import { buildOrganization, organizationId } from './organizations';
import { asOfMillis, type CohortOptions, DEFAULT_AS_OF, generatePatientLines } from './patient-record';

/** Patients generated ahead of the oldest unfinished write (≈ 50 KiB each). */
const WINDOW = 200;

/** What `generateCohort` landed: the writer's summary plus the organizations and patient count. */
export interface CohortSummary extends LandingSummary {
  organizations: string[];
  patients: number;
}

/** Progress callbacks. */
export interface CohortHooks {
  /** Called after each patient with the patients done and the bytes serialized so far. */
  onPatient?: (done: number, bytes: number) => void;
}

/** Checks the options, throwing a message fit for a command line. */
export function validateCohortOptions(options: CohortOptions): void {
  for (const [name, value, min] of [
    ['patients', options.patients, 1],
    ['orgs', options.orgs, 1],
    ['seed', options.seed, 0],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new Error(`--${name} must be an integer ≥ ${min} (got ${JSON.stringify(value)})`);
    }
  }
  if (options.seed > 0xffffffff) throw new Error('--seed must be below 2^32');
  if (options.orgs > 99_999) throw new Error('--orgs must be at most 99999');
  asOfMillis(options.asOf);
}

/**
 * `synthetic-<first 12 hex of sha256(JSON of seed, patients, orgs, enrich, asOf)>`; a
 * non-default part size is part of the identity too, since it changes what each key holds.
 */
export function cohortBatchId(options: CohortOptions): string {
  const identity: Record<string, unknown> = {
    seed: options.seed,
    patients: options.patients,
    orgs: options.orgs,
    enrich: options.enrich === true,
    asOf: options.asOf ?? DEFAULT_AS_OF,
  };
  if (options.maxPartBytes !== undefined) identity.maxPartBytes = options.maxPartBytes;
  return `synthetic-${createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 12)}`;
}

/** Generates the cohort and lands it in `store`; returns what was written. */
export async function generateCohort(
  store: ObjectStore,
  options: CohortOptions,
  hooks: CohortHooks = {},
): Promise<CohortSummary> {
  validateCohortOptions(options);
  const batchId = cohortBatchId(options);
  const writer = createLandingWriter(store, { batchId, maxPartBytes: options.maxPartBytes });
  const asOfMs = asOfMillis(options.asOf);
  const organizations: string[] = [];
  let bytes = 0;
  for (let n = 1; n <= options.orgs; n++) {
    const json = JSON.stringify(buildOrganization(options.seed, n, asOfMs));
    bytes += Buffer.byteLength(json) + 1;
    await writer.writeLine(organizationId(n), 'Organization', json);
    organizations.push(organizationId(n));
  }
  // The writer updates its parts synchronously and only awaits the store when a part rolls, so
  // parts can be written to disk while later patients are generated. Waiting on the writes of
  // the patient WINDOW places back bounds what is in flight (a few parts).
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < options.patients; i++) {
    const { org, lines } = generatePatientLines(options, i);
    const writes: Promise<void>[] = [];
    for (const line of lines) {
      // Only the Patient carries non-ASCII text (names); clinical lines are ASCII by construction.
      bytes += (line.type === 'Patient' ? Buffer.byteLength(line.json) : line.json.length) + 1;
      writes.push(writer.writeLine(org, line.type, line.json));
    }
    const patientWrites = Promise.all(writes);
    patientWrites.catch(() => {}); // handled: awaited below, WINDOW patients later or at the end
    inFlight.push(patientWrites);
    if (inFlight.length > WINDOW) await inFlight.shift();
    hooks.onPatient?.(i + 1, bytes);
  }
  await Promise.all(inFlight);
  const summary = await writer.close();
  return { ...summary, organizations, patients: options.patients };
}
