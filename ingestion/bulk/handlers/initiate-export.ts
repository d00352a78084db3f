/**
 * InitiateExport: kicks off the export and records the job. Retried with the same job id (a
 * Lambda retry after the kick-off went through) it returns the recorded job and kicks off nothing.
 */
import { type BulkDeps, defaultBulkDeps } from '../bulk-deps';
import { BulkPermanentError } from '../bulk-errors';
import { kickOff } from '../export-client';
import type { BulkFlowInput, ExportState } from '../flow-state';
import { nextWaitSeconds } from '../wait-hint';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/;

export function createInitiateExportHandler(deps: () => Promise<BulkDeps>) {
  return async (input: BulkFlowInput): Promise<ExportState> => {
    const d = await deps();
    checkInput(input);
    const existing = await d.jobs.readJob(input.jobId).catch(() => null);
    if (existing)
      return {
        jobId: existing.jobId,
        org: existing.org,
        status: 'in-progress',
        waitSeconds: Math.ceil(d.settings.minWaitSeconds),
      };
    const since =
      input.since === 'last' ? ((await d.jobs.readLast(input.org, input.source)) ?? undefined) : input.since;
    const started = await kickOff(d, { ...input, since });
    const now = new Date(d.now()).toISOString();
    await d.jobs.saveJob({
      ...input,
      since,
      kickoffUrl: started.kickoffUrl,
      statusUrl: started.statusUrl,
      createdAt: now,
      pollStartedAt: now,
      polls: 0,
      transientFaults: 0,
    });
    return {
      jobId: input.jobId,
      org: input.org,
      status: 'in-progress',
      waitSeconds: nextWaitSeconds(started.hint, 0, d.settings, d.random),
    };
  };
}

function checkInput(input: BulkFlowInput): void {
  if (!JOB_ID.test(input.jobId ?? ''))
    throw new BulkPermanentError('jobId must be 1-41 letters, digits, - or _');
  if (!SEGMENT.test(input.org ?? ''))
    throw new BulkPermanentError('org must be an organization id like org-1');
  try {
    new URL(input.source);
  } catch {
    throw new BulkPermanentError('source must be the FHIR server base URL');
  }
  if (!/^(system|patient|group:.+)$/.test(input.level ?? '')) {
    throw new BulkPermanentError('level must be system, patient or group:<id>');
  }
  if (input.since && input.since !== 'last' && Number.isNaN(Date.parse(input.since))) {
    throw new BulkPermanentError('since must be an instant (e.g. 2026-01-01T00:00:00Z) or last');
  }
}

export const handler = createInitiateExportHandler(defaultBulkDeps);
