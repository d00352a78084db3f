/**
 * The "load + transform" step of the local ingestion chain, behind one narrow interface so the
 * way the warehouse is refreshed can change without touching the jobs: the loader
 * (`loadLanding`, the local stand-in for Snowpipe) into the raw tables' DuckDB file, then an
 * incremental dbt Core run of the API marts into a new marts build, which the server switches to
 * once it is published whole (`src/transform`). In AWS this step is Snowpipe and the scheduled
 * dbt task, and no refresh is configured.
 *
 * Runs never overlap: callers that arrive while a run is under way share the next run, so a
 * burst of jobs costs one load and one build after the current one.
 */
import { join } from 'node:path';
import type { Config } from '../../src/config';
import type { Logger } from '../../src/logger';
import type { ObjectStore } from '../../src/object-store';
import { transform } from '../../src/transform';
import { openRawWarehouse } from '../../src/warehouse';
import { loadLanding } from '../loader';

export interface RefreshRequest {
  /** Called once the run's load has committed (before the build). */
  onLoaded?: () => Promise<void>;
}

export interface WarehouseRefresh {
  /**
   * Loads every landing file not loaded yet and rebuilds the marts; settles when the new marts are
   * published, or rejects with the step that failed.
   */
  refresh(request?: RefreshRequest): Promise<void>;
}

/** Where the time of the last run went, in seconds (the freshness figures). */
export interface RefreshTimings {
  load: number;
  transform: number;
}

export interface LocalRefreshOptions {
  config: Config;
  store: ObjectStore;
  log: Logger;
  onTimings?: (timings: RefreshTimings) => void;
}

/**
 * The models the gateway serves and what they depend on. Data tests (referential integrity across
 * every partner's data) and the OMOP marts belong to the scheduled `transform build` and CI: one
 * partner's dangling reference must not hold back every job.
 */
export const REFRESH_DBT_ARGS = ['run', '--select', '+path:models/marts/api'] as const;

interface Waiter extends RefreshRequest {
  resolve(): void;
  reject(error: unknown): void;
}

/** The local refresh: `loadLanding` into the raw tables, then dbt Core's incremental run of the API marts. */
export function createLocalWarehouseRefresh(options: LocalRefreshOptions): WarehouseRefresh {
  const { config, store, log } = options;
  let waiting: Waiter[] = [];
  let running = false;

  async function runOnce(batch: Waiter[]): Promise<void> {
    const started = performance.now();
    const raw = await openRawWarehouse(config);
    const loaded = await loadLanding(store, raw, {
      log,
      stagingDir: join(config.dataDir, 'staging-ingestion'),
    }).finally(() => raw.close());
    const loadSeconds = (performance.now() - started) / 1000;
    for (const w of batch) await w.onLoaded?.().catch((error) => log.warn({ err: error }, 'onLoaded failed'));
    const output: string[] = [];
    const code = await transform(config, {
      args: REFRESH_DBT_ARGS,
      output: (line) => output.push(line),
    });
    if (code !== 0) {
      log.error({ code, tail: output.slice(-10) }, 'ingestion refresh: dbt run failed');
      throw new Error(`the dbt run failed (exit code ${code})`);
    }
    const timings = { load: loadSeconds, transform: (performance.now() - started) / 1000 - loadSeconds };
    options.onTimings?.(timings);
    log.info({ files: loaded.files, ...timings }, 'ingestion refresh: loaded and built');
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
    refresh(request = {}) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ ...request, resolve, reject });
        if (!running) void pump();
      });
    },
  };
}
