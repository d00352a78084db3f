import type { MiddlewareHandler } from 'hono';
import { payloadTooLarge } from '../fhir/operation-outcome';

export interface BodyLimitOptions {
  /** Largest accepted request body in bytes. */
  maxBytes: number;
}

/**
 * Refuses request bodies over `maxBytes` with 413 (an `OperationOutcomeError`). A declared
 * `Content-Length` is checked before anything is read; a body without one (chunked) is read
 * up to the limit and no further, then handed on as a buffered body.
 * See: https://hl7.org/fhir/R4/http.html#status (413 for an oversize payload)
 */
export function bodyLimit({ maxBytes }: BodyLimitOptions): MiddlewareHandler {
  return async function bodyLimitMiddleware(c, next) {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const declared = raw.headers.get('content-length');
    if (declared !== null && !raw.headers.has('transfer-encoding')) {
      const length = Number(declared);
      if (!Number.isSafeInteger(length) || length < 0 || length > maxBytes) throw payloadTooLarge();
      return next();
    }
    const reader = raw.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw payloadTooLarge();
      }
      chunks.push(value);
    }
    c.req.raw = new Request(raw, { body: Buffer.concat(chunks, size) });
    return next();
  };
}
