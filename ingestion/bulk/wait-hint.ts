/**
 * How long to wait before the next status poll: the server's `Retry-After` (seconds or an HTTP
 * date), clamped to the configured bounds, plus up to 10 % jitter so many jobs do not poll in step;
 * after 429 / 503, exponential backoff with full jitter when the server gives no hint.
 * See: https://hl7.org/fhir/uv/bulkdata/export.html#response---in-progress-status
 */

export interface WaitBounds {
  minWaitSeconds: number;
  maxWaitSeconds: number;
}

/** Seconds a `Retry-After` header asks for; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, (at - now) / 1000);
}

/** Whole seconds to wait (Step Functions' Wait takes integers), within the bounds. */
export function nextWaitSeconds(
  hint: number | null,
  transientFaults: number,
  bounds: WaitBounds,
  random: () => number,
): number {
  const base =
    hint ??
    (transientFaults > 0
      ? random() * Math.min(bounds.maxWaitSeconds, 2 ** transientFaults)
      : bounds.minWaitSeconds);
  const jittered = hint === null ? base : base * (1 + 0.1 * random());
  return Math.ceil(Math.min(bounds.maxWaitSeconds, Math.max(bounds.minWaitSeconds, jittered)));
}
