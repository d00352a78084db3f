import type { MiddlewareHandler } from 'hono';

export interface SecurityHeadersOptions {
  /** Send `Strict-Transport-Security` (default true; browsers ignore it over plain HTTP). */
  hsts?: boolean;
}

/** API answers are data, never documents: nothing may load, frame or submit from them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The served pages (GraphiQL, the API reference) are self-contained: everything from this
 * origin or inline, editor workers from blob URLs, no CDN.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Security headers on every response: HSTS, `nosniff`, `no-referrer`, framing denied, and a
 * CSP chosen by what is answered — `PAGE_CSP` for HTML, `API_CSP` for everything else, which
 * is also `Cache-Control: no-store` unless the handler chose its own caching.
 * See: https://owasp.org/www-project-secure-headers/
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler {
  const hsts = options.hsts ?? true;
  return async function securityHeadersMiddleware(c, next) {
    await next();
    const h = c.res.headers;
    const page = (h.get('content-type') ?? '').toLowerCase().startsWith('text/html');
    if (hsts) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'no-referrer');
    h.set('X-Frame-Options', 'DENY');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Content-Security-Policy', page ? PAGE_CSP : API_CSP);
    if (!page && !h.has('cache-control')) h.set('Cache-Control', 'no-store');
  };
}
