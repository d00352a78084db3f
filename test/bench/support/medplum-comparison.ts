/**
 * The five uncached-serving scenarios of issue 11 against Medplum's figures, cache off and on,
 * with the gateway in a child process (./serving-server.ts) so the load generator does not share
 * its event loop, that process's own bare hello as the yardstick and its peak RSS under load.
 * Part of `npm run bench -- http`; `node bin/run-ts.js test/bench/support/medplum-comparison.ts`
 * runs it alone (e.g. in a checkout of an older commit, for before/after in one run).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CONNECTIONS, type Figures, load, row } from './load';
import type { Scenario } from './serving-scenarios';

const SCENARIO_SECONDS = 10;

/** The resident set size of process `pid` now, from /proc (Linux). */
function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** The peak RSS of process `pid` while `fn` runs (sampled every 50 ms). */
async function peakRssOf<T>(pid: number, fn: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, 50);
  try {
    return { value: await fn(), peakMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/**
 * What `paths` serve in total: a Bundle's entries, or 1 for a read. Printed for both modes (and
 * refused if they differ), so runs of two checkouts can be checked to serve the same cohort.
 */
async function servedEntries(baseUrl: string, token: string, paths: string[]): Promise<number> {
  let total = 0;
  for (const path of new Set(paths)) {
    const res = await fetch(`${baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' },
    });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: these figures would not be valid`);
    const body = (await res.json()) as { resourceType: string; entry?: unknown[] };
    total += body.resourceType === 'Bundle' ? (body.entry?.length ?? 0) : 1;
  }
  return total;
}

interface ServingServer {
  helloUrl: string;
  cachedUrl: string;
  uncachedUrl: string;
  cachedToken: string;
  uncachedToken: string;
  scenarios: Scenario[];
  martsBytes: number;
}

/**
 * The V8 flags of each pass. Node's default old-space limit on a machine of this kind is several
 * GB, and V8 lets garbage (each search's strings and Bundle text) pile up towards it before a
 * full collection, so the first pass's peak RSS measures that laziness more than the gateway's
 * working set; the second runs the same load under a bounded old space, as a deployed gateway
 * runs under its memory limit.
 */
const PASSES: { label: string; nodeFlags: string[] }[] = [
  { label: "Node's default heap limit", nodeFlags: [] },
  {
    label: 'V8 old space bounded to 256 MB (--max-old-space-size=256)',
    nodeFlags: ['--max-old-space-size=256'],
  },
];

/**
 * The five scenarios of issue 11, cache off and on, against the gateway in a child process, with
 * the child's own bare hello as the yardstick and its peak RSS under load, once per pass.
 */
export async function compareWithMedplum(results: Figures[] = []): Promise<void> {
  for (const pass of PASSES) {
    console.log(`\n-- serving process with ${pass.label}`);
    await measurePass(pass.nodeFlags, results);
  }
}

async function measurePass(nodeFlags: string[], results: Figures[]): Promise<void> {
  const entry = fileURLToPath(new URL('./serving-server.ts', import.meta.url));
  const runTs = fileURLToPath(new URL('../../../bin/run-ts.js', import.meta.url));
  const child = spawn(process.execPath, [...nodeFlags, runTs, entry], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) =>
        reject(new Error(`the serving process exited ${code} before it was ready`)),
      );
    });
    const server = JSON.parse(line) as ServingServer;
    const served: string[] = [];
    for (const scenario of server.scenarios) {
      const uncached = await servedEntries(server.uncachedUrl, server.uncachedToken, scenario.paths);
      const cached = await servedEntries(server.cachedUrl, server.cachedToken, scenario.paths);
      if (uncached !== cached)
        throw new Error(`${scenario.name}: ${uncached} entries without the cache, ${cached} with it`);
      served.push(`${scenario.name} ${uncached}`);
    }
    console.log(
      `entries served over each scenario's paths (same with and without the cache): ${served.join(', ')}`,
    );
    const bare = await load('node:http hello (server process)', { url: server.helloUrl });
    results.push(bare);
    console.log(
      `\n${SCENARIO_SECONDS} s each, ${CONNECTIONS} connections, server in its own process ` +
        `(served marts file ${(server.martsBytes / 2 ** 20).toFixed(0)} MB); ratios: to that process's bare hello, and to Medplum's req/s`,
    );
    console.log(`${'scenario'.padEnd(40)}   req/s     p50 ms   p99 ms   errors   /hello  /Medplum`);
    console.log(row(bare));
    let peakMb = 0;
    for (const scenario of server.scenarios) {
      for (const [mode, url, token] of [
        ['no cache', server.uncachedUrl, server.uncachedToken],
        ['cache', server.cachedUrl, server.cachedToken],
      ] as const) {
        const measured = await peakRssOf(child.pid!, () =>
          load(`${scenario.name} (${mode})`, {
            url,
            duration: SCENARIO_SECONDS,
            headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' },
            requests: scenario.paths.map((path) => ({ method: 'GET', path })),
          }),
        );
        peakMb = Math.max(peakMb, measured.peakMb);
        const r = measured.value;
        results.push(r);
        console.log(
          row(
            r,
            `${(r.rps / bare.rps).toFixed(3).padStart(9)} ${(r.rps / scenario.medplumRps).toFixed(2).padStart(8)}×`,
          ),
        );
      }
    }
    console.log(`peak RSS of the serving process under load: ${peakMb.toFixed(0)} MB (aim < 600 MB)`);
  } finally {
    child.stdin!.end();
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await compareWithMedplum();
