/** Local-folder adapter: one file per key under `root`; writes go to a temp file and are renamed. */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertSafeKey,
  type ObjectBody,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  type PresignOptions,
} from './object-store';

export interface LocalObjectStoreOptions {
  root: string;
  /** Signs presigned URLs; they point at the gateway, which serves them (see the ingestion API). */
  presign?: (key: string, options: PresignOptions) => Promise<string>;
}

export function createLocalObjectStore(options: LocalObjectStoreOptions): ObjectStore {
  const { root } = options;
  const pathOf = (key: string) => {
    assertSafeKey(key);
    return join(root, ...key.split('/'));
  };
  const notFound = (key: string, error: unknown): never => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFoundError(key);
    throw error;
  };

  return {
    kind: 'local',
    async put(key, body: ObjectBody) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${randomUUID()}.tmp`;
      try {
        const source = typeof body === 'string' || body instanceof Uint8Array ? Readable.from([body]) : body;
        await pipeline(source, createWriteStream(tmp));
        await rename(tmp, path);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
    },
    async get(key) {
      return readFile(pathOf(key)).catch((e) => notFound(key, e));
    },
    async stream(key) {
      const path = pathOf(key);
      await stat(path).catch((e) => notFound(key, e));
      return createReadStream(path);
    },
    async *list(prefix) {
      const base = join(root, ...prefix.split('/').slice(0, -1).filter(Boolean));
      for (const path of await walk(base)) {
        const key = relative(root, path).split(sep).join('/');
        if (!key.startsWith(prefix) || key.endsWith('.tmp')) continue;
        const s = await stat(path).catch(() => null);
        if (s) yield { key, size: s.size, lastModified: s.mtime } satisfies ObjectInfo;
      }
    },
    async exists(key) {
      return stat(pathOf(key)).then(
        (s) => s.isFile(),
        () => false,
      );
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async presign(key, presignOptions) {
      assertSafeKey(key);
      if (!options.presign) throw new Error('This local object store was created without a presigner');
      return options.presign(key, presignOptions);
    },
  };
}

/** Every file below `dir`, in ascending path order (so keys list in order). */
async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}
