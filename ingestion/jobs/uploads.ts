/**
 * Presigned NDJSON uploads: a ticket is a job plus a PUT URL for exactly one key under the
 * caller's prefix, `uploads/org=<org>/<jobId>.ndjson`, signed for `application/fhir+ndjson`
 * and expiring in at most 15 minutes. A file larger than the part size is a multipart upload
 * instead: one presigned PUT URL per part (S3 `UploadPart`; locally the gateway's HMAC-signed
 * equivalent), each PUT answering an ETag, then `POST jobs/{id}/complete` with the part numbers
 * and ETags joins them. Once the file is there (PUT through the gateway locally; found on the
 * next status poll with S3; joined by the completion), and no larger than announced, it is read
 * line by line — each line passes the same
 * `checkResource` as a Bundle entry — its good lines land as one batch, every refused line is
 * recorded with its file and line number, and the upload object is removed. A line of a type the
 * requesting token could not create is refused too (`forbidden-type`), never landed.
 * See: https://hl7.org/fhir/R4/nd-json.html
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import {
  badRequest,
  OperationOutcomeError,
  outcome,
  payloadTooLarge,
  unsupportedMediaType,
} from '../../src/fhir/operation-outcome';
import type { Logger } from '../../src/logger';
import { MAX_PARTS, MultipartUploadError, type ObjectStore } from '../../src/object-store';
import { createLandingWriter } from '../landing/landing-writer';
import { readLines } from '../ndjson';
import { checkResource } from './check-resource';
import type { createJobProgress } from './job-progress';
import { errorsKey, type IngestionJob, type JobState, type JobStore } from './job-store';
import { partList, storeLimited } from './upload-limits';

export const NDJSON_TYPE = 'application/fhir+ndjson';
/** The longest a presigned upload URL lives. */
export const MAX_UPLOAD_URL_SECONDS = 15 * 60;
const UPLOAD_KEY = /^uploads\/org=([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/([0-9a-f-]{36})\.ndjson$/;

export interface UploadTicket {
  job: IngestionJob;
  /** The one PUT URL of a single-request upload (absent for a multipart one). */
  url?: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
  /** A multipart upload: PUT each part (in any order) to its URL, then complete with the ETags. */
  multipart?: { partSize: number; parts: { partNumber: number; url: string }[] };
}

export interface UploadsOptions {
  store: ObjectStore;
  jobs: JobStore;
  progress: ReturnType<typeof createJobProgress>;
  log: Logger;
  uploadMaxBytes: number;
  uploadUrlTtlSeconds: number;
  uploadPartBytes: number;
  now: () => Date;
  newJob(org: string, kind: IngestionJob['kind'], state: JobState): IngestionJob;
}

export function createUploads(options: UploadsOptions) {
  const { store, jobs, progress, now } = options;
  const started = new Set<string>();

  async function land(job: IngestionJob): Promise<void> {
    const org = job.organizationId;
    const key = job.upload!.key;
    // A presigned S3 URL cannot bound the body, so the stored size is checked before anything lands.
    let size = 0;
    for await (const o of store.list(key)) if (o.key === key) size = o.size;
    if (size > job.upload!.maxBytes) {
      await store.delete(key);
      throw payloadTooLarge(`The upload is larger than the ${job.upload!.maxBytes} bytes announced`);
    }
    await jobs.update(org, job.id, (j) => {
      j.state = 'accepted';
      j.upload = { ...j.upload!, bytes: size };
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
    const allowed = new Set(job.upload!.types);
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
        if (!verdict.ok) await refuse(line.row, verdict.code, verdict.reason);
        else if (!allowed.has(verdict.type)) {
          await refuse(
            line.row,
            'forbidden-type',
            `forbidden-type: the token granted no create on ${verdict.type}`,
          );
        } else await writer.writeLine(org, verdict.type, verdict.line);
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
          j.failure =
            error instanceof OperationOutcomeError
              ? (error.outcome.issue[0]?.diagnostics ?? 'the upload was refused')
              : 'the uploaded file could not be read';
        })
        .catch(() => undefined);
    });
  }

  /** The job an upload key names, still waiting for its file; 403 / 409 otherwise. */
  async function awaitingUpload(key: string): Promise<IngestionJob> {
    const m = UPLOAD_KEY.exec(key);
    const job = m ? await jobs.get(m[1]!, m[2]!) : null;
    if (!job || job.upload?.key !== key) {
      throw new OperationOutcomeError(403, outcome('forbidden', 'This URL does not name an upload'));
    }
    if (job.state !== 'awaiting-upload' || started.has(job.id)) {
      throw new OperationOutcomeError(409, outcome('conflict', 'This upload has been received already'));
    }
    return job;
  }

  return {
    async create(org: string, size: number, types: readonly string[]): Promise<UploadTicket> {
      if (size > options.uploadMaxBytes) {
        throw payloadTooLarge(`Uploads are limited to ${options.uploadMaxBytes} bytes`);
      }
      const job = options.newJob(org, 'upload', 'awaiting-upload');
      const key = `uploads/org=${org}/${job.id}.ndjson`;
      const ttl = Math.min(options.uploadUrlTtlSeconds, MAX_UPLOAD_URL_SECONDS);
      const expiresAt = new Date(now().getTime() + ttl * 1000).toISOString();
      const headers = { 'Content-Type': NDJSON_TYPE };
      const ticket = { method: 'PUT' as const, headers, expiresAt, maxBytes: size };
      if (size <= options.uploadPartBytes) {
        job.upload = { key, maxBytes: size, expiresAt, types: [...types] };
        await jobs.put(job);
        const url = await store.presign(key, {
          method: 'PUT',
          expiresInSeconds: ttl,
          contentType: NDJSON_TYPE,
        });
        return { ...ticket, job, url };
      }
      const partSize = Math.max(options.uploadPartBytes, Math.ceil(size / MAX_PARTS));
      const count = Math.ceil(size / partSize);
      const uploadId = await store.createMultipartUpload(key, { contentType: NDJSON_TYPE });
      job.upload = {
        key,
        maxBytes: size,
        expiresAt,
        types: [...types],
        multipart: { uploadId, partSize, parts: count },
      };
      await jobs.put(job);
      const parts = [];
      for (let partNumber = 1; partNumber <= count; partNumber++) {
        const part = { uploadId, partNumber };
        parts.push({
          partNumber,
          url: await store.presign(key, { method: 'PUT', expiresInSeconds: ttl, part }),
        });
      }
      return { ...ticket, job, multipart: { partSize, parts } };
    },

    /** Stores a presigned PUT's body (its key already verified), at most the size the ticket allows. */
    async receive(key: string, contentType: string | undefined, body: Readable): Promise<IngestionJob> {
      const job = await awaitingUpload(key);
      if (job.upload!.multipart) {
        throw new OperationOutcomeError(403, outcome('forbidden', 'This upload is sent in parts'));
      }
      if ((contentType ?? '').split(';')[0]!.trim().toLowerCase() !== NDJSON_TYPE) {
        throw unsupportedMediaType(`Uploads must be ${NDJSON_TYPE}`);
      }
      const bytes = await storeLimited(body, job.upload!.maxBytes, 'announced', (limited) =>
        store.put(key, limited, { contentType: NDJSON_TYPE }),
      );
      const current = await jobs.update(job.organizationId, job.id, (j) => {
        j.upload = { ...j.upload!, bytes };
      });
      process(current);
      return current;
    },

    /** Stores one part of a multipart upload (its URL already verified); at most the part size. Answers its ETag. */
    async receivePart(
      key: string,
      part: { uploadId: string; partNumber: number },
      body: Readable,
    ): Promise<string> {
      const job = await awaitingUpload(key);
      const multipart = job.upload!.multipart;
      if (multipart?.uploadId !== part.uploadId || part.partNumber > multipart.parts) {
        throw new OperationOutcomeError(
          403,
          outcome('forbidden', 'This URL does not name a part of this upload'),
        );
      }
      let etag = '';
      await storeLimited(body, multipart.partSize, 'part', async (limited) => {
        etag = await store.uploadPart(key, part.uploadId, part.partNumber, limited);
      });
      return etag;
    },

    /** Joins a multipart upload of `org` from the `{partNumber, etag}` list and starts validating it. */
    async complete(org: string, id: string, parts: unknown): Promise<IngestionJob | null> {
      const job = await jobs.get(org, id);
      if (!job) return null;
      const multipart = job.upload?.multipart;
      if (!multipart) throw badRequest('This job is not a multipart upload');
      if (job.state !== 'awaiting-upload' || started.has(job.id)) {
        throw new OperationOutcomeError(409, outcome('conflict', 'This upload has been completed already'));
      }
      const list = partList(parts, multipart.parts);
      try {
        await store.completeMultipartUpload(job.upload!.key, multipart.uploadId, list);
      } catch (error) {
        if (!(error instanceof MultipartUploadError)) throw error;
        if (error.code === 'NoSuchUpload') {
          throw new OperationOutcomeError(409, outcome('conflict', 'This upload has been completed already'));
        }
        throw badRequest(`The parts do not make the upload: ${error.message}`, ['parts']);
      }
      process(job);
      return job;
    },

    /** An awaiting job whose file has arrived (uploaded straight to S3) starts processing. */
    async poll(job: IngestionJob): Promise<IngestionJob> {
      if (!started.has(job.id) && job.upload && (await store.exists(job.upload.key))) process(job);
      return job;
    },
  };
}
