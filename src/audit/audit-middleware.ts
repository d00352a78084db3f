import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Principal } from '../auth/principal';
import type { AuditLog } from './audit-log';

export interface AuditMiddlewareOptions {
  /** Milliseconds since the epoch (injectable for tests). */
  now?: () => number;
}

/** What a route may add to its audit event with `c.set('audit', ...)`. */
export interface AuditDetails {
  resourceType?: string;
  resourceIds?: string[];
}

const FHIR_PATH = /^\/v1\/fhir\/([A-Z][A-Za-z]+)(?:\/([^/]+))?/;
const TOKEN = /^[0-9a-f]{32}$/;

/**
 * Records one audit event per request after it is answered. Mount it before authentication,
 * so 401s and 403s are recorded too (with whatever identity was verified), and after the
 * request-id middleware. Request bodies are hashed from the body `jsonSafety` buffered.
 */
export function auditMiddleware(log: AuditLog, options: AuditMiddlewareOptions = {}): MiddlewareHandler {
  const now = options.now ?? Date.now;
  return async function audit(c, next) {
    const started = now();
    try {
      await next();
    } finally {
      const principal = (c.get('ctx') as { principal?: Principal } | undefined)?.principal;
      const details = c.get('audit') as AuditDetails | undefined;
      const url = new URL(c.req.url);
      const [, pathType, pathId] = FHIR_PATH.exec(url.pathname) ?? [];
      const ids = details?.resourceIds ?? (pathId && !pathId.startsWith('_') ? [pathId] : []);
      log.record({
        kind: 'audit',
        time: new Date(started).toISOString(),
        requestId: (c.get('requestId') as string | undefined) ?? null,
        subject: principal?.subject ?? null,
        clientId: principal?.clientId ?? null,
        organizationId: principal?.organizationId ?? null,
        method: c.req.method,
        route: routePath(c, -1) || '(unmatched)',
        resourceType: details?.resourceType ?? pathType ?? null,
        resourceIds: ids.map((id) => (TOKEN.test(id) ? id : `sha256:${log.hash(id)}`)),
        queryHash: await queryHash(c, url, log),
        status: c.res.status,
        durationMs: now() - started,
      });
    }
  };
}

async function queryHash(c: Context, url: URL, log: AuditLog): Promise<string | null> {
  const query = url.search.slice(1);
  const body = await bufferedBody(c);
  if (!query && !body?.byteLength) return null;
  return log.hash(body?.byteLength ? Buffer.concat([Buffer.from(`${query}\n`), body]) : query);
}

async function bufferedBody(c: Context): Promise<Uint8Array | undefined> {
  const cache = c.req.bodyCache;
  try {
    if (cache.arrayBuffer) return new Uint8Array(await cache.arrayBuffer);
    if (cache.text) return Buffer.from(await cache.text);
  } catch {
    return undefined;
  }
  return undefined;
}
