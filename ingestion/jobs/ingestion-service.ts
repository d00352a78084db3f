/**
 * The ingestion API's job logic, free of HTTP: accept a Bundle (checked, landed, then carried
 * through the warehouse refresh), hand out and receive presigned NDJSON uploads, report jobs.
 * The organization is always the caller's, from the verified token.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { OperationOutcome } from '../../src/fhir/operation-outcome';
import { OperationOutcomeError, unprocessable } from '../../src/fhir/operation-outcome';
import type { Logger } from '../../src/logger';
import type { ObjectStore } from '../../src/object-store';
import { pseudonym } from '../../src/pseudonyms';
import { newBatchId } from '../landing/land-files';
import { createLandingWriter } from '../landing/landing-writer';
import { createJobProgress } from './job-progress';
import { createJobStore, type IngestionJob, type JobState, type JobStore } from './job-store';
import { type PreparedBundle, prepareBundle, type RejectedEntry } from './prepare-bundle';
import { createUploads, type UploadTicket } from './uploads';
import type { WarehouseRefresh } from './warehouse-refresh';

export interface IngestionServiceOptions {
  store: ObjectStore;
  /** The local chain's load + transform step; absent where Snowpipe and dbt run on their own. */
  refresh?: WarehouseRefresh;
  /** The tokenization key: the 202 tells the caller the served id of each landed resource. */
  tokenSalt: string;
  log: Logger;
  uploadMaxBytes: number;
  uploadUrlTtlSeconds: number;
  /** Uploads larger than this are multipart, in parts of this size (or larger, to stay within 10,000 parts). */
  uploadPartBytes: number;
  now?: () => Date;
}

export interface AcceptedBundle {
  job: IngestionJob;
  /** True when an earlier request with the same Idempotency-Key and payload made this job. */
  replayed: boolean;
  rejected: RejectedEntry[];
  /** Each landed entry and the id it is served under. */
  resources: { index: number; fullUrl?: string; resourceType: string; id: string }[];
}

export type IngestionService = ReturnType<typeof createIngestionService>;

