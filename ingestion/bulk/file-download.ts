/**
 * Downloads one manifest file into the landing area, resumably. The body streams (gunzipped when
 * the server sends gzip) through the NDJSON line reader; every line is checked by the loader's own
 * validator and refused lines go to quarantine with their reason. Lines are landed in segments:
 * each segment is a set of landing objects under the file's own batch (derived from the job id),
 * and after each one the checkpoint records the byte offset and counts behind it. A re-run
 * resumes from that offset with an HTTP range request (without gzip, so offsets are the file's own
 * bytes), or restarts cleanly when the server ignores the range; a segment re-landed after a crash
 * gets the same keys, which the loader loads once. A landed file is never landed again.
 * See: https://hl7.org/fhir/uv/bulkdata/export.html#file-request and RFC 9110 §14
 */

import { type Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { landingKey } from '../landing/landing-keys';
import { createQuarantineSink, type QuarantineSink, quarantineKey } from '../loader/quarantine';
import { readLines, validateLine } from '../ndjson';
import type { BulkDeps } from './bulk-deps';
import { BulkPermanentError, BulkTransientError } from './bulk-errors';
import {
  type BulkJob,
  type FileRecord,
  fileBatchId,
  type ManifestFile,
  type StoredManifest,
} from './bulk-job-store';
import { fhirRequest } from './fhir-request';
import { createLineSink, type LineSink } from './segment-sink';
import { tombstonesOf } from './tombstones';

const QUARANTINE_TYPE_OF_DELETED = 'Bundle';

/** A fresh checkpoint for manifest file `index`. */
function freshRecord(index: number, file: ManifestFile): FileRecord {
  return {
    index,
    kind: file.kind,
    type: file.type,
    status: 'in-progress',
    offset: 0,
    rows: 0,
    segments: 0,
    bytes: 0,
    lines: 0,
    landed: 0,
    quarantined: 0,
    deleted: 0,
    keys: [],
  };
}

/** Lands (or keeps, for error files) manifest file `index`; returns its final checkpoint. */
export async function downloadFile(
  deps: BulkDeps,
  job: BulkJob,
  manifest: StoredManifest,
  index: number,
): Promise<FileRecord> {
  const file = manifest.files[index];
  if (!file) throw new BulkPermanentError(`manifest has no file ${index}`);
  let record = (await deps.jobs.readFile(job.jobId, index)) ?? freshRecord(index, file);
  if (record.status !== 'in-progress') return record;
  try {
    record = await transfer(deps, job, manifest, file, record);
  } catch (error) {
    if (!(error instanceof BulkPermanentError)) throw error;
    record = { ...record, status: 'failed', error: error.message };
  }
  await deps.jobs.saveFile(job.jobId, record);
  return record;
}

async function transfer(
  deps: BulkDeps,
  job: BulkJob,
  manifest: StoredManifest,
  file: ManifestFile,
  checkpoint: FileRecord,
): Promise<FileRecord> {
  // Error files are small OperationOutcome NDJSON kept whole with the job; they restart, never resume.
  const resume = file.kind !== 'error' && checkpoint.offset > 0;
  const res = await fhirRequest(deps, job.source, file.url, {
    headers: {
      accept: 'application/fhir+ndjson',
      ...(resume
        ? { range: `bytes=${checkpoint.offset}-`, 'accept-encoding': 'identity' }
        : { 'accept-encoding': 'gzip' }),
    },
    withToken: manifest.requiresAccessToken,
  });
  if (res.status === 429 || res.status >= 500) {
    res.discard();
    throw new BulkTransientError(`download of file ${checkpoint.index}: HTTP ${res.status}`);
  }
  let record = checkpoint;
  if (res.status === 206) {
    const start = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1];
    if (Number(start) !== checkpoint.offset) {
      res.discard();
      throw new BulkTransientError(
        `download of file ${checkpoint.index}: range answered from ${start ?? '?'}`,
      );
    }
  } else if (res.status === 200) {
    if (resume) record = freshRecord(checkpoint.index, file); // the server ignored the range: start over
  } else {
    res.discard();
    const gone = res.status === 404 || res.status === 410 || res.status === 403;
    throw new BulkPermanentError(
      `download of file ${checkpoint.index}: HTTP ${res.status}${gone ? ' (the output link expired or is gone; start a new export)' : ''}`,
    );
  }
  const encoding = String(res.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    res.discard();
    throw new BulkPermanentError(
      `download of file ${checkpoint.index}: unsupported Content-Encoding ${encoding}`,
    );
  }
  const wire = deps.onProgress ? countWireBytes(res.body, deps) : res.body;
  const body = encoding === 'gzip' ? wire.pipe(createGunzip()) : wire;
  body.on('error', () => undefined); // read errors surface through the line reader
  if (file.kind === 'error') return keepErrorFile(deps, job, record, body);
  return landLines(deps, job, manifest, file, record, body);
}

function countWireBytes(source: Readable, deps: BulkDeps): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _, done) {
      deps.onProgress?.({ wireBytes: chunk.length, resources: 0 });
      done(null, chunk);
    },
  });
  source.on('error', (error) => counter.destroy(error));
  return source.pipe(counter);
}

