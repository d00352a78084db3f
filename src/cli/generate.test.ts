import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cohortBatchId } from '../../ingestion/synthetic';
import { runCli } from '../../test/support/run-cli';
import { main } from './main';

let dataDir: string;
let outDir: string;
const run = (...args: string[]) => runCli(dataDir, ...args);

/** Runs the CLI in this process (fast), capturing what it writes. */
async function runInProcess(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(['node', 'fhir-gateway', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cli-generate-data-'));
  outDir = await mkdtemp(join(tmpdir(), 'cli-generate-out-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

describe('fhir-gateway generate', () => {
  it('explains its options with --help', async () => {
    const { code, stdout } = await run('generate', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: fhir-gateway generate [options]');
    for (const flag of [
      '--patients <n>',
      '--orgs <k>',
      '--seed <s>',
      '--enrich',
      '--as-of <date>',
      '--out <dir>',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it.each([
    [['--patients', 'ten'], '--patients must be a whole number ≥ 1 (got "ten")'],
    [['--patients', '2.5'], '--patients must be a whole number ≥ 1 (got "2.5")'],
    [['--orgs', '0'], '--orgs must be a whole number ≥ 1 (got "0")'],
    [['--seed', '-3'], '--seed must be a whole number ≥ 0 (got "-3")'],
    [['--as-of', '2026-02-30'], '--as-of must be a calendar date YYYY-MM-DD (got "2026-02-30")'],
  ])('refuses %j with a clear message and a non-zero exit', async (args, message) => {
    const { code, stdout, stderr } = await runInProcess('generate', '--quiet', '--out', outDir, ...args);
    expect(code).toBe(1);
    expect(stderr).toBe(`error: ${message}\n`);
    expect(stdout).toBe('');
  });

  it('writes the cohort into --out and prints a summary with the batch id', async () => {
    const { code, stdout, stderr } = await run(
      'generate',
      '--patients',
      '12',
      '--orgs',
      '2',
      '--seed',
      '4',
      '--out',
      outDir,
    );
    expect(code).toBe(0);
    const batch = cohortBatchId({ patients: 12, orgs: 2, seed: 4 });
    const summary = stdout.match(
      new RegExp(
        `^generated 12 patients in 2 organizations: (\\d+) files, \\d+ resources, [\\d.]+ MB in [\\d.]+ s \\(\\d+ patients/s\\), batch ${batch}\\n$`,
      ),
    );
    expect(summary, stdout).not.toBeNull();
    expect(stderr).toMatch(/^generate: 12\/12 patients \(\d+ patients\/s [\d.]+ MB\/s\)\n$/m);
    const files = await filesUnder(outDir);
    // The summary counts the files written; a type with no resource in an org (few patients, no
    // prescription yet) has no file there.
    expect(files).toHaveLength(Number(summary?.[1]));
    expect(files).toEqual(
      expect.arrayContaining(
        ['org-1', 'org-2'].flatMap((org) =>
          ['Condition', 'Encounter', 'Observation', 'Organization', 'Patient'].map(
            (type) => `landing/fhir/org=${org}/type=${type}/batch=${batch}/part-00000.ndjson`,
          ),
        ),
      ),
    );
    expect(files.filter((f) => f.includes('/type=MedicationRequest/')).length).toBeGreaterThan(0);
    expect(await filesUnder(dataDir)).toEqual([]);
  });

  it('writes into the configured object store without --out', async () => {
    const { code } = await run('generate', '--quiet', '--patients', '3', '--orgs', '1', '--enrich');
    expect(code).toBe(0);
    const batch = cohortBatchId({ patients: 3, orgs: 1, seed: 1, enrich: true });
    expect(await filesUnder(dataDir)).toContain(
      `landing/fhir/org=org-1/type=Patient/batch=${batch}/part-00000.ndjson`,
    );
  });
});
