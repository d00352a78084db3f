/**
 * Opaque keyset cursors: the last row's sort values and id, bound to the organization and
 * to the query (`SearchRequest.queryKey`) with an HMAC, so a cursor from another
 * organization, another query or a forger is refused with 400.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from '../fhir/operation-outcome';

export type CursorValue = string | number | null;

export interface CursorPosition {
  /** The last row's values of the sort keys, in sort order (the `id` tie-break excluded). */
  values: CursorValue[];
  id: string;
}

export interface CursorCodec {
  encode(queryKey: string, position: CursorPosition): string;
  /** Throws `badRequest` unless the cursor was issued by this codec for `queryKey`. */
  decode(queryKey: string, cursor: string): CursorPosition;
}

/** A codec for one organization, keyed with a server secret. */
export function createCursorCodec(secret: string, organizationId: string): CursorCodec {
  const sign = (payload: string) =>
    createHmac('sha256', secret).update(`${organizationId}|${payload}`).digest().subarray(0, 16);
  return {
    encode(queryKey, position) {
      const payload = Buffer.from(JSON.stringify([queryKey, position.values, position.id])).toString(
        'base64url',
      );
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    decode(queryKey, cursor) {
      const refused = () => badRequest('Invalid or expired paging cursor', ['_cursor']);
      const [payload = '', signature = '', extra] = cursor.split('.');
      if (extra !== undefined || !payload || cursor.length > 4096) throw refused();
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused();
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw refused();
      }
      if (!Array.isArray(parsed) || parsed[0] !== queryKey) throw refused();
      const [, values, id] = parsed as [string, CursorValue[], string];
      if (!Array.isArray(values) || typeof id !== 'string') throw refused();
      return { values, id };
    },
  };
}
