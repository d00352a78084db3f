/**
 * Local-folder adapter: one file per key under `root`; writes go to a temp file and are renamed.
 * Multipart uploads keep their parts under `root/.multipart/<uploadId>/` (outside every key)
 * until completion concatenates them into the object.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertSafeKey,
  MAX_PARTS,
  MultipartUploadError,
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
        if (!key.startsWith(prefix) || key.endsWith('.tmp') || key.startsWith('.multipart/')) continue;
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
    async createMultipartUpload(key) {
      assertSafeKey(key);
      const uploadId = randomUUID();
      await mkdir(partsDir(uploadId), { recursive: true });
      await writeFile(join(partsDir(uploadId), 'upload.json'), JSON.stringify({ key }));
      return uploadId;
    },
    async uploadPart(key, uploadId, partNumber, body) {
      await openUpload(key, uploadId);
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
        throw new MultipartUploadError('InvalidPart', `part number ${partNumber} is not 1-${MAX_PARTS}`);
      }
      const path = join(partsDir(uploadId), String(partNumber).padStart(5, '0'));
      const tmp = `${path}.${randomUUID()}.tmp`;
      const md5 = createHash('md5');
      try {
        await pipeline(
          body,
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              md5.update(chunk);
              yield chunk;
            }
          },
          createWriteStream(tmp),
        );
        const etag = `"${md5.digest('hex')}"`;
        await writeFile(`${path}.etag`, etag);
        await rename(tmp, path);
        return etag;
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
    },
    async completeMultipartUpload(key, uploadId, parts) {
      await openUpload(key, uploadId);
      if (parts.length === 0) throw new MultipartUploadError('InvalidPart', 'no parts were listed');
      const paths: string[] = [];
      for (const [i, part] of parts.entries()) {
        if (i > 0 && part.partNumber <= parts[i - 1]!.partNumber) {
          throw new MultipartUploadError('InvalidPartOrder', 'parts must be listed in ascending order');
        }
        const path = join(partsDir(uploadId), String(part.partNumber).padStart(5, '0'));
        const etag = await readFile(`${path}.etag`, 'utf8').catch(() => null);
        if (etag === null || normalEtag(etag) !== normalEtag(part.etag)) {
          throw new MultipartUploadError(
            'InvalidPart',
            `part ${part.partNumber} is not there with that ETag`,
          );
        }
        paths.push(path);
      }
      const target = pathOf(key);
      await mkdir(dirname(target), { recursive: true });
      const tmp = `${target}.${randomUUID()}.tmp`;
      try {
        await pipeline(
          (async function* () {
            for (const path of paths) yield* createReadStream(path);
          })(),
          createWriteStream(tmp),
        );
        await rename(tmp, target);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      await rm(partsDir(uploadId), { recursive: true, force: true });
    },
    async abortMultipartUpload(key, uploadId) {
      await openUpload(key, uploadId);
      await rm(partsDir(uploadId), { recursive: true, force: true });
    },
  };

  function partsDir(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw new MultipartUploadError('NoSuchUpload', 'no such upload');
    return join(root, '.multipart', uploadId);
  }
  /** Throws `NoSuchUpload` unless `uploadId` is an unfinished upload of `key`. */
  async function openUpload(key: string, uploadId: string): Promise<void> {
    assertSafeKey(key);
    const record = await readFile(join(partsDir(uploadId), 'upload.json'), 'utf8').catch(() => null);
    if (record === null || (JSON.parse(record) as { key: string }).key !== key) {
      throw new MultipartUploadError('NoSuchUpload', 'no such upload');
    }
  }
}

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const normalEtag = (etag: string) => etag.trim().replace(/^"|"$/g, '').toLowerCase();

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
