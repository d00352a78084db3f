import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/fhir-gateway.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `fhir-gateway <args>` in a child process with only PATH, `DATA_DIR` and quiet logs in its
 * environment; `onStderr` sees its standard error as it comes.
 */
export function runCli(dataDir: string, ...args: string[]): Promise<CliRun> {
  return runCliWatching(dataDir, args, () => undefined);
}

export function runCliWatching(
  dataDir: string,
  args: string[],
  onStderr: (soFar: string) => void,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr(stderr);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
