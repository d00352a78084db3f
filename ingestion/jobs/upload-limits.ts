/**
 * The bounds an upload's bytes are held to on the way in: a body (or one part) no larger than it
 * may be, and a multipart completion that lists only parts the ticket handed out.
 */
import { PassThrough, type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { badRequest, payloadTooLarge } from '../../src/fhir/operation-outcome';
import type { UploadedPart } from '../../src/object-store';

/** Passes `body` to `write` through a byte counter that fails with 413 past `limit`; answers the bytes written. */
export async function storeLimited(
  body: Readable,
  limit: number,
  what: 'announced' | 'part',
  write: (limited: Readable) => Promise<void>,
): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(
        bytes > limit
          ? payloadTooLarge(
              what === 'part'
                ? `A part is limited to ${limit} bytes`
                : `The upload is larger than the ${limit} bytes announced`,
            )
          : null,
        chunk,
      );
    },
  });
  const through = new PassThrough();
  const written = write(through);
  try {
    await pipeline(body, counter, through);
  } catch (error) {
    await written.catch(() => undefined);
    throw error;
  }
  await written;
  return bytes;
}

/** The completion body's part list, checked: 1 to `count` parts, each a number in range with an ETag. */
export function partList(parts: unknown, count: number): UploadedPart[] {
  const list = Array.isArray(parts) ? parts : [];
  const valid = list.every(
    (p: { partNumber?: unknown; etag?: unknown } | null) =>
      Number.isInteger(p?.partNumber) &&
      (p!.partNumber as number) >= 1 &&
      (p!.partNumber as number) <= count &&
      typeof p!.etag === 'string' &&
      p!.etag.length > 0 &&
      p!.etag.length <= 128,
  );
  if (list.length === 0 || list.length > count || !valid) {
    throw badRequest(`parts must list 1 to ${count} {partNumber, etag} in ascending order`, ['parts']);
  }
  return list.map((p: UploadedPart) => ({ partNumber: p.partNumber, etag: p.etag }));
}
