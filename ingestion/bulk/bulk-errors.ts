/**
 * The two kinds of failure the flow tells apart, by `name` (Step Functions matches a Lambda's
 * error type, aws-local-stepfunctions the thrown error's name, against `Retry`/`Catch`):
 * transient ones are retried with backoff, permanent ones end the job (or the file) with their reason.
 */

/** A fault worth retrying: 429, 503 and other 5xx, resets, timeouts. */
export class BulkTransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BulkTransientError';
  }
}

/** A fault retrying cannot fix: refused URLs, 4xx with an OperationOutcome, bad manifests. */
export class BulkPermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BulkPermanentError';
  }
}

/** The error names the flow's Retry policies match. */
export const TRANSIENT_ERRORS = ['BulkTransientError'] as const;
