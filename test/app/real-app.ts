/** The real gateway app (core's routes and context) over a test warehouse built from a generated cohort. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppDeps, openApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { buildTestWarehouse, type CohortOptions } from '../support/cohort';

export async function openRealApp(cohort: CohortOptions, overrides: Partial<AppDeps> = {}) {
  const built = await buildTestWarehouse(cohort);
  const dir = await mkdtemp(join(tmpdir(), 'real-app-'));
  const config = loadConfig({
    DATA_DIR: dir,
    TOKEN_SALT: built.salt,
    PUBLIC_BASE_URL: 'http://127.0.0.1:4000',
  });
  const opened = await openApp(config, createLogger({ level: 'silent' }), {
    warehouse: built.warehouse,
    ...overrides,
  });
  return {
    ...opened,
    built,
    config,
    token: (org: string, scopes?: string[]) => opened.devIssuer!.mintDevToken({ org, scopes }),
    async close() {
      await built.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
