/**
 * The real gateway (`openApp`: the edge, routes, context and GraphQL) over a warehouse built from a
 * generated cohort, in a temp data dir. Shared by the app, security and browser suites.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppDeps, openApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { observeWarehouse, type SqlValue } from '../../src/warehouse';
import { buildTestWarehouse, type CohortOptions } from './cohort';

export interface RealGatewayOptions {
  /** Environment for `loadConfig` beyond `DATA_DIR` and `TOKEN_SALT`; a function gets the data dir. */
  env?: Record<string, string> | ((dir: string) => Record<string, string>);
  overrides?: Partial<AppDeps>;
  /** Defaults to a silent logger. */
  log?: Logger;
  /** Sees every warehouse statement before it runs. */
  onQuery?: (sql: string, params: readonly SqlValue[]) => void;
}

export async function openRealGateway(cohort: CohortOptions, options: RealGatewayOptions = {}) {
  const built = await buildTestWarehouse(cohort);
  const dir = await mkdtemp(join(tmpdir(), 'real-gateway-'));
  const warehouse = options.onQuery ? observeWarehouse(built.warehouse, options.onQuery) : built.warehouse;
  const env = typeof options.env === 'function' ? options.env(dir) : options.env;
  const config = loadConfig({ DATA_DIR: dir, TOKEN_SALT: built.salt, ...env });
  const opened = await openApp(config, options.log ?? createLogger({ level: 'silent' }), {
    warehouse,
    ...options.overrides,
  });
  return {
    ...opened,
    built,
    config,
    dir,
    /** Closes the cohort's warehouse and removes the data dir. */
    async close() {
      await built.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