export function createIngestionService(options: IngestionServiceOptions) {
  const { store, log } = options;
  const now = options.now ?? (() => new Date());
  const jobs: JobStore = createJobStore(store, now);
  const progress = createJobProgress({ store, jobs, refresh: options.refresh, log });
  const uploads = createUploads({ ...options, now, jobs, progress, newJob });
  const locks = new Map<string, Promise<unknown>>();

  function newJob(org: string, kind: IngestionJob['kind'], state: JobState): IngestionJob {
    const at = now().toISOString();
    return {
      id: randomUUID(),
      organizationId: org,
      kind,
      state,
      createdAt: at,
      updatedAt: at,
      batchId: newBatchId(kind === 'bundle' ? 'api' : 'upload', now()),
      counts: { received: 0, landed: 0, rejected: 0, quarantined: 0 },
      reasons: {},
      history: [{ state, at }],
    };
  }

  /** Runs `fn` alone for one (org, idempotency key): a replay waits for the first request's answer. */
  async function exclusive<T>(lock: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(lock) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    const settled = run.catch(() => undefined);
    locks.set(lock, settled);
    void settled.then(() => locks.get(lock) === settled && locks.delete(lock));
    return run;
  }

  async function accept(org: string, body: unknown): Promise<AcceptedBundle> {
    const prepared: PreparedBundle = prepareBundle(body, { org, now: now() });
    const { rejected } = prepared;
    if (rejected.length > 0 && (prepared.type === 'transaction' || prepared.entries.length === 0)) {
      throw new OperationOutcomeError(422, combined(rejected, prepared.type === 'transaction'));
    }
    const job = newJob(org, 'bundle', 'accepted');
    job.bundleType = prepared.type;
    job.counts.received = prepared.entries.length + rejected.length;
    job.counts.rejected = rejected.length;
    job.deletes = prepared.entries.filter((e) => e.deletion).length;
    for (const r of rejected)
      job.reasons[reasonCode(r.outcome)] = (job.reasons[reasonCode(r.outcome)] ?? 0) + 1;
    await jobs.put(job);
    if (rejected.length > 0) {
      await jobs.writeErrors(org, job.id, rejected.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
    const writer = createLandingWriter(store, { batchId: job.batchId });
    for (const entry of prepared.entries) await writer.writeLine(org, entry.type, entry.line);
    const landed = await writer.close();
    const current = await jobs.update(org, job.id, (j) => {
      j.state = 'landed';
      j.counts.landed = landed.lines;
    });
    progress.start(current);
    return {
      job: current,
      replayed: false,
      rejected,
      resources: prepared.entries.map((e) => ({
        index: e.index,
        ...(e.fullUrl && { fullUrl: e.fullUrl }),
        resourceType: e.type,
        id: pseudonym(options.tokenSalt, org, e.type, e.id),
      })),
    };
  }

  return {
    /**
     * Accepts a posted Bundle (its raw bytes and parsed body) for `org`. With an Idempotency-Key,
     * the same key and payload answer with the first job; the same key with another payload is 422.
     */
    acceptBundle(
      org: string,
      raw: Uint8Array,
      body: unknown,
      idempotencyKey?: string,
    ): Promise<AcceptedBundle> {
      if (idempotencyKey === undefined) return accept(org, body);
      const payload = createHash('sha256').update(raw).digest('hex');
      return exclusive(`${org}\u0000${idempotencyKey}`, async () => {
        const seen = await jobs.idempotent(org, idempotencyKey);
        if (seen) {
          if (seen.payload !== payload) {
            throw unprocessable('This Idempotency-Key was used with a different payload', [
              'Idempotency-Key',
            ]);
          }
          const job = await jobs.get(org, seen.jobId);
          if (job) return { job, replayed: true, rejected: [], resources: [] };
        }
        const accepted = await accept(org, body);
        await jobs.remember(org, idempotencyKey, { jobId: accepted.job.id, payload });
        return accepted;
      });
    },
    /** A presigned PUT for one NDJSON file under `org`'s upload prefix, and its job. */
    createUpload: (org: string, size: number, types: readonly string[]): Promise<UploadTicket> =>
      uploads.create(org, size, types),
    /** Stores the body of a verified local presigned PUT and starts validating it. */
    receiveUpload: (key: string, contentType: string | undefined, body: Readable) =>
      uploads.receive(key, contentType, body),
    /** Stores one part of a multipart upload (a verified local presigned part PUT); answers its ETag. */
    receivePart: (key: string, part: { uploadId: string; partNumber: number }, body: Readable) =>
      uploads.receivePart(key, part, body),
    /** Joins the caller's multipart upload from the parts it lists and starts validating it; null when not the caller's. */
    completeUpload: (org: string, id: string, parts: unknown) => uploads.complete(org, id, parts),
    /** The caller's job, or null (also for another organization's). */
    async getJob(org: string, id: string): Promise<IngestionJob | null> {
      const job = await jobs.get(org, id);
      return job?.state === 'awaiting-upload' ? uploads.poll(job) : job;
    },
    /** The job's refused entries and lines as NDJSON, or null when the job is not the caller's. */
    async errorFile(org: string, id: string): Promise<Readable | null> {
      const job = await jobs.get(org, id);
      return job ? progress.errorFile(job) : null;
    },
    /** Resolves when every background step started so far has finished (tests, shutdown). */
    idle: () => progress.idle(),
  };
}

function reasonCode(outcome: OperationOutcome): string {
  const diagnostics = outcome.issue[0]?.diagnostics ?? '';
  const code = /^([a-z-]+):/.exec(diagnostics)?.[1];
  return code ?? outcome.issue[0]?.code ?? 'invalid';
}

/** One OperationOutcome naming every refused entry (its index and fullUrl). */
function combined(rejected: RejectedEntry[], transaction: boolean): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: 'processing',
        diagnostics: transaction
          ? `The transaction was refused whole: ${rejected.length} entr${rejected.length === 1 ? 'y is' : 'ies are'} invalid; nothing was landed`
          : 'Every entry of the Bundle is invalid; nothing was landed',
      },
      ...rejected.flatMap((r) =>
        r.outcome.issue.map((issue) => ({
          ...issue,
          diagnostics: `entry ${r.index}${r.fullUrl ? ` (${r.fullUrl})` : ''}: ${issue.diagnostics ?? issue.code}`,
        })),
      ),
    ],
  };
}
