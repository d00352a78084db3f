import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config';
import { createLocalObjectStore } from './local-object-store';
import { createLocalPresigner } from './local-presigner';
import type { ObjectStore } from './object-store';
import { createS3ObjectStore } from './s3-object-store';

/** Opens the configured object store: a local folder whose presigned URLs point at the gateway, or S3. */
export async function openObjectStore(config: Config): Promise<ObjectStore> {
  const s = config.objectStore;
  if (s.kind === 'local') {
    const presign = createLocalPresigner({
      baseUrl: config.server.baseUrl,
      secret: await resolvePresignSecret(config),
    });
    return createLocalObjectStore({ root: s.root, presign });
  }
  return createS3ObjectStore({
    bucket: s.bucket,
    region: s.region,
    endpoint: s.endpoint,
    forcePathStyle: s.forcePathStyle,
    checksums: s.checksums,
  });
}

/**
 * The key that signs and verifies the local store's presigned URLs: `OBJECT_STORE_PRESIGN_SECRET`,
 * else a random one created once under `.data/keys/presign-secret`.
 */
export async function resolvePresignSecret(config: Config): Promise<string> {
  if (config.objectStore.kind === 'local' && config.objectStore.presignSecret) {
    return config.objectStore.presignSecret;
  }
  const file = join(config.auth.devKeysDir, 'presign-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(config.auth.devKeysDir, { recursive: true });
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch(
      () => undefined,
    );
    return (await readFile(file, 'utf8')).trim();
  }
}
