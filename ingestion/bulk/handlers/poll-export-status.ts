/**
 * PollExportStatus: one status request. 202 → wait as the server says (bounded, jittered) and
 * record X-Progress; 429 / 503 → back off with jitter; 200 → the manifest (every page) is stored
 * and its files become the download fan-out; an error answer fails the job with its diagnostics.
 */
import { type BulkDeps, defaultBulkDeps } from '../bulk-deps';
import { BulkPermanentError } from '../bulk-errors';
import { pollStatus } from '../export-client';
import type { ExportState } from '../flow-state';
import { nextWaitSeconds } from '../wait-hint';

export function createPollExportStatusHandler(deps: () => Promise<BulkDeps>) {
  return async (input: Pick<ExportState, 'jobId'>): Promise<ExportState> => {
    const d = await deps();
    const job = await d.jobs.readJob(input.jobId);
    const waited = (d.now() - Date.parse(job.pollStartedAt)) / 1000;
    if (waited > d.settings.maxExportSeconds) {
      throw new BulkPermanentError(`the export was not ready after ${Math.round(waited)} s`);
    }
    const result = await pollStatus(d, job);
    if (result.state === 'complete') {
      await d.jobs.saveManifest(job.jobId, result.manifest);
      await d.jobs.saveJob({ ...job, polls: job.polls + 1, transientFaults: 0 });
      return {
        jobId: job.jobId,
        org: job.org,
        status: 'complete',
        waitSeconds: 0,
        files: result.manifest.files.map((_, i) => i),
      };
    }
    const transientFaults = result.transient ? job.transientFaults + 1 : 0;
    await d.jobs.saveJob({
      ...job,
      polls: job.polls + 1,
      transientFaults,
      ...(result.progress ? { progress: result.progress } : {}),
    });
    return {
      jobId: job.jobId,
      org: job.org,
      status: 'in-progress',
      waitSeconds: nextWaitSeconds(result.hint, transientFaults, d.settings, d.random),
    };
  };
}

export const handler = createPollExportStatusHandler(defaultBulkDeps);
