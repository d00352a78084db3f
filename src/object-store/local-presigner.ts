/**
 * Presigned URLs for the local object store. The URL points at the gateway —
 * `<baseUrl>/v1/object-store/<key>?method=PUT&expires=<unix>&signature=<hmac>` — and the
 * signature is HMAC-SHA256 over the method, the key and the expiry, so a holder can use it for
 * exactly that method on exactly that key until it expires. A URL for one part of a multipart
 * upload also carries `uploadId` and `partNumber`, both signed (S3's `UploadPart` equivalent).
 * The ingestion API serves these URLs and checks them with `verifyPresignedUrl`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { assertSafeKey, type PresignOptions } from './object-store';

export const PRESIGN_PATH = '/v1/object-store/';

export interface LocalPresignerOptions {
  /** The gateway's public base URL (`config.server.baseUrl`). */
  baseUrl: string;
  secret: string;
  now?: () => Date;
}

export type PresignVerdict =
  | { ok: true; key: string; method: 'GET' | 'PUT'; expiresAt: Date; part?: PresignOptions['part'] }
  | { ok: false; reason: string };

const sign = (secret: string, method: string, key: string, expires: number, part?: PresignOptions['part']) =>
  createHmac('sha256', secret)
    .update(`${method}\n${key}\n${expires}${part ? `\n${part.uploadId}\n${part.partNumber}` : ''}`)
    .digest('hex');

/** A presigner to pass to `createLocalObjectStore({ presign })`. */
export function createLocalPresigner(options: LocalPresignerOptions) {
  const now = options.now ?? (() => new Date());
  const base = options.baseUrl.replace(/\/+$/, '');
  return async (key: string, presign: PresignOptions): Promise<string> => {
    assertSafeKey(key);
    const expires = Math.floor(now().getTime() / 1000) + Math.max(1, Math.floor(presign.expiresInSeconds));
    const path = key.split('/').map(encodeURIComponent).join('/');
    const { part } = presign;
    const query = new URLSearchParams({
      method: presign.method,
      expires: String(expires),
      ...(part && { uploadId: part.uploadId, partNumber: String(part.partNumber) }),
      signature: sign(options.secret, presign.method, key, expires, part),
    });
    return `${base}${PRESIGN_PATH}${path}?${query}`;
  };
}

/**
 * Checks a presigned URL as the gateway received it (absolute, or path and query). With
 * `requestMethod`, the request's HTTP method must be the signed one.
 */
export function verifyPresignedUrl(
  url: string | URL,
  options: { secret: string; now?: () => Date; requestMethod?: string },
): PresignVerdict {
  const parsed = typeof url === 'string' ? new URL(url, 'http://gateway.invalid') : url;
  const at = parsed.pathname.indexOf(PRESIGN_PATH);
  if (at === -1) return { ok: false, reason: 'not an object-store URL' };
  let key: string;
  try {
    key = parsed.pathname
      .slice(at + PRESIGN_PATH.length)
      .split('/')
      .map(decodeURIComponent)
      .join('/');
    assertSafeKey(key);
  } catch {
    return { ok: false, reason: 'invalid key' };
  }
  const method = parsed.searchParams.get('method');
  const expires = Number(parsed.searchParams.get('expires'));
  const signature = parsed.searchParams.get('signature') ?? '';
  if (method !== 'GET' && method !== 'PUT') return { ok: false, reason: 'invalid method' };
  if (!Number.isSafeInteger(expires) || expires <= 0) return { ok: false, reason: 'invalid expiry' };
  const uploadId = parsed.searchParams.get('uploadId');
  const partNumber = parsed.searchParams.get('partNumber');
  if (
    (uploadId === null) !== (partNumber === null) ||
    (partNumber !== null && !/^[1-9]\d{0,4}$/.test(partNumber))
  ) {
    return { ok: false, reason: 'invalid part' };
  }
  const part = uploadId !== null ? { uploadId, partNumber: Number(partNumber) } : undefined;
  const expected = Buffer.from(sign(options.secret, method, key, expires, part), 'hex');
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad signature' };
  }
  const nowSeconds = Math.floor((options.now ?? (() => new Date()))().getTime() / 1000);
  if (nowSeconds >= expires) return { ok: false, reason: 'expired' };
  if (options.requestMethod && options.requestMethod.toUpperCase() !== method) {
    return { ok: false, reason: `signed for ${method}, used with ${options.requestMethod.toUpperCase()}` };
  }
  return { ok: true, key, method, expiresAt: new Date(expires * 1000), ...(part && { part }) };
}
