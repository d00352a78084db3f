/**
 * The partner doors, composed from configuration: the ingestion API (`/v1/ingestion`, plus the
 * local store's presigned-upload route `/v1/object-store`) and the Bulk Data export
 * (`/v1/export`). `createApp` mounts what this returns.
 */
import type { Hono } from 'hono';
import { createIngestionService, type IngestionService } from '../../ingestion/jobs/ingestion-service';
import { createLocalWarehouseRefresh } from '../../ingestion/jobs/warehouse-refresh';
import type { AppEnv } from '../app-env';
import type { Config } from '../config';
import type { ContextFactory } from '../context';
import { createExportService, type ExportService } from '../export/export-service';
import type { Logger } from '../logger';
import { type ObjectStore, openObjectStore, resolvePresignSecret } from '../object-store';
import { createExportRoutes } from './export/export-routes';
import { createIngestionRoutes } from './ingestion/ingestion-routes';
import { createObjectStoreRoutes } from './ingestion/object-store-routes';

export interface Doors {
  ingestion: Hono<AppEnv>;
  export: Hono<AppEnv>;
  /** Present with the local object store, whose presigned URLs point at the gateway. */
  objectStore?: Hono<AppEnv>;
  ingestionService: IngestionService;
  exportService: ExportService;
  store: ObjectStore;
  /** Waits for background jobs and exports to finish. */
  idle(): Promise<void>;
}

export interface DoorsDeps {
  config: Config;
  log: Logger;
  /** Request contexts for exports (composed by `openApp`; the doors never hold the warehouse). */
  exportContext: ContextFactory;
  tokenSalt: string;
  /** Defaults to the configured object store. */
  store?: ObjectStore;
}

/** Opens the doors' object store and builds their services and routes. */
export async function openDoors(deps: DoorsDeps): Promise<Doors> {
  const { config, log, tokenSalt } = deps;
  const store = deps.store ?? (await openObjectStore(config));
  const baseUrl = config.server.baseUrl;
  const refresh =
    config.doors.refresh === 'local' && config.warehouse.kind === 'duckdb'
      ? createLocalWarehouseRefresh({ config, store, log })
      : undefined;
  const ingestionService = createIngestionService({
    store,
    refresh,
    tokenSalt,
    log,
    uploadMaxBytes: config.doors.uploadMaxBytes,
    uploadUrlTtlSeconds: config.doors.uploadUrlTtlSeconds,
    uploadPartBytes: config.doors.uploadPartBytes,
  });
  const exportService = createExportService({
    store,
    createContext: deps.exportContext,
    log,
    fileMaxBytes: config.doors.exportFileMaxBytes,
    fileTtlSeconds: config.doors.exportFileTtlSeconds,
    maxConcurrentPerOrg: config.doors.exportMaxConcurrentPerOrg,
  });
  return {
    ingestion: createIngestionRoutes({ service: ingestionService, baseUrl }),
    export: createExportRoutes({ service: exportService, baseUrl }),
    objectStore:
      store.kind === 'local'
        ? createObjectStoreRoutes({ service: ingestionService, secret: await resolvePresignSecret(config) })
        : undefined,
    ingestionService,
    exportService,
    store,
    idle: async () => {
      await Promise.all([ingestionService.idle(), exportService.idle()]);
    },
  };
}
