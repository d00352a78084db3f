/**
 * The "load + transform" step of the local ingestion chain, behind one narrow interface so the
 * way the warehouse is refreshed can change without touching the jobs: today it is the loader
 * (`loadLanding`, the local stand-in for Snowpipe) followed by a dbt run of the API marts and their upstream models. In AWS
 * this step is Snowpipe and the scheduled dbt task, and no refresh is configured.
 *
 * Runs never overlap: callers that arrive while a run is under way share the next run, so a
 * burst of jobs costs one load and one build after the current one.
 */
import { join } from 'node:path';
import type { Logger } from '../../src/logger';
import type { ObjectStore } from '../../src/object-store';
import { runTransform } from '../../src/transform';
import type { Warehouse } from '../../src/warehouse';
import { loadLanding } from '../loader';

export interface WarehouseRefresh {
  /**
   * Loads every landing file not loaded yet and rebuilds the marts. `onLoaded` is called once the
   * run's load has committed (before the build); the promise settles when the new marts are
   * visible, or rejects with the step that failed.
   */
  refresh(onLoaded?: () => Promise<void>): Promise<void>;
}

export interface LocalRefreshOptions {
  store: ObjectStore;
  warehouse: Warehouse;
  /** The data dir: the loader stages under `<dataDir>/staging-ingestion`. */
  dataDir: string;
  /** What dbt's `env_var()` sees: the salt, the DuckDB path, `DBT_*`. */
  dbtEnv: Record<string, string | undefined>;
  log: Logger;
}

interface Waiter {
  onLoaded?: () => Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** The local refresh: `loadLanding` into the server's DuckDB, then the project's dbt build of the marts. */
export function createLocalWarehouseRefresh(options: LocalRefreshOptions): WarehouseRefresh {
  const { store, warehouse, log } = options;
  let waiting: Waiter[] = [];
  let running = false;

  async function runOnce(batch: Waiter[]): Promise<void> {
    const started = performance.now();
    const loaded = await loadLanding(store, warehouse, {
      log,
      stagingDir: join(options.dataDir, 'staging-ingestion'),
    });
    const loadSeconds = (performance.now() - started) / 1000;
    for (const waiter of batch) await waiter.onLoaded?.().catch((error) => log.warn({ err: error }, 'onLoaded failed'));
    const output: string[] = [];
    const result = await runTransform({
      // The models the gateway serves and what they depend on. Data tests (referential integrity
      // across every partner's data) and the OMOP marts belong to the scheduled build and CI: one
      // partner's dangling reference must not hold back every job.
      command: 'run',
      select: ['+path:models/marts/api'],
      warehouse,
      target: 'duckdb',
      env: options.dbtEnv,
      output: (line) => output.push(line),
    });
    if (!result.ok) {
      const failed = result.results.filter((r) => r.status === 'error' || r.status === 'fail').map((r) => r.node);
      log.error({ failed, tail: output.slice(-10) }, 'ingestion refresh: dbt run failed');
      throw new Error(`the dbt run failed (${failed.join(', ')})`);
    }
    log.info(
      { files: loaded.files, loadSeconds, totalSeconds: (performance.now() - started) / 1000 },
      'ingestion refresh: loaded and built',
    );
  }

  async function pump(): Promise<void> {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await runOnce(batch);
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    running = false;
  }

  return {
    refresh(onLoaded) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ onLoaded, resolve, reject });
        if (!running) void pump();
      });
    },
  };
}
