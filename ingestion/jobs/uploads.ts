/**
 * Presigned NDJSON uploads: a ticket is a job plus a PUT URL for exactly one key under the
 * caller's prefix, `uploads/org=<org>/<jobId>.ndjson`, signed for `application/fhir+ndjson`
 * and expiring in at most 15 minutes. Once the file is there (PUT through the gateway locally;
 * found on the next status poll with S3), it is read line by line — each line passes the same
 * `checkResource` as a Bundle entry — its good lines land as one batch, every refused line is
 * recorded with its file and line number, and the upload object is removed.
 * See: https://hl7.org/fhir/R4/nd-json.html
 */
import { once } from 'node:events';
import { PassThrough, type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  OperationOutcomeError,
  outcome,
  payloadTooLarge,
  unsupportedMediaType,
} from '../../src/fhir/operation-outcome';
import type { Logger } from '../../src/logger';
import type { ObjectStore } from '../../src/object-store';
import { createLandingWriter } from '../landing/landing-writer';
import { readLines } from '../ndjson';
import { checkResource } from './check-resource';
import type { createJobProgress } from './job-progress';
import { errorsKey, type IngestionJob, type JobState, type JobStore } from './job-store';

export const NDJSON_TYPE = 'application/fhir+ndjson';
/** The longest a presigned upload URL lives. */
export const MAX_UPLOAD_URL_SECONDS = 15 * 60;
const UPLOAD_KEY = /^uploads\/org=([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/([0-9a-f-]{36})\.ndjson$/;

export interface UploadTicket {
  job: IngestionJob;
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}

export interface UploadsOptions {
  store: ObjectStore;
  jobs: JobStore;
  progress: ReturnType<typeof createJobProgress>;
  log: Logger;
  uploadMaxBytes: number;
  uploadUrlTtlSeconds: number;
  now: () => Date;
  newJob(org: string, kind: IngestionJob['kind'], state: JobState): IngestionJob;
}

export function createUploads(options: UploadsOptions) {
  const { store, jobs, progress, now } = options;
  const started = new Set<string>();

  async function land(job: IngestionJob): Promise<void> {
    const org = job.organizationId;
    const key = job.upload!.key;
    await jobs.update(org, job.id, (j) => {
      j.state = 'accepted';
    });
    const writer = createLandingWriter(store, { batchId: job.batchId });
    const errors = new PassThrough();
    const errorsWritten = jobs.writeErrors(org, job.id, errors);
    const counts = { received: 0, rejected: 0 };
    const reasons: Record<string, number> = {};
    const refuse = async (line: number, code: string, reason: string) => {
      counts.rejected += 1;
      reasons[code] = (reasons[code] ?? 0) + 1;
      const record = { file: key, line, outcome: outcome('invalid', reason) };
      if (!errors.write(`${JSON.stringify(record)}\n`))
        await Promise.race([once(errors, 'drain'), errorsWritten]);
    };
    const at = now();
    try {
      for await (const line of readLines(await store.stream(key))) {
        counts.received += 1;
        if (line.error) {
          await refuse(line.row, 'line-too-long', `line-too-long: ${line.error}`);
          continue;
        }
        let value: unknown;
        try {
          value = JSON.parse(line.text);
        } catch {
          await refuse(line.row, 'not-json', 'not-json: the line is not valid JSON');
          continue;
        }
        const verdict = checkResource(value, { org, now: at });
        if (verdict.ok) await writer.writeLine(org, verdict.type, verdict.line);
        else await refuse(line.row, verdict.code, verdict.reason);
      }
    } finally {
      errors.end();
      await errorsWritten;
    }
    const landed = await writer.close();
    if (counts.rejected === 0) await store.delete(errorsKey(org, job.id));
    await store.delete(key);
    const current = await jobs.update(org, job.id, (j) => {
      j.state = 'landed';
      j.counts = { ...j.counts, ...counts, landed: landed.lines };
      j.reasons = reasons;
    });
    progress.start(current);
  }

  /** Validates and lands an uploaded file in the background, once per job. */
  function process(job: IngestionJob): void {
    if (started.has(job.id)) return;
    started.add(job.id);
    void land(job).catch(async (error) => {
      options.log.error({ jobId: job.id, err: error }, 'upload processing failed');
      await jobs
        .update(job.organizationId, job.id, (j) => {
          j.state = 'failed';
          j.failure = 'the uploaded file could not be read';
        })
        .catch(() => undefined);
    });
  }

  return {
    async create(org: string, size: number): Promise<UploadTicket> {
      if (size > options.uploadMaxBytes) {
        throw payloadTooLarge(`Uploads are limited to ${options.uploadMaxBytes} bytes`);
      }
      const job = options.newJob(org, 'upload', 'awaiting-upload');
      const key = `uploads/org=${org}/${job.id}.ndjson`;
      const ttl = Math.min(options.uploadUrlTtlSeconds, MAX_UPLOAD_URL_SECONDS);
      const expiresAt = new Date(now().getTime() + ttl * 1000).toISOString();
      job.upload = { key, maxBytes: size, expiresAt };
      await jobs.put(job);
      const url = await store.presign(key, {
        method: 'PUT',
        expiresInSeconds: ttl,
        contentType: NDJSON_TYPE,
      });
      return { job, url, method: 'PUT', headers: { 'Content-Type': NDJSON_TYPE }, expiresAt, maxBytes: size };
    },

    /** Stores a presigned PUT's body (its key already verified), at most the size the ticket allows. */
    async receive(key: string, contentType: string | undefined, body: Readable): Promise<IngestionJob> {
      const m = UPLOAD_KEY.exec(key);
      const job = m ? await jobs.get(m[1]!, m[2]!) : null;
      if (!job || job.upload?.key !== key) {
        throw new OperationOutcomeError(403, outcome('forbidden', 'This URL does not name an upload'));
      }
      if (job.state !== 'awaiting-upload' || started.has(job.id)) {
        throw new OperationOutcomeError(409, outcome('conflict', 'This upload has been received already'));
      }
      if ((contentType ?? '').split(';')[0]!.trim().toLowerCase() !== NDJSON_TYPE) {
        throw unsupportedMediaType(`Uploads must be ${NDJSON_TYPE}`);
      }
      const limit = job.upload.maxBytes;
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done(
            bytes > limit ? payloadTooLarge(`The upload is larger than the ${limit} bytes announced`) : null,
            chunk,
          );
        },
      });
      const through = new PassThrough();
      const written = store.put(key, through, { contentType: NDJSON_TYPE });
      try {
        await pipeline(body, counter, through);
      } catch (error) {
        await written.catch(() => undefined);
        throw error;
      }
      await written;
      const current = await jobs.update(job.organizationId, job.id, (j) => {
        j.upload = { ...j.upload!, bytes };
      });
      process(current);
      return current;
    },

    /** An awaiting job whose file has arrived (uploaded straight to S3) starts processing. */
    async poll(job: IngestionJob): Promise<IngestionJob> {
      if (!started.has(job.id) && job.upload && (await store.exists(job.upload.key))) process(job);
      return job;
    },
  };
}
