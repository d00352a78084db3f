/**
 * Ingestion jobs in the object store, under the owning organization's prefix:
 * `jobs/ingestion/org=<org>/<jobId>/job.json` (the record), `.../errors.ndjson` (one record per
 * refused entry or line, each with its OperationOutcome) and
 * `jobs/ingestion/org=<org>/idempotency/<sha256 of the key>.json`. Every read names the caller's
 * organization, so another organization's job is simply not there.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type ObjectBody, ObjectNotFoundError, type ObjectStore } from '../../src/object-store';

/** See the README's job states: the happy path is accepted → landed → loaded → transformed. */
export type JobState =
  | 'awaiting-upload'
  | 'accepted'
  | 'landed'
  | 'loaded'
  | 'transformed'
  | 'completed-with-errors'
  | 'failed';

export interface JobCounts {
  /** Entries or lines received. */
  received: number;
  /** Landed for loading. */
  landed: number;
  /** Refused at the door (reported in the error file). */
  rejected: number;
  /** Refused by the loader (quarantined, also in the error file). */
  quarantined: number;
}

export interface IngestionJob {
  id: string;
  organizationId: string;
  kind: 'bundle' | 'upload';
  state: JobState;
  createdAt: string;
  updatedAt: string;
  /** The landing batch its resources land under. */
  batchId: string;
  bundleType?: string;
  upload?: {
    key: string;
    maxBytes: number;
    expiresAt: string;
    bytes?: number;
    /** The types the requesting token may create; a line of any other type is refused. */
    types: string[];
    /** A large file sent in parts: the store's upload id, the part size and the number of parts. */
    multipart?: { uploadId: string; partSize: number; parts: number };
  };
  /** DELETE entries landed as tombstones. */
  deletes?: number;
  counts: JobCounts;
  /** Refusals per reason code. */
  reasons: Record<string, number>;
  /** Why a failed job failed (no PHI: a step and a cause). */
  failure?: string;
  /** When each state was reached. */
  history: { state: JobState; at: string }[];
}

const ROOT = 'jobs/ingestion/';
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const jobKey = (org: string, id: string) => `${ROOT}org=${org}/${id}/job.json`;
export const errorsKey = (org: string, id: string) => `${ROOT}org=${org}/${id}/errors.ndjson`;
const idempotencyKey = (org: string, key: string) =>
  `${ROOT}org=${org}/idempotency/${createHash('sha256').update(key).digest('hex')}.json`;

export interface JobStore {
  get(org: string, id: string): Promise<IngestionJob | null>;
  put(job: IngestionJob): Promise<void>;
  /** Applies `change` to the stored job (serialized per job) and returns the result. */
  update(org: string, id: string, change: (job: IngestionJob) => void): Promise<IngestionJob>;
  writeErrors(org: string, id: string, body: ObjectBody): Promise<void>;
  /** The error file's bytes, or null when nothing was refused at the door. */
  errors(org: string, id: string): Promise<Readable | null>;
  /** The job an idempotency key was first used for, with the digest of that payload. */
  idempotent(org: string, key: string): Promise<{ jobId: string; payload: string } | null>;
  remember(org: string, key: string, value: { jobId: string; payload: string }): Promise<void>;
}

export function createJobStore(store: ObjectStore, now: () => Date = () => new Date()): JobStore {
  const chains = new Map<string, Promise<unknown>>();
  const readJson = async <T>(key: string): Promise<T | null> => {
    try {
      return JSON.parse((await store.get(key)).toString('utf8')) as T;
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return null;
      throw error;
    }
  };
  const self: JobStore = {
    get: (org, id) => (JOB_ID.test(id) ? readJson<IngestionJob>(jobKey(org, id)) : Promise.resolve(null)),
    put: (job) =>
      store.put(jobKey(job.organizationId, job.id), JSON.stringify(job), { contentType: 'application/json' }),
    update(org, id, change) {
      const key = jobKey(org, id);
      const next = (chains.get(key) ?? Promise.resolve()).then(async () => {
        const job = await self.get(org, id);
        if (!job) throw new Error(`no ingestion job ${id}`);
        const before = job.state;
        change(job);
        job.updatedAt = now().toISOString();
        if (job.state !== before) job.history.push({ state: job.state, at: job.updatedAt });
        await self.put(job);
        return job;
      });
      const settled = next.catch(() => undefined);
      chains.set(key, settled);
      void settled.then(() => chains.get(key) === settled && chains.delete(key));
      return next;
    },
    writeErrors: (org, id, body) =>
      store.put(errorsKey(org, id), body, { contentType: 'application/x-ndjson' }),
    async errors(org, id) {
      try {
        return await store.stream(errorsKey(org, id));
      } catch (error) {
        if (error instanceof ObjectNotFoundError) return null;
        throw error;
      }
    },
    idempotent: (org, key) => readJson(idempotencyKey(org, key)),
    remember: (org, key, value) => store.put(idempotencyKey(org, key), JSON.stringify(value)),
  };
  return self;
}
