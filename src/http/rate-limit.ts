import type { Context, MiddlewareHandler } from 'hono';
import { tooManyRequests } from '../fhir/operation-outcome';
import { createTokenBuckets, type TokenBucketsOptions } from './token-buckets';

export interface RateLimitOptions extends TokenBucketsOptions {
  /** The caller's network address for unauthenticated requests (default: the socket or API Gateway source IP). */
  clientIp?: (c: Context) => string | undefined;
}

interface PlatformEnv {
  incoming?: { socket?: { remoteAddress?: string } };
  event?: { requestContext?: { identity?: { sourceIp?: string }; http?: { sourceIp?: string } } };
}

/**
 * The peer address as the platform saw it: the socket under `@hono/node-server`, the source IP
 * API Gateway recorded under `hono/aws-lambda` (REST v1 and HTTP API v2). `X-Forwarded-For` is
 * not trusted: any client can write it.
 */
export function platformClientIp(c: Context): string | undefined {
  const env = c.env as PlatformEnv | undefined;
  return (
    env?.incoming?.socket?.remoteAddress ??
    env?.event?.requestContext?.identity?.sourceIp ??
    env?.event?.requestContext?.http?.sourceIp
  );
}

/**
 * A per-organization rate limit: one token bucket per verified organization (from the
 * request context set by the auth middleware), falling back to the client IP for
 * unauthenticated requests. Over the limit it throws 429 with `Retry-After`.
 * See: https://www.rfc-editor.org/rfc/rfc6585#section-4
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const buckets = createTokenBuckets(options);
  const clientIp = options.clientIp ?? platformClientIp;
  return async function rateLimitMiddleware(c, next) {
    const organizationId = (c.get('ctx') as { principal?: { organizationId?: string } } | undefined)
      ?.principal?.organizationId;
    const key = organizationId ? `org:${organizationId}` : `ip:${clientIp(c) ?? 'unknown'}`;
    const { allowed, retryAfterSeconds } = buckets.take(key);
    if (!allowed) throw tooManyRequests(retryAfterSeconds);
    return next();
  };
}
