import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openS3rverStore } from '../../test/support/s3rver-harness';
import { ObjectNotFoundError, type ObjectStore } from './object-store';

let s3: Awaited<ReturnType<typeof openS3rverStore>>;
let store: ObjectStore;
beforeAll(async () => {
  s3 = await openS3rverStore({ listPageSize: 2 });
  store = s3.store;
});
afterAll(() => s3?.close());

const sha256 = async (source: AsyncIterable<Buffer | string>) => {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of source) {
    h.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, digest: h.digest('hex') };
};

/** A deterministic byte stream of `mib` MiB, produced lazily. */
function bigStream(mib: number): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < mib * 16; i++) yield Buffer.alloc(64 * 1024, i % 251);
    })(),
  );
}

describe('the S3 object store against a real S3-compatible server', () => {
  it('puts and gets a small object', async () => {
    await store.put('jobs/j1.json', '{"state":"done"}', { contentType: 'application/json' });
    expect((await store.get('jobs/j1.json')).toString()).toBe('{"state":"done"}');
  });

  it('streams a multi-part upload in and streams it back out unchanged', async () => {
    await store.put('landing/big.ndjson', bigStream(11));
    const expected = await sha256(bigStream(11));
    expect(await sha256(await store.stream('landing/big.ndjson'))).toEqual(expected);
    expect(expected.bytes).toBe(11 * 1024 * 1024);
  });

  it('lists a prefix across pages in ascending key order with sizes', async () => {
    for (const k of ['c', 'a', 'e', 'b', 'd']) await store.put(`list/${k}.ndjson`, k.repeat(3));
    await store.put('listing-not-this', 'x');
    const listed = [];
    for await (const o of store.list('list/')) listed.push(o);
    expect(listed.map((o) => [o.key, o.size])).toEqual([
      ['list/a.ndjson', 3],
      ['list/b.ndjson', 3],
      ['list/c.ndjson', 3],
      ['list/d.ndjson', 3],
      ['list/e.ndjson', 3],
    ]);
    expect(listed.every((o) => o.lastModified instanceof Date && o.lastModified.getTime() > 0)).toBe(true);
  });

  it('tells whether an object exists and deletes it', async () => {
    await store.put('tmp/x', 'x');
    expect(await store.exists('tmp/x')).toBe(true);
    await store.delete('tmp/x');
    expect(await store.exists('tmp/x')).toBe(false);
    await expect(store.get('tmp/x')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.stream('tmp/x')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('accepts a presigned PUT made with plain fetch and serves it through a presigned GET', async () => {
    const body = '{"resourceType":"Patient","id":"p1"}\n';
    const put = await store.presign('landing/upload.ndjson', { method: 'PUT', expiresInSeconds: 60 });
    expect(new URL(put).searchParams.get('X-Amz-Expires')).toBe('60');
    expect((await fetch(put, { method: 'PUT', body })).status).toBe(200);
    expect((await store.get('landing/upload.ndjson')).toString()).toBe(body);

    const get = await store.presign('landing/upload.ndjson', { method: 'GET', expiresInSeconds: 60 });
    const response = await fetch(get);
    expect({ status: response.status, body: await response.text() }).toEqual({ status: 200, body });
  });

  it('takes a multipart upload through presigned UploadPart URLs and plain fetch, then joins it', async () => {
    const key = 'uploads/org=org-a/big.ndjson';
    const id = await store.createMultipartUpload(key, { contentType: 'application/fhir+ndjson' });
    // S3's minimum part size is 5 MiB for every part but the last.
    const bodies = [Buffer.alloc(5 * 1024 * 1024, 'a'), Buffer.from('tail\n')];
    const parts = [];
    for (const [i, body] of bodies.entries()) {
      const url = await store.presign(key, {
        method: 'PUT',
        expiresInSeconds: 60,
        part: { uploadId: id, partNumber: i + 1 },
      });
      const res = await fetch(url, { method: 'PUT', body });
      expect(res.status).toBe(200);
      parts.push({ partNumber: i + 1, etag: res.headers.get('etag')! });
    }
    expect(await store.exists(key)).toBe(false);
    await store.completeMultipartUpload(key, id, parts);
    expect(await sha256(await store.stream(key))).toEqual(await sha256(Readable.from(bodies)));
  });

  // s3rver neither checks the parts listed at completion nor implements AbortMultipartUpload, so
  // those refusals are proven on the local store only (local-object-store.test.ts).
  it('stores parts sent through the adapter and answers their ETags for completion', async () => {
    const key = 'uploads/org=org-a/adapter.ndjson';
    const id = await store.createMultipartUpload(key);
    const parts = [];
    for (const [i, text] of [Buffer.alloc(5 * 1024 * 1024, 'b'), Buffer.from('end\n')].entries()) {
      parts.push({ partNumber: i + 1, etag: await store.uploadPart(key, id, i + 1, Readable.from([text])) });
    }
    expect(parts.map((p) => p.etag)).toEqual([expect.stringMatching(/^"[0-9a-f]{32}"$/), expect.any(String)]);
    await store.completeMultipartUpload(key, id, parts);
    expect((await store.get(key)).subarray(-5).toString()).toBe('bend\n');
  });

  it('refuses keys that climb out of the store', async () => {
    await expect(store.put('../escape', 'x')).rejects.toThrow('Unsafe object key');
    await expect(store.presign('/abs', { method: 'GET', expiresInSeconds: 1 })).rejects.toThrow(
      'Unsafe object key',
    );
  });
});
