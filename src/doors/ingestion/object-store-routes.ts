/**
 * Serves the local object store's presigned PUT URLs (`/v1/object-store/<key>?…&signature=`):
 * the stand-in for S3 answering a presigned request. The URL is the credential — no bearer
 * token — and it is checked with the HMAC presigner that signed it (`local-presigner.ts`):
 * tampered, expired or re-targeted URLs are 403, as S3 answers them. Only upload keys are
 * accepted; the ingestion service stores the body and starts validating it, or — for a URL of
 * one part of a multipart upload — stores the part and answers its `ETag`, as S3's `UploadPart`.
 */
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import type { IngestionService } from '../../../ingestion/jobs/ingestion-service';
import type { AppEnv } from '../../app-env';
import { methodNotAllowed, OperationOutcomeError, outcome } from '../../fhir/operation-outcome';
import { verifyPresignedUrl } from '../../object-store';

export interface ObjectStoreRoutesOptions {
  service: IngestionService;
  /** The secret the local presigner signs with. */
  secret: string;
  now?: () => Date;
}

/** Creates the routes to mount at `/v1/object-store` (unauthenticated: the signature is the credential). */
export function createObjectStoreRoutes(options: ObjectStoreRoutesOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.put('/*', async (c) => {
    const verdict = verifyPresignedUrl(c.req.url, {
      secret: options.secret,
      now: options.now,
      requestMethod: 'PUT',
    });
    if (!verdict.ok) {
      throw new OperationOutcomeError(
        403,
        outcome('forbidden', `The presigned URL is not valid: ${verdict.reason}`),
      );
    }
    const body = c.req.raw.body ? Readable.fromWeb(c.req.raw.body as never) : Readable.from([]);
    if (verdict.part) {
      const etag = await options.service.receivePart(verdict.key, verdict.part, body);
      return c.body(null, 200, { ETag: etag });
    }
    await options.service.receiveUpload(verdict.key, c.req.header('content-type'), body);
    return c.body(null, 200);
  });
  app.all('/*', () => {
    throw methodNotAllowed(['PUT']);
  });
  return app;
}
