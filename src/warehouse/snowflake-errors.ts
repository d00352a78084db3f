/**
 * What a Snowflake failure means to the gateway: transient ones (network, 5xx, an expired session,
 * no pooled session in time, a statement timeout) answer 503 with `Retry-After`; everything else
 * stays an ordinary error, which the edge masks as a 500 with a request id. Reads are retried
 * on transient failures; writes never are (a retried write could apply twice).
 */
import { serviceUnavailable } from '../fhir/operation-outcome';

const TRANSIENT_NAMES = new Set([
  'NetworkError',
  'RequestFailedError',
  'LargeResultSetError',
  'TimeoutError',
]);
/** Session expired (390112/390114), statement timed out (000630) or was cancelled (000604). */
const TRANSIENT_CODES = new Set(['390112', '390114', '000630', '000604']);
/** Not worth retrying at once: the statement itself ran out of time. */
const NO_RETRY_CODES = new Set(['000630', '000604']);
const READ = /^\s*(select|with|show|describe|desc)\b/i;

export const RETRY_AFTER_SECONDS = 5;

interface DriverError {
  name?: string;
  code?: string | number;
  sqlState?: string;
}

/** Whether `error` is a transient Snowflake or pool failure. */
export function isTransient(error: unknown): boolean {
  const e = error as DriverError;
  if (!e || typeof e !== 'object') return false;
  return (
    TRANSIENT_NAMES.has(e.name ?? '') || TRANSIENT_CODES.has(String(e.code ?? '')) || e.sqlState === '57014'
  );
}

/** Whether `sql` only reads (and can be sent again safely). */
export function isRead(sql: string): boolean {
  return READ.test(sql.replace(/^\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, ''));
}

export interface RetryPolicy {
  /** Attempts after the first, for reads. */
  retries: number;
  /** First backoff; doubles with each attempt (plus up to 50 % jitter). */
  baseDelayMs: number;
}

/**
 * Runs `attempt`, retrying transient failures of reads; a transient failure that remains becomes
 * the gateway's 503 with `Retry-After`, anything else is rethrown unchanged.
 */
export async function withRetries<T>(
  sql: string,
  policy: RetryPolicy,
  attempt: () => Promise<T>,
): Promise<T> {
  const tries = isRead(sql) ? policy.retries + 1 : 1;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error)) throw error;
      const code = String((error as DriverError).code ?? '');
      if (i >= tries || NO_RETRY_CODES.has(code)) {
        throw Object.assign(serviceUnavailable(RETRY_AFTER_SECONDS), { cause: error });
      }
      const delay = policy.baseDelayMs * 2 ** (i - 1);
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay * 0.5));
    }
  }
}
