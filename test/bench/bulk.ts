/**
 * Bulk ingestion benchmark, all in one run against the test Bulk Data server on loopback:
 * - download → landing throughput of the real flow (aws-local-stepfunctions, the real handlers:
 *   stream, gunzip, split, validate every line, land in segments, checkpoint) in MB/s and
 *   resources/s, without and with gzip, with 1 and 4 parallel downloads;
 * - a bare streamed HTTP download of the same files (bytes counted, gunzipped when gzip) with the
 *   same parallelism, as the baseline: the ratio is the client's share of what the wire allows;
 * - peak RSS of the client (its own process) for a small and a large export: memory must not follow
 *   the export's size. `BULK_BENCH_EXPORT_MB=1024` sets the large one (default 256 MB).
 * The export repeats one file of generated Observations (the same bytes under many file entries).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { createBulkDeps } from '../../ingestion/bulk/bulk-deps';
import { runBulkFlowLocally } from '../../ingestion/bulk/local-runner';
import { loadConfig } from '../../src/config';
import { type BulkDataServer, cohortLines, startBulkDataServer } from '../support/bulk-data-server';

/** Patients whose Observations make the repeated file (≈ 7 MB). */
const FILE_PATIENTS = 100;
/** The throughput export, roughly. */
const RATE_SET_MB = 96;
const SMALL_EXPORT_MB = 32;

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const runTs = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
const self = fileURLToPath(import.meta.url);

function observationFile(): string[] {
  return cohortLines({ patients: FILE_PATIENTS, seed: 21 }).get('Observation')!;
}

async function startServer(lines: string[], exportMb: number, gzip: boolean) {
  const fileMb = Buffer.byteLength(`${lines.join('\n')}\n`) / 1e6;
  return startBulkDataServer({
    resources: new Map([['Observation', lines]]),
    linesPerFile: lines.length,
    repeatFiles: Math.max(1, Math.round(exportMb / fileMb)),
    retryAfterSeconds: 0,
    progressPolls: 0,
    noGzip: !gzip,
  });
}

/** The output URLs of a fresh export (kick-off, one poll). */
async function exportUrls(server: BulkDataServer): Promise<string[]> {
  const kick = await fetch(`${server.url}/$export`, { headers: { prefer: 'respond-async' } });
  const manifest = (await (await fetch(kick.headers.get('content-location')!)).json()) as {
    output: { url: string }[];
  };
  return manifest.output.map((o) => o.url);
}

/** Bare streamed download of every URL, `concurrency` at a time; decoded bytes per second. */
async function bareDownload(urls: string[], gzip: boolean, concurrency: number) {
  const agent = new http.Agent({ keepAlive: true });
  let bytes = 0;
  const one = (url: string) =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
          const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
          body.on('data', (c: Buffer) => {
            bytes += c.length;
          });
          body.on('end', resolve);
          body.on('error', reject);
        })
        .on('error', reject);
    });
  const started = performance.now();
  const queue = [...urls];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let url = queue.shift(); url; url = queue.shift()) await one(url);
    }),
  );
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return { mbPerSecond: bytes / 1e6 / seconds, bytes, seconds };
}

/** The real flow, run locally against `source`: landed bytes, resources, seconds. */
async function clientRun(source: string, concurrency: number) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-bulk-'));
  try {
    const config = loadConfig({
      DATA_DIR: dir,
      BULK_ALLOW_PRIVATE_NETWORKS: 'true',
      BULK_MIN_WAIT_SECONDS: '0',
      BULK_DOWNLOAD_CONCURRENCY: String(concurrency),
      LOG_LEVEL: 'silent',
    });
    const deps = await createBulkDeps(config);
    const started = performance.now();
    const { ledger } = await runBulkFlowLocally(
      deps,
      { jobId: 'bench', source, org: 'org-1', level: 'system' },
      { waitMs: 0 },
    );
    const seconds = (performance.now() - started) / 1000;
    if (ledger?.status !== 'completed') throw new Error(`bench job ${ledger?.status}: ${ledger?.failure}`);
    return {
      bytes: ledger.bytes,
      resources: ledger.landed,
      seconds,
      mbPerSecond: ledger.bytes / 1e6 / seconds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `clientRun` in a fresh Node process so its max RSS is its own. */
function inChild(
  source: string,
  concurrency: number,
): Promise<{ bytes: number; seconds: number; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [runTs, self, '--child', source, String(concurrency)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child failed (${code})`)),
    );
  });
}

export async function run(): Promise<void> {
  const lines = observationFile();
  console.log(
    `export: one ${fmt(Buffer.byteLength(lines.join('\n')) / 1e6)} MB file of ${lines.length} Observations, repeated`,
  );
  for (const gzip of [false, true]) {
    const server = await startServer(lines, RATE_SET_MB, gzip);
    try {
      const urls = await exportUrls(server);
      for (const concurrency of [1, 4]) {
        const bare = await bareDownload(urls, gzip, concurrency);
        const client = await clientRun(server.url, concurrency);
        console.log(
          `gzip ${gzip ? 'on ' : 'off'} × ${concurrency}: client ${fmt(client.mbPerSecond)} MB/s, ` +
            `${fmt(client.resources / client.seconds / 1000)}k resources/s (${fmt(client.bytes / 1e6, 0)} MB in ${fmt(client.seconds)} s) | ` +
            `bare download ${fmt(bare.mbPerSecond)} MB/s | client/bare ${fmt((100 * client.mbPerSecond) / bare.mbPerSecond, 0)} %`,
        );
      }
    } finally {
      await server.close();
    }
  }
  const largeMb = loadConfig().bulk.benchExportMb ?? 256;
  for (const exportMb of [SMALL_EXPORT_MB, largeMb]) {
    const server = await startServer(lines, exportMb, true);
    try {
      const f = await inChild(server.url, 4);
      console.log(
        `peak RSS, ${fmt(f.bytes / 1e6, 0)} MB export (gzip, × 4): ${fmt(f.maxRssMb, 0)} MB ` +
          `(${fmt(f.bytes / 1e6 / f.seconds)} MB/s in its own process)`,
      );
    } finally {
      await server.close();
    }
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt > 0 && process.argv[1] === self) {
  const [source, concurrency] = process.argv.slice(childAt + 1) as [string, string];
  const r = await clientRun(source, Number(concurrency));
  process.stdout.write(JSON.stringify({ ...r, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}
