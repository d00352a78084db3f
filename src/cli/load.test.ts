import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landingKey } from '../../ingestion/landing/landing-keys';
import { runCli, runCliWatching } from '../../test/support/run-cli';
import { createLocalObjectStore } from '../object-store';
import { createDuckDbWarehouse } from '../warehouse';

let dataDir: string;
const run = (...args: string[]) => runCli(dataDir, ...args);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cli-load-'));
  const store = createLocalObjectStore({ root: dataDir });
  await store.put(
    landingKey({ org: 'org-a', type: 'Patient', batchId: 'b1', part: 0 }),
    `${JSON.stringify({ resourceType: 'Patient', id: 'p1' })}\nnot json\n`,
  );
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('fhir-gateway load', () => {
  it('explains itself with --help', async () => {
    const { code, stdout } = await run('load', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: fhir-gateway load [options]');
    expect(stdout).toContain('raw.load_ledger');
  });

  it('loads the landing area, prints a summary, and loads nothing the second time', async () => {
    const first = await run('load', '--quiet');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(
      /^loaded 1 files \(2 lines: 1 loaded, 1 quarantined\), skipped 0 non-landing keys, 0\.0 MB in [\d.]+ s \([\d.]+ MB\/s\)\nquarantined lines and their reasons are under quarantine\/fhir\/\n$/,
    );
    const second = await run('load', '--quiet');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^loaded 0 files \(0 lines: 0 loaded, 0 quarantined\)/);
  });

  it('waits for another writer of the raw tables instead of failing', async () => {
    const holder = await createDuckDbWarehouse({ path: join(dataDir, 'warehouse', 'raw-tables.duckdb') });
    let released = false;
    const { code, stderr } = await runCliWatching(dataDir, ['load', '--quiet'], (soFar) => {
      if (!released && soFar.includes('waiting for the process using')) {
        released = true;
        void holder.close();
      }
    });
    if (!released) await holder.close();
    expect(stderr).toContain('waiting for the process using');
    expect(code).toBe(0);
  });
});
