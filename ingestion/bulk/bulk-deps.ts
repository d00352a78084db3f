/**
 * What the bulk handlers need, built once from the configuration: the object store, the job store,
 * the guarded HTTP client, the SMART token source per FHIR server, the wait bounds, a clock and a
 * random source (both replaceable in tests). Lambda builds them once per container; the local
 * runner builds them once per run.
 */
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Config, loadConfig } from '../../src/config';
import { type ObjectStore, openObjectStore } from '../../src/object-store';
import { type BulkJobStore, createBulkJobStore } from './bulk-job-store';
import { createSafeHttp, type SafeHttp } from './safe-http';
import { type BearerSource, createSmartAuth, importPrivateKey } from './smart-auth';

export type BulkSettings = Config['bulk'];

/** Counts a download reports as it goes (the CLI's progress line). */
export interface DownloadProgress {
  wireBytes: number;
  resources: number;
}

export interface BulkDeps {
  store: ObjectStore;
  jobs: BulkJobStore;
  settings: BulkSettings;
  /** The guarded HTTP client for one FHIR server: its own origin is always allowed. */
  httpFor(source: string): SafeHttp;
  /** The token source for one FHIR server; null when no client is configured. */
  bearerFor(source: string): Promise<BearerSource | null>;
  now: () => number;
  random: () => number;
  onProgress?: (p: DownloadProgress) => void;
}

export interface BulkDepsOverrides {
  store?: ObjectStore;
  now?: () => number;
  random?: () => number;
  onProgress?: (p: DownloadProgress) => void;
}

export async function createBulkDeps(config: Config, overrides: BulkDepsOverrides = {}): Promise<BulkDeps> {
  const settings = config.bulk;
  const store = overrides.store ?? (await openObjectStore(config));
  const now = overrides.now ?? Date.now;
  const https = new Map<string, SafeHttp>();
  const bearers = new Map<string, Promise<BearerSource | null>>();
  let key: Promise<CryptoKey> | null = null;

  const httpFor = (source: string) => {
    const origin = new URL(source).origin;
    let http = https.get(origin);
    if (!http) {
      http = createSafeHttp({
        allowedOrigins: [origin, ...settings.allowedOrigins],
        allowPrivateNetworks: settings.allowPrivateNetworks,
        requireHttps: settings.requireHttps,
        timeoutMs: settings.requestTimeoutMs,
      });
      https.set(origin, http);
    }
    return http;
  };

  const bearerFor = (source: string) => {
    const clientId = settings.clientId;
    if (!clientId) return Promise.resolve(null);
    let bearer = bearers.get(source);
    if (!bearer) {
      key ??= readPrivateKey(settings, config).then((text) => importPrivateKey(text, settings.keyAlgorithm));
      bearer = key.then((privateKey) =>
        createSmartAuth({
          http: httpFor(source),
          fhirBaseUrl: source,
          clientId,
          privateKey,
          algorithm: settings.keyAlgorithm,
          keyId: settings.keyId,
          scope: settings.scope,
          now,
        }),
      );
      bearers.set(source, bearer);
    }
    return bearer;
  };

  return {
    store,
    jobs: createBulkJobStore(store),
    settings,
    httpFor,
    bearerFor,
    now,
    random: overrides.random ?? Math.random,
    onProgress: overrides.onProgress,
  };
}

/** The client's private key: a file locally, Secrets Manager in AWS. */
async function readPrivateKey(settings: BulkSettings, config: Config): Promise<string> {
  if (settings.privateKeyFile) return readFile(settings.privateKeyFile, 'utf8');
  if (settings.privateKeySecretId) {
    const client = new SecretsManagerClient({
      region: config.objectStore.kind === 's3' ? config.objectStore.region : undefined,
    });
    const secret = await client.send(new GetSecretValueCommand({ SecretId: settings.privateKeySecretId }));
    if (!secret.SecretString) throw new Error('The bulk client key secret has no SecretString');
    return secret.SecretString;
  }
  throw new Error(
    'BULK_CLIENT_ID is set but neither BULK_PRIVATE_KEY_FILE nor BULK_PRIVATE_KEY_SECRET_ID is',
  );
}

let defaults: Promise<BulkDeps> | null = null;

/** The process's dependencies from its environment (what the Lambda handlers use). */
export function defaultBulkDeps(): Promise<BulkDeps> {
  defaults ??= createBulkDeps(loadConfig());
  return defaults;
}
