/**
 * The JSON the flow's states pass each other. It stays small (ids, counts, indexes): the job's
 * real state lives in the object store (`bulk-job-store.ts`), well under Step Functions' 256 KiB
 * payload limit for manifests of a few thousand files.
 */
import type { BulkJobRequest, JobStatus } from './bulk-job-store';

/** The execution's input: what to export, with a job id chosen by the caller (the execution name in AWS). */
export interface BulkFlowInput extends BulkJobRequest {
  jobId: string;
}

/** Between InitiateExport, WaitForExport, PollExportStatus and the Choice. */
export interface ExportState {
  jobId: string;
  org: string;
  status: 'in-progress' | 'complete';
  /** Seconds WaitForExport waits (the server's hint, bounded and jittered). */
  waitSeconds: number;
  /** The manifest files' indexes, once complete (the Map's items). */
  files?: number[];
}

/** One Map item, and what its DownloadResources invocation returns. */
export interface DownloadItem {
  jobId: string;
  index: number;
}

export interface DownloadResult extends DownloadItem {
  status: 'in-progress' | 'landed' | 'failed';
  lines?: number;
  error?: unknown;
}

/** FinalizeJob's input: the export state with the downloads, or a caught failure. */
export interface FinalizeInput {
  jobId?: string;
  org?: string;
  downloads?: DownloadResult[];
  /** Set by a Catch: the error name and cause of the state that failed. */
  error?: { Error?: string; Cause?: string };
}

export interface FinalizeResult {
  jobId?: string;
  status: JobStatus;
  failure?: string;
}