/** One segment's open objects: a landing sink and a quarantine sink per type. */
function openSegment(deps: BulkDeps, job: BulkJob, index: number, part: number) {
  const batchId = fileBatchId(job.jobId, index);
  const landing = new Map<string, { key: string; sink: LineSink }>();
  const quarantine = new Map<string, { key: string; sink: QuarantineSink }>();
  const counts = { lines: 0, landed: 0, quarantined: 0, deleted: 0, bytes: 0 };
  const keyOf = (type: string) => ({ org: job.org, type, batchId, part });
  return {
    counts,
    landingKeyOf: (type: string) => landingKey(keyOf(type)),
    /** Lands a line; a promise only when the caller must wait for the store. */
    land(type: string, json: string): Promise<void> | undefined {
      let open = landing.get(type);
      if (!open) {
        const key = landingKey(keyOf(type));
        open = { key, sink: createLineSink(deps.store, key) };
        landing.set(type, open);
      }
      return open.sink.write(json);
    },
    async quarantine(type: string, row: number, reason: string, line: string) {
      let open = quarantine.get(type);
      if (!open) {
        const key = quarantineKey(keyOf(type));
        open = { key, sink: createQuarantineSink(deps.store, key) };
        quarantine.set(type, open);
      }
      await open.sink.write({ source_key: landingKey(keyOf(type)), source_row: row, reason, line });
    },
    /** Makes every object of the segment visible; returns their keys. */
    async commit(): Promise<string[]> {
      await Promise.all([...landing.values()].map((o) => o.sink.close()));
      await Promise.all([...quarantine.values()].map((o) => o.sink.close()));
      return [...landing.values(), ...quarantine.values()].map((o) => o.key);
    },
    abort() {
      for (const o of landing.values()) o.sink.abort();
      for (const o of quarantine.values()) o.sink.abort();
    },
  };
}

async function landLines(
  deps: BulkDeps,
  job: BulkJob,
  manifest: StoredManifest,
  file: ManifestFile,
  start: FileRecord,
  body: Readable,
): Promise<FileRecord> {
  const started = deps.now();
  let reported = 0;
  let record = { ...start };
  let segment = openSegment(deps, job, record.index, record.segments);
  let segmentEnd = record.offset;
  let segmentRows = record.rows;
  const commit = async () => {
    const keys = await segment.commit();
    const c = segment.counts;
    record = {
      ...record,
      offset: segmentEnd,
      rows: segmentRows,
      segments: record.segments + 1,
      bytes: record.bytes + c.bytes,
      lines: record.lines + c.lines,
      landed: record.landed + c.landed,
      quarantined: record.quarantined + c.quarantined,
      deleted: record.deleted + c.deleted,
      keys: [...record.keys, ...keys],
    };
    await deps.jobs.saveFile(job.jobId, record);
  };
  try {
    for await (const line of readLines(body)) {
      const row = start.rows + line.row;
      const c = segment.counts;
      c.lines += 1;
      c.bytes += start.offset + line.end - segmentEnd;
      segmentEnd = start.offset + line.end;
      segmentRows = row;
      if (line.error) {
        c.quarantined += 1;
        const type = file.kind === 'deleted' ? QUARANTINE_TYPE_OF_DELETED : file.type;
        await segment.quarantine(type, row, `line-too-long: ${line.error} (${line.bytes} bytes)`, line.text);
      } else if (file.kind === 'output') {
        const verdict = validateLine(line.text, { org: job.org, type: file.type });
        if (verdict.ok) {
          c.landed += 1;
          const wait = segment.land(file.type, line.text);
          if (wait) await wait;
        } else {
          c.quarantined += 1;
          await segment.quarantine(file.type, row, verdict.reason, line.text);
        }
      } else {
        const reason = await landTombstones(segment, job.org, line.text, manifest.transactionTime);
        if (reason) {
          c.quarantined += 1;
          await segment.quarantine(QUARANTINE_TYPE_OF_DELETED, row, reason, line.text);
        } else {
          c.landed += 1;
        }
      }
      if (deps.onProgress && ++reported === 100) {
        deps.onProgress({ wireBytes: 0, resources: reported });
        reported = 0;
      }
      if (c.bytes >= deps.settings.segmentBytes) {
        await commit();
        if (deps.now() - started > deps.settings.downloadBudgetMs) {
          body.destroy();
          return record; // still in progress: the flow invokes the download again, which resumes here
        }
        segment = openSegment(deps, job, record.index, record.segments);
      }
    }
  } catch (error) {
    segment.abort();
    if (error instanceof BulkPermanentError) throw error;
    throw new BulkTransientError(`download of file ${record.index} broke off: ${(error as Error).message}`);
  }
  if (segment.counts.lines > 0) await commit();
  if (reported > 0) deps.onProgress?.({ wireBytes: 0, resources: reported });
  return { ...record, status: 'landed' };
}

/** Lands the tombstones of one deleted line; returns the reason when the line cannot be applied. */
async function landTombstones(
  segment: ReturnType<typeof openSegment>,
  org: string,
  text: string,
  transactionTime: string,
): Promise<string | null> {
  const read = tombstonesOf(text, transactionTime);
  if (!read.ok) return read.reason;
  for (const t of read.tombstones) {
    const verdict = validateLine(t.json, { org, type: t.type });
    if (!verdict.ok) return `${verdict.reason} (deleted ${t.type})`;
  }
  for (const t of read.tombstones) await segment.land(t.type, t.json);
  segment.counts.deleted += read.tombstones.length;
  return null;
}

/** Keeps a server error file with the job, counting its lines (OperationOutcomes). */
async function keepErrorFile(
  deps: BulkDeps,
  job: BulkJob,
  start: FileRecord,
  body: Readable,
): Promise<FileRecord> {
  const key = deps.jobs.errorFileKey(job.jobId, start.index);
  const sink = createLineSink(deps.store, key);
  let lines = 0;
  let bytes = 0;
  try {
    for await (const line of readLines(body)) {
      lines += 1;
      bytes = line.end;
      await sink.write(line.text);
    }
    await sink.close();
  } catch (error) {
    sink.abort();
    throw new BulkTransientError(`error file ${start.index} broke off: ${(error as Error).message}`);
  }
  return { ...start, status: 'landed', lines, landed: lines, bytes, keys: [key], segments: 1 };
}
