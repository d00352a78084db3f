import type { Config } from '../config';
import { createLocalObjectStore } from './local-object-store';
import type { ObjectStore } from './object-store';

/** Opens the configured object store. */
export async function openObjectStore(config: Config): Promise<ObjectStore> {
  const s = config.objectStore;
  if (s.kind === 'local') return createLocalObjectStore({ root: s.root });
  throw new Error('OBJECT_STORE=s3: the S3 adapter is being added (src/object-store/s3-object-store.ts)');
}
