/**
 * A bulk job's durable state in the object store, under `jobs/bulk/<jobId>/`: the job record, the
 * merged manifest, one checkpoint per manifest file (each download writes only its own, so
 * parallel downloads never race), the server's error files, and the final ledger. Every handler
 * reads what it needs from here, so a re-run or a retried state picks up where the last one stopped.
 */
import { createHash } from 'node:crypto';
import { ObjectNotFoundError, type ObjectStore } from '../../src/object-store';

/** `system`, `patient`, or `group:<id>`. See: https://hl7.org/fhir/uv/bulkdata/export.html#endpoint */
export type ExportLevel = 'system' | 'patient' | `group:${string}`;

/** What to export and where it lands. */
export interface BulkJobRequest {
  /** The FHIR server's base URL. */
  source: string;
  /** The organization (tenant) the data lands under. */
  org: string;
  level: ExportLevel;
  types?: string[];
  /** An instant, or `last`: the previous completed job's transactionTime for this org and source. */
  since?: string;
  until?: string;
  typeFilter?: string[];
  outputFormat?: string;
  /** Patient references (POST kick-off only). */
  patients?: string[];
  /** Kick-off method (POST is used anyway when `patients` is given). */
  method?: 'GET' | 'POST';
}

export interface BulkJob extends Omit<BulkJobRequest, 'since'> {
  jobId: string;
  since?: string;
  createdAt: string;
  kickoffUrl: string;
  statusUrl: string;
  /** When polling began (bounds the whole wait). */
  pollStartedAt: string;
  polls: number;
  /** Consecutive 429/503 answers while polling. */
  transientFaults: number;
  /** The last X-Progress the server sent. */
  progress?: string;
}

export type FileKind = 'output' | 'deleted' | 'error';

export interface ManifestFile {
  kind: FileKind;
  type: string;
  url: string;
  count?: number;
}

/** The complete-status manifest, all pages merged, files in one indexed list. */
export interface StoredManifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  files: ManifestFile[];
}

export interface FileCounts {
  /** Decoded bytes read. */
  bytes: number;
  lines: number;
  landed: number;
  quarantined: number;
  /** Tombstones landed (deleted files). */
  deleted: number;
}

/** A download's checkpoint: what is landed for good, and where to resume. */
export interface FileRecord extends FileCounts {
  index: number;
  kind: FileKind;
  type: string;
  status: 'in-progress' | 'landed' | 'failed';
  /** Decoded bytes of the file behind the last landed segment: where a resume starts. */
  offset: number;
  /** Physical lines behind the last landed segment. */
  rows: number;
  segments: number;
  /** Objects written (landing, quarantine, kept error files). */
  keys: string[];
  error?: string;
}

export type JobStatus = 'completed' | 'completed-with-errors' | 'failed';

export interface BulkLedger extends FileCounts {
  jobId: string;
  org: string;
  status: JobStatus;
  transactionTime?: string;
  files: { total: number; landed: number; failed: number; unfinished: number };
  /** Lines of the server's error files (OperationOutcomes), kept with the job. */
  errors: number;
  /** Whether every file balanced (lines seen = landed + quarantined). */
  balanced: boolean;
  failure?: string;
  perFile: (FileCounts & Pick<FileRecord, 'index' | 'kind' | 'type' | 'status' | 'error'>)[];
}

const ROOT = 'jobs/bulk/';

export function createBulkJobStore(store: ObjectStore) {
  const readJson = async <T>(key: string): Promise<T | null> => {
    try {
      return JSON.parse((await store.get(key)).toString('utf8')) as T;
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return null;
      throw error;
    }
  };
  const writeJson = (key: string, value: unknown) =>
    store.put(key, `${JSON.stringify(value, null, 1)}\n`, { contentType: 'application/json' });
  const must = async <T>(key: string, what: string): Promise<T> => {
    const value = await readJson<T>(key);
    if (!value) throw new Error(`${what} not found at ${key}`);
    return value;
  };
  const base = (jobId: string) => `${ROOT}${jobId}/`;
  const lastKey = (org: string, source: string) =>
    `${ROOT}last/org=${org}/${createHash('sha256').update(source).digest('hex').slice(0, 16)}.json`;

  return {
    store,
    saveJob: (job: BulkJob) => writeJson(`${base(job.jobId)}job.json`, job),
    readJob: (jobId: string) => must<BulkJob>(`${base(jobId)}job.json`, 'bulk job'),
    saveManifest: (jobId: string, m: StoredManifest) => writeJson(`${base(jobId)}manifest.json`, m),
    readManifest: (jobId: string) => must<StoredManifest>(`${base(jobId)}manifest.json`, 'manifest'),
    readFile: (jobId: string, index: number) =>
      readJson<FileRecord>(`${base(jobId)}files/${pad(index)}.json`),
    saveFile: (jobId: string, r: FileRecord) => writeJson(`${base(jobId)}files/${pad(r.index)}.json`, r),
    /** Where the server's error file `index` is kept. */
    errorFileKey: (jobId: string, index: number) => `${base(jobId)}errors/file-${pad(index)}.ndjson`,
    saveLedger: (l: BulkLedger) => writeJson(`${base(l.jobId)}ledger.json`, l),
    readLedger: (jobId: string) => readJson<BulkLedger>(`${base(jobId)}ledger.json`),
    /** The transactionTime of the last completed job for this org and source (`--since last`). */
    readLast: async (org: string, source: string) =>
      (await readJson<{ transactionTime: string }>(lastKey(org, source)))?.transactionTime ?? null,
    saveLast: (org: string, source: string, transactionTime: string, jobId: string) =>
      writeJson(lastKey(org, source), { transactionTime, jobId }),
  };
}

export type BulkJobStore = ReturnType<typeof createBulkJobStore>;

const pad = (n: number) => String(n).padStart(5, '0');

/** The landing batch of manifest file `index` of a job: derived from the job id, unique per file. */
export function fileBatchId(jobId: string, index: number): string {
  return `${jobId}-f${pad(index)}`;
}
