/**
 * FinalizeJob: balances the ledger from every file's checkpoint and sets the job's status —
 * `completed` only when every file landed and balanced (lines seen = landed + quarantined) and the
 * server reported no errors, `completed-with-errors` otherwise, `failed` when a state failed (the
 * flow's Catch sends the failure here). It then tells the server it may delete the export
 * (DELETE on the status URL, best effort), and a completed job's transactionTime becomes the
 * `--since last` of the next one. It logs the balance as one JSON line (`ledgerLogLine`), which the
 * ledger-imbalance alarm watches.
 */

import { createLogger, type Logger } from '../../../src/logger';
import { type BulkDeps, defaultBulkDeps } from '../bulk-deps';
import { deleteExport } from '../export-client';
import type { FinalizeInput, FinalizeResult } from '../flow-state';
import { balanceLedger, ledgerLogLine } from '../ledger';

export function createFinalizeJobHandler(deps: () => Promise<BulkDeps>, log?: Logger) {
  return async (input: FinalizeInput): Promise<FinalizeResult> => {
    const d = await deps();
    const failure = input.error ? describeFailure(input.error) : undefined;
    if (!input.jobId) return { status: 'failed', failure: failure ?? 'no job id' };
    const job = await d.jobs.readJob(input.jobId).catch(() => null);
    const manifest = job ? await d.jobs.readManifest(input.jobId).catch(() => null) : null;
    const records = await Promise.all(
      (manifest?.files ?? []).map((_, i) => d.jobs.readFile(input.jobId!, i)),
    );
    const ledger = balanceLedger({
      jobId: input.jobId,
      org: job?.org ?? input.org ?? '',
      manifest,
      records,
      downloads: input.downloads ?? [],
      failure: failure ?? (job ? (manifest ? undefined : 'no manifest') : 'the export was never started'),
    });
    await d.jobs.saveLedger(ledger);
    const line = ledgerLogLine(ledger);
    if (line.ledger.imbalance > 0) log?.warn(line, 'bulk job ledger does not balance');
    else log?.info(line, 'bulk job ledger');
    if (job) {
      await deleteExport(d, job);
      if (ledger.status === 'completed' && manifest) {
        await d.jobs.saveLast(job.org, job.source, manifest.transactionTime, job.jobId);
      }
    }
    return {
      jobId: ledger.jobId,
      status: ledger.status,
      ...(ledger.failure ? { failure: ledger.failure } : {}),
    };
  };
}

function describeFailure(error: NonNullable<FinalizeInput['error']>): string {
  let cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) cause = parsed.errorMessage; // Step Functions wraps a Lambda's error as JSON
  } catch {
    // a plain message
  }
  return `${error.Error ?? 'Error'}: ${cause}`.slice(0, 1000);
}

// On Lambda the line goes to stderr as JSON, into the function's log group.
export const handler = createFinalizeJobHandler(defaultBulkDeps, createLogger({ level: 'info' }));
