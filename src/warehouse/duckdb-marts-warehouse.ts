/**
 * The gateway's view of the local warehouse: the served marts build (`marts/CURRENT`), opened
 * read-only, so `load` and `transform` run beside the server. The pointer is re-read at most once
 * per `checkIntervalMs`; when a new build is published, new statements go to it at once and the
 * old build is closed when its last statement has finished. A reader never mixes two builds
 * within one statement, and a build becomes visible whole.
 */
import { currentBuildFile } from './duckdb-builds';
import { createDuckDbWarehouse } from './duckdb-warehouse';
import type { Warehouse } from './warehouse';

export interface DuckDbMartsOptions {
  martsDir: string;
  checkIntervalMs?: number;
  settings?: Record<string, string>;
}

interface OpenBuild {
  file: string;
  warehouse: Warehouse;
  running: number;
  retired: boolean;
}

export async function createDuckDbMartsWarehouse(options: DuckDbMartsOptions): Promise<Warehouse> {
  const interval = options.checkIntervalMs ?? 500;
  let current: OpenBuild | undefined;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let switching: Promise<OpenBuild> | undefined;
  let closed = false;

  const closeWhenIdle = async (build: OpenBuild) => {
    if (build.retired && build.running === 0) await build.warehouse.close();
  };

  const open = async (): Promise<OpenBuild> => {
    const file = await currentBuildFile(options.martsDir);
    checkedAt = Date.now();
    if (!file) throw new Error('No marts build yet: run `npx fhir-gateway transform` (or `start`) first');
    if (current?.file === file) return current;
    const warehouse = await createDuckDbWarehouse({ path: file, readOnly: true, settings: options.settings });
    const previous = current;
    current = { file, warehouse, running: 0, retired: false };
    if (previous) {
      previous.retired = true;
      await closeWhenIdle(previous);
    }
    return current;
  };

  const acquire = async (): Promise<OpenBuild> => {
    if (closed) throw new Error('The warehouse is closed');
    if (current && Date.now() - checkedAt < interval) return current;
    switching ??= open().finally(() => {
      switching = undefined;
    });
    return switching;
  };

  const using = async <T>(fn: (w: Warehouse) => Promise<T>): Promise<T> => {
    const build = await acquire();
    build.running++;
    try {
      return await fn(build.warehouse);
    } finally {
      build.running--;
      await closeWhenIdle(build);
    }
  };

  await open().catch(() => undefined);
  return {
    dialect: 'duckdb',
    query: (sql, params) => using((w) => w.query(sql, params)),
    execute: (sql) => using((w) => w.execute(sql)),
    transaction: (fn) => using((w) => w.transaction(fn)),
    async close() {
      closed = true;
      if (current) {
        current.retired = true;
        await closeWhenIdle(current);
      }
    },
  };
}
