/**
 * The bulk client against the test Bulk Data server: a temp data dir, a SMART client key pair
 * (ES384, its public JWK registered with the server), the client's dependencies built from the
 * configuration as the CLI builds them (loopback allowed explicitly), and a local flow run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { createBulkDeps } from '../../ingestion/bulk/bulk-deps';
import type { BulkFlowInput } from '../../ingestion/bulk/flow-state';
import { type LocalRunOptions, runBulkFlowLocally } from '../../ingestion/bulk/local-runner';
import { loadConfig } from '../../src/config';
import { type BulkDataServerOptions, startBulkDataServer } from './bulk-data-server';

export const CLIENT_ID = 'fhir-gateway-test-client';

/** A client key pair: the private JWK written to `dir/client-key.json`, the public one as a JWKS. */
export async function createClientKey(dir: string) {
  const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
  const kid = 'test-key-1';
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES384' };
  const keyFile = join(dir, 'client-key.json');
  await writeFile(keyFile, JSON.stringify(privateJwk), { mode: 0o600 });
  return {
    keyFile,
    kid,
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' }] },
  };
}

export interface BulkHarnessOptions {
  server: Omit<BulkDataServerOptions, 'auth'> & {
    auth?: boolean | { tokenUses?: number; tokenLifetimeSeconds?: number };
  };
  env?: Record<string, string>;
}

export async function openBulkHarness(options: BulkHarnessOptions) {
  const dir = await mkdtemp(join(tmpdir(), 'bulk-'));
  const key = await createClientKey(dir);
  const authOptions = options.server.auth;
  const server = await startBulkDataServer({
    ...options.server,
    auth: authOptions
      ? { clientId: CLIENT_ID, jwks: key.jwks, ...(typeof authOptions === 'object' ? authOptions : {}) }
      : undefined,
  });
  const env: Record<string, string> = {
    DATA_DIR: dir,
    BULK_ALLOW_PRIVATE_NETWORKS: 'true',
    BULK_MIN_WAIT_SECONDS: '0',
    ...(authOptions
      ? {
          BULK_CLIENT_ID: CLIENT_ID,
          BULK_PRIVATE_KEY_FILE: key.keyFile,
          BULK_KEY_ALGORITHM: 'ES384',
          BULK_KEY_ID: key.kid,
        }
      : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const deps = await createBulkDeps(config);
  let jobs = 0;
  const input = (extra: Partial<BulkFlowInput> = {}): BulkFlowInput => ({
    jobId: `job-${++jobs}`,
    source: server.url,
    org: 'org-1',
    level: 'system',
    ...extra,
  });
  return {
    dir,
    env,
    config,
    deps,
    server,
    input,
    /** Runs the flow document locally, waits and retries shortened. */
    run: (extra: Partial<BulkFlowInput> = {}, runOptions: LocalRunOptions = {}) =>
      runBulkFlowLocally(deps, input(extra), { waitMs: 5, retryMs: 5, ...runOptions }),
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type BulkHarness = Awaited<ReturnType<typeof openBulkHarness>>;
