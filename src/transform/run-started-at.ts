/**
 * `run_started_at` as dbt's Jinja sees it: a UTC-aware Python datetime. It prints as
 * `2024-05-01 12:34:56.789000+00:00` and offers `isoformat()` and `strftime()`.
 * See: https://docs.getdbt.com/reference/dbt-jinja-functions/run_started_at
 */
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function createRunStartedAt(at: Date) {
  const micro = `${pad(at.getUTCMilliseconds(), 3)}000`;
  const fields: Record<string, string> = {
    Y: String(at.getUTCFullYear()),
    m: pad(at.getUTCMonth() + 1),
    d: pad(at.getUTCDate()),
    H: pad(at.getUTCHours()),
    M: pad(at.getUTCMinutes()),
    S: pad(at.getUTCSeconds()),
    f: micro,
    z: '+0000',
    Z: 'UTC',
    '%': '%',
  };
  const strftime = (format: string) => format.replace(/%([YmdHMSfzZ%])/g, (_, c: string) => fields[c]!);
  return {
    year: at.getUTCFullYear(),
    month: at.getUTCMonth() + 1,
    day: at.getUTCDate(),
    strftime,
    isoformat: () => strftime('%Y-%m-%dT%H:%M:%S.%f+00:00'),
    timestamp: () => at.getTime() / 1000,
    toString: () => strftime('%Y-%m-%d %H:%M:%S.%f+00:00'),
  };
}
