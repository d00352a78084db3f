import { createHash, createHmac } from 'node:crypto';

/**
 * One request, as the audit trail records it. Identity fields are `null` when unknown (a 401
 * has no verified identity). Search values never appear: a query is recorded only as a hash.
 */
export interface AuditEvent {
  kind: 'audit';
  /** ISO 8601 time the request arrived. */
  time: string;
  requestId: string | null;
  subject: string | null;
  clientId: string | null;
  organizationId: string | null;
  method: string;
  /** The route pattern (`/v1/fhir/Patient/:id`), never the concrete path. */
  route: string;
  resourceType: string | null;
  /** Resource ids (tokens) named in the path; anything not shaped like a token is recorded hashed. */
  resourceIds: string[];
  /** Hex (HMAC-)SHA-256 of the query string and request body (search parameters, GraphQL document and variables). */
  queryHash: string | null;
  status: number;
  durationMs: number;
}

/** Where audit lines go: anything with `write(line)` — a file or stdout stream, or an array in tests. */
export interface AuditDestination {
  write(line: string): unknown;
}

export interface AuditLogOptions {
  /**
   * Key for HMAC-SHA-256 of queries. Without it a plain SHA-256 is used, which a reader of the
   * log could brute-force for low-entropy searches (a birth date), so production passes one.
   */
  hashKey?: string;
}

export interface AuditLog {
  /** Writes one event as one JSON line. */
  record(event: AuditEvent): void;
  /** The hash the log uses for queries and non-token ids. */
  hash(data: string | Uint8Array): string;
}

/**
 * The audit trail: one JSON line per request on its own stream, apart from the app log, so it
 * can be retained, shipped and access-controlled on its own.
 */
export function createAuditLog(destination: AuditDestination, options: AuditLogOptions = {}): AuditLog {
  const { hashKey } = options;
  return {
    record(event) {
      destination.write(`${JSON.stringify(event)}\n`);
    },
    hash(data) {
      return (hashKey ? createHmac('sha256', hashKey) : createHash('sha256')).update(data).digest('hex');
    },
  };
}
