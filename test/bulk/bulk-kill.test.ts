/**
 * The bulk CLI killed with SIGKILL in the middle of a file and run again with the same job id:
 * the file resumes (with a range request where the server allows one, from the start where it
 * does not), and every resource reaches the raw tables exactly once.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createBulkJobStore } from '../../ingestion/bulk/bulk-job-store';
import { loadConfig } from '../../src/config';
import { createLocalObjectStore } from '../../src/object-store';
import { openRawWarehouse } from '../../src/warehouse';
import { type BulkDataServer, cohortLines, startBulkDataServer } from '../support/bulk-data-server';

const bin = fileURLToPath(new URL('../../bin/fhir-gateway.js', import.meta.url));
const RESOURCES = cohortLines({ patients: 40, seed: 3 });
const TYPES = ['Patient', 'Encounter', 'Observation'];
/** Observation is file 2; the server stops sending it after this many bytes. */
const STALL_AT = 300_000;

let dir: string;
let server: BulkDataServer;
afterEach(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], onStdout?: (text: string) => void) {
  const child = spawn(
    process.execPath,
    [bin, 'ingest', 'bulk', '--source', server.url, '--org', 'org-1', ...args],
    {
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dir,
        LOG_LEVEL: 'warn',
        BULK_ALLOW_PRIVATE_NETWORKS: 'true',
        BULK_MIN_WAIT_SECONDS: '0',
        BULK_SEGMENT_BYTES: '50000',
        BULK_DOWNLOAD_CONCURRENCY: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    onStdout?.(out);
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, exit };
}

describe.each([
  ['with range requests', false],
  ['when the server ignores ranges', true],
])('a bulk job killed mid-file and run again (%s)', (_, noRanges) => {
  it('lands and loads every resource exactly once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulk-kill-'));
    let stalled!: () => void;
    const midFile = new Promise<void>((resolve) => {
      stalled = resolve;
    });
    server = await startBulkDataServer({
      resources: RESOURCES,
      retryAfterSeconds: 0,
      noRanges,
      stall: { file: 2, afterBytes: STALL_AT, onStall: () => setTimeout(() => stalled(), 300) },
    });
    const first = cli(['--job', 'kill-1', '--type', TYPES.join(','), '--no-load', '--quiet']);
    await Promise.race([
      midFile,
      first.exit.then((r) => Promise.reject(new Error(`exited early: ${r.out}`))),
    ]);
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');

    const jobs = createBulkJobStore(createLocalObjectStore({ root: dir }));
    const checkpoint = await jobs.readFile('kill-1', 2);
    expect(checkpoint).toMatchObject({ status: 'in-progress', type: 'Observation' });
    expect(checkpoint!.segments).toBeGreaterThan(1);
    expect(checkpoint!.offset).toBeLessThanOrEqual(STALL_AT);

    server.unstall();
    const second = await cli(['--job', 'kill-1', '--type', TYPES.join(','), '--no-transform', '--quiet'])
      .exit;
    expect(second.out).toContain('kill-1 (org org-1): completed');
    expect(second.code).toBe(0);
    const resumed = server.requests.filter((r) => r.path.endsWith('/2'));
    expect(resumed.at(-1)?.range).toBe(`bytes=${checkpoint!.offset}-`);
    expect(server.kickoffs.length).toBe(1);

    const raw = await openRawWarehouse(loadConfig({ DATA_DIR: dir }));
    try {
      for (const type of TYPES) {
        const [row] = await raw.query<{ n: number; ids: number }>(
          `select count(*)::int as n, count(distinct resource_id)::int as ids from raw.fhir_${type.toLowerCase()}`,
        );
        expect(row).toEqual({ n: RESOURCES.get(type)!.length, ids: RESOURCES.get(type)!.length });
      }
    } finally {
      await raw.close();
    }
  });
});
