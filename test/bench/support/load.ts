/** One autocannon load on loopback and its figures, as the http benchmarks print them. */
import autocannon from 'autocannon';

export const CONNECTIONS = 16;
const DURATION_SECONDS = 6;

export interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export async function load(name: string, options: autocannon.Options): Promise<Figures> {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION_SECONDS, ...options });
  const errors = r.errors + r.timeouts + r.non2xx;
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors };
}

export const row = (r: Figures, extra = '') =>
  `${r.name.padEnd(40)} ${r.rps.toFixed(0).padStart(7)} ${String(r.p50).padStart(9)} ${String(r.p99).padStart(8)} ${String(r.errors).padStart(8)}${extra}`;
