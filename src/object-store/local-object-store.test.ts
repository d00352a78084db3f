import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { createLocalObjectStore } from './local-object-store';
import { verifyPresignedUrl } from './local-presigner';
import { MultipartUploadError, ObjectNotFoundError, type ObjectStore } from './object-store';
import { openObjectStore, resolvePresignSecret } from './open-object-store';

let dir: string;
let store: ObjectStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-store-'));
  store = createLocalObjectStore({ root: dir });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const listAll = async (prefix: string) => {
  const out = [];
  for await (const o of store.list(prefix)) out.push([o.key, o.size]);
  return out;
};

describe('the local object store', () => {
  it('shows readers the old object until a streamed put completes, then the new one', async () => {
    await store.put('a/obj.ndjson', 'old');
    const body = new PassThrough();
    const writing = store.put('a/obj.ndjson', body);
    body.write('new part one, ');
    await new Promise((r) => setTimeout(r, 20));
    expect((await store.get('a/obj.ndjson')).toString()).toBe('old');
    body.end('part two');
    await writing;
    expect((await store.get('a/obj.ndjson')).toString()).toBe('new part one, part two');
  });

  it('keeps the old object and leaves no temp file when a streamed put fails', async () => {
    await store.put('a/obj.ndjson', 'old');
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from('half');
        throw new Error('source broke');
      })(),
    );
    await expect(store.put('a/obj.ndjson', failing)).rejects.toThrow('source broke');
    expect((await store.get('a/obj.ndjson')).toString()).toBe('old');
    expect(await readdir(join(dir, 'a'))).toEqual(['obj.ndjson']);
  });

  it('lists a prefix in ascending key order, across folders, with sizes', async () => {
    for (const k of ['p/b/2', 'p/a/10', 'p/a/9', 'p/c', 'q/x', 'p2/y']) await store.put(k, k);
    expect(await listAll('p/')).toEqual([
      ['p/a/10', 6],
      ['p/a/9', 5],
      ['p/b/2', 5],
      ['p/c', 3],
    ]);
    expect(await listAll('p')).toEqual([
      ['p/a/10', 6],
      ['p/a/9', 5],
      ['p/b/2', 5],
      ['p/c', 3],
      ['p2/y', 4],
    ]);
  });

  it('tells whether an object exists, deletes it, and reports it missing afterwards', async () => {
    await store.put('k/v', 'x');
    expect(await store.exists('k/v')).toBe(true);
    expect(await store.exists('k')).toBe(false);
    await store.delete('k/v');
    expect(await store.exists('k/v')).toBe(false);
    await expect(store.get('k/v')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.stream('k/v')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('joins a multipart upload in part order, invisible until completed, and answers MD5 ETags', async () => {
    const id = await store.createMultipartUpload('up/big.ndjson');
    const e2 = await store.uploadPart('up/big.ndjson', id, 2, Readable.from(['two\n']));
    const e1 = await store.uploadPart('up/big.ndjson', id, 1, Readable.from(['one\n']));
    expect(e1).toBe(`"${md5('one\n')}"`);
    expect(await store.exists('up/big.ndjson')).toBe(false);
    expect(await listAll('')).toEqual([]);
    await store.completeMultipartUpload('up/big.ndjson', id, [
      { partNumber: 1, etag: e1 },
      { partNumber: 2, etag: e2 },
    ]);
    expect((await store.get('up/big.ndjson')).toString()).toBe('one\ntwo\n');
    expect(await readdir(join(dir, '.multipart'))).toEqual([]);
    await expect(store.uploadPart('up/big.ndjson', id, 3, Readable.from(['x']))).rejects.toMatchObject({
      code: 'NoSuchUpload',
    });
  });

  it('refuses to complete with a wrong ETag, a missing part, parts out of order, or another key', async () => {
    const id = await store.createMultipartUpload('up/x');
    const e1 = await store.uploadPart('up/x', id, 1, Readable.from(['a']));
    const e2 = await store.uploadPart('up/x', id, 2, Readable.from(['b']));
    const refusals: [Parameters<ObjectStore['completeMultipartUpload']>[2], string, string][] = [
      [[{ partNumber: 1, etag: '"0"' }], 'up/x', 'InvalidPart'],
      [[{ partNumber: 3, etag: e1 }], 'up/x', 'InvalidPart'],
      [
        [
          { partNumber: 2, etag: e2 },
          { partNumber: 1, etag: e1 },
        ],
        'up/x',
        'InvalidPartOrder',
      ],
      [[{ partNumber: 1, etag: e1 }], 'up/y', 'NoSuchUpload'],
    ];
    for (const [parts, key, code] of refusals) {
      const error = await store.completeMultipartUpload(key, id, parts).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MultipartUploadError);
      expect((error as MultipartUploadError).code).toBe(code);
    }
    expect(await store.exists('up/x')).toBe(false);
    await store.abortMultipartUpload('up/x', id);
    await expect(
      store.completeMultipartUpload('up/x', id, [{ partNumber: 1, etag: e1 }]),
    ).rejects.toMatchObject({
      code: 'NoSuchUpload',
    });
  });

  it.each(['../x', '/etc/passwd', 'a/../../x', 'a//b', 'a/./b', 'a\\b', ''])(
    'refuses the unsafe key %j',
    async (key) => {
      await expect(store.put(key, 'x')).rejects.toThrow('Unsafe object key');
      await expect(store.get(key)).rejects.toThrow('Unsafe object key');
    },
  );
});

describe('openObjectStore', () => {
  it('opens a local store whose presigned URLs the gateway can verify with the same secret', async () => {
    const config = loadConfig({ DATA_DIR: dir, PUBLIC_BASE_URL: 'https://gw.example.org' });
    const local = await openObjectStore(config);
    const url = await local.presign('landing/x.ndjson', { method: 'PUT', expiresInSeconds: 60 });
    expect(url.startsWith('https://gw.example.org/v1/object-store/landing/x.ndjson?')).toBe(true);
    const secret = await resolvePresignSecret(config);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyPresignedUrl(url, { secret })).toMatchObject({
      ok: true,
      key: 'landing/x.ndjson',
      method: 'PUT',
    });
    expect(await resolvePresignSecret(config)).toBe(secret);
  });

  it('uses OBJECT_STORE_PRESIGN_SECRET when given', async () => {
    const config = loadConfig({ DATA_DIR: dir, OBJECT_STORE_PRESIGN_SECRET: 'configured-secret-123' });
    const url = await (await openObjectStore(config)).presign('k', { method: 'GET', expiresInSeconds: 5 });
    expect(verifyPresignedUrl(url, { secret: 'configured-secret-123' })).toMatchObject({
      ok: true,
      key: 'k',
    });
  });

  it('opens an S3 store when OBJECT_STORE=s3', async () => {
    const s3 = await openObjectStore(loadConfig({ OBJECT_STORE: 's3', S3_BUCKET: 'lake', DATA_DIR: dir }));
    expect(s3.kind).toBe('s3');
  });
});
