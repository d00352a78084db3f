/**
 * The whole local pipeline on a large cohort (100k patients unless COHORT_PATIENTS says otherwise),
 * each stage as the CLI runs it, in a child process: `generate`, `load`, `transform build`. Prints
 * each stage's wall time and the peak RSS of its process tree, against the machine's memory.
 * DuckDB runs inside DUCKDB_MEMORY_LIMIT (2 GB by default) and spills to its temp directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config';
import { measureTree } from './support/process-tree-rss';

const bin = fileURLToPath(new URL('../../bin/fhir-gateway.js', import.meta.url));

function cli(dataDir: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The tail of both streams, for the error message (dbt reports on stdout).
    let stderr = '';
    const keep = (d: Buffer) => {
      stderr = (stderr + d).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args[0]} exited ${code}:\n${stderr}`)),
    );
  });
}

export async function run(): Promise<void> {
  const patients = loadConfig().bench.cohortPatients ?? 100_000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
  const machine = totalmem() / 1e9;
  let failed = false;
  try {
    const stages: [string, string[]][] = [
      ['generate', ['generate', '--patients', String(patients), '--orgs', '5', '--seed', '7']],
      ['load', ['load', '--quiet', '--memory-limit', '2GB']],
      ['transform', ['transform', 'build']],
    ];
    for (const [name, args] of stages) {
      const { seconds, peakMb } = await measureTree(() => cli(dir, args), 250);
      console.log(
        `${patients.toLocaleString('en')} patients, ${name}: ${seconds.toFixed(0)} s, peak RSS ${peakMb.toFixed(0)} MB` +
          ` (${((100 * peakMb) / 1000 / machine).toFixed(0)} % of the machine's ${machine.toFixed(0)} GB)`,
      );
    }
  } catch (error) {
    failed = true;
    console.log(`kept ${dir} to look into (a later stage can be run again with DATA_DIR=${dir})`);
    throw error;
  } finally {
    if (!failed) rmSync(dir, { recursive: true, force: true });
  }
}
