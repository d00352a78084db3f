/**
 * DownloadResources: one manifest file per invocation (the flow's Map fans out over them). A file
 * already landed returns its checkpoint; an unfinished one resumes; a permanent fault marks the
 * file failed in its checkpoint (the job then ends completed-with-errors); a transient one throws
 * for the flow's Retry, the checkpoint kept.
 */
import { type BulkDeps, defaultBulkDeps } from '../bulk-deps';
import { downloadFile } from '../file-download';
import type { DownloadItem, DownloadResult } from '../flow-state';

export function createDownloadResourcesHandler(deps: () => Promise<BulkDeps>) {
  return async (input: DownloadItem): Promise<DownloadResult> => {
    const d = await deps();
    const job = await d.jobs.readJob(input.jobId);
    const manifest = await d.jobs.readManifest(input.jobId);
    const record = await downloadFile(d, job, manifest, input.index);
    return {
      jobId: input.jobId,
      index: input.index,
      status: record.status,
      lines: record.lines,
      ...(record.error ? { error: record.error } : {}),
    };
  };
}

export const handler = createDownloadResourcesHandler(defaultBulkDeps);
