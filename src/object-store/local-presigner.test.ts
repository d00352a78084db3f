import { describe, expect, it } from 'vitest';
import { createLocalPresigner, verifyPresignedUrl } from './local-presigner';

const secret = 'test-secret-0123456789';
const t0 = new Date('2024-01-01T00:00:00Z');
const presign = createLocalPresigner({ baseUrl: 'http://localhost:4000/', secret, now: () => t0 });
const key = 'landing/fhir/org=org-a/type=Patient/batch=b1/part-00000.ndjson';
const at = (seconds: number) => () => new Date(t0.getTime() + seconds * 1000);

describe('the local presigner', () => {
  it('points a signed URL at the gateway for exactly one method, key and expiry', async () => {
    const url = new URL(await presign(key, { method: 'PUT', expiresInSeconds: 300 }));
    expect(url.origin + url.pathname).toBe(
      'http://localhost:4000/v1/object-store/landing/fhir/org%3Dorg-a/type%3DPatient/batch%3Db1/part-00000.ndjson',
    );
    expect(url.searchParams.get('method')).toBe('PUT');
    expect(url.searchParams.get('expires')).toBe(String(t0.getTime() / 1000 + 300));
    expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts its own URL before expiry, absolute or as path and query', async () => {
    const url = await presign(key, { method: 'PUT', expiresInSeconds: 300 });
    const expected = { ok: true, key, method: 'PUT', expiresAt: new Date(t0.getTime() + 300_000) };
    expect(verifyPresignedUrl(url, { secret, now: at(299), requestMethod: 'put' })).toEqual(expected);
    const { pathname, search } = new URL(url);
    expect(verifyPresignedUrl(pathname + search, { secret, now: at(0) })).toEqual(expected);
  });

  it('refuses a URL whose key, method or expiry was changed', async () => {
    const url = new URL(await presign(key, { method: 'GET', expiresInSeconds: 300 }));
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace('org%3Dorg-a', 'org%3Dorg-b');
    const otherMethod = new URL(url);
    otherMethod.searchParams.set('method', 'PUT');
    const later = new URL(url);
    later.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    const options = { secret, now: at(1) };
    expect(verifyPresignedUrl(otherKey, options)).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyPresignedUrl(otherMethod, options)).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyPresignedUrl(later, options)).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyPresignedUrl(url, { secret: 'another-secret-0123456', now: at(1) })).toEqual({
      ok: false,
      reason: 'bad signature',
    });
  });

  it('signs a multipart part URL over its upload id and part number, so neither can be changed', async () => {
    const part = { uploadId: '5f0c9a52-6a34-4e0e-9d6c-0f4b1f2a3c4d', partNumber: 3 };
    const url = new URL(await presign(key, { method: 'PUT', expiresInSeconds: 300, part }));
    expect(verifyPresignedUrl(url, { secret, now: at(1), requestMethod: 'PUT' })).toEqual({
      ok: true,
      key,
      method: 'PUT',
      expiresAt: new Date(t0.getTime() + 300_000),
      part,
    });
    const otherPart = new URL(url);
    otherPart.searchParams.set('partNumber', '4');
    const otherUpload = new URL(url);
    otherUpload.searchParams.set('uploadId', '00000000-0000-4000-8000-000000000000');
    const wholeObject = new URL(url);
    wholeObject.searchParams.delete('uploadId');
    wholeObject.searchParams.delete('partNumber');
    for (const changed of [otherPart, otherUpload, wholeObject]) {
      expect(verifyPresignedUrl(changed, { secret, now: at(1) })).toEqual({
        ok: false,
        reason: 'bad signature',
      });
    }
    const noNumber = new URL(url);
    noNumber.searchParams.delete('partNumber');
    expect(verifyPresignedUrl(noNumber, { secret, now: at(1) })).toEqual({
      ok: false,
      reason: 'invalid part',
    });
  });

  it('refuses an expired URL', async () => {
    const url = await presign(key, { method: 'PUT', expiresInSeconds: 60 });
    expect(verifyPresignedUrl(url, { secret, now: at(60) })).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a GET URL used for a PUT', async () => {
    const url = await presign(key, { method: 'GET', expiresInSeconds: 60 });
    expect(verifyPresignedUrl(url, { secret, now: at(1), requestMethod: 'PUT' })).toEqual({
      ok: false,
      reason: 'signed for GET, used with PUT',
    });
  });

  it('refuses malformed URLs and keys that climb out of the store', async () => {
    expect(verifyPresignedUrl('/v1/other/x?method=GET', { secret })).toEqual({
      ok: false,
      reason: 'not an object-store URL',
    });
    expect(
      verifyPresignedUrl('/v1/object-store/a%2F..%2Fb?method=GET&expires=1&signature=00', { secret }),
    ).toEqual({
      ok: false,
      reason: 'invalid key',
    });
    expect(verifyPresignedUrl('/v1/object-store/a?method=POST&expires=1&signature=00', { secret })).toEqual({
      ok: false,
      reason: 'invalid method',
    });
    await expect(presign('../x', { method: 'GET', expiresInSeconds: 1 })).rejects.toThrow(
      'Unsafe object key',
    );
  });
});
