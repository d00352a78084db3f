/**
 * dbt Core from the project's locked Python environment (`.venv/`, made by `npm install`), run as
 * a child process with the project's profile. dbt's own output and exit code pass through.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface DbtInvocation {
  /** The venv's `dbt` executable. */
  executable: string;
  /** dbt's arguments: the command first (`build`, `run`, `test`, ...). */
  args: readonly string[];
  /** The project (also its profiles folder). */
  projectDir: string;
  /** Where dbt writes its artefacts (manifest.json, run_results.json, catalog.json) and logs. */
  targetPath: string;
  logPath: string;
  /** dbt's whole environment (PATH, HOME, and what the profile's and models' `env_var()` read). */
  env: Record<string, string | undefined>;
  /** Receives each output line; without it dbt writes to this process's stdout and stderr. */
  output?: (line: string) => void;
}

/** Thrown when the Python environment is missing: the message names the command that fixes it. */
export class DbtUnavailableError extends Error {}

/** Runs dbt and resolves with its exit code. */
export function runDbt(invocation: DbtInvocation): Promise<number> {
  if (!existsSync(invocation.executable)) {
    return Promise.reject(
      new DbtUnavailableError(
        `dbt is not installed in ${invocation.executable.replace(/\/bin\/dbt$/, '')}: run \`npm install\` (it sets up the Python tools)`,
      ),
    );
  }
  // The project's flags after dbt's own arguments, so sub-commands (`docs generate`) stay first.
  const args = [
    ...invocation.args,
    '--project-dir',
    invocation.projectDir,
    '--profiles-dir',
    invocation.projectDir,
    '--target-path',
    invocation.targetPath,
    '--log-path',
    invocation.logPath,
  ];
  const child = spawn(invocation.executable, args, {
    cwd: invocation.projectDir,
    env: {
      // dbt's update check and anonymous usage events would call out of this machine.
      DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
      DBT_VERSION_CHECK: 'false',
      PYTHONWARNINGS: 'ignore',
      ...invocation.env,
    },
    stdio: invocation.output ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  if (invocation.output) {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', invocation.output);
    }
  }
  return new Promise((resolve, reject) => {
    child.on('error', (error) =>
      reject(new DbtUnavailableError(`dbt could not start (${error.message}): run \`npm install\``)),
    );
    child.on('close', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}
