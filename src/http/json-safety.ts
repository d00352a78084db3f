import type { MiddlewareHandler } from 'hono';
import { badRequest, payloadTooLarge, unsupportedMediaType } from '../fhir/operation-outcome';
import { jsonNestingDepth } from './json-depth';

export interface JsonSafetyOptions {
  /** Deepest accepted nesting of objects and arrays (default 64). */
  maxDepth?: number;
  /** Most entries accepted in a posted Bundle (default 10,000). */
  maxBundleEntries?: number;
  /** Media types a request body may have (default JSON, FHIR JSON and HTML form posts for `_search`). */
  allowedTypes?: readonly string[];
}

const JSON_TYPES = new Set(['application/json', 'application/fhir+json', 'application/json+fhir']);
const DEFAULT_ALLOWED = [...JSON_TYPES, 'application/x-www-form-urlencoded'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/**
 * Checks request bodies before any handler parses them: an unlisted or missing
 * `Content-Type` is 415; JSON that is not UTF-8, nested deeper than `maxDepth` or malformed
 * is 400; a Bundle with more than `maxBundleEntries` entries is 413. Mount after `bodyLimit`
 * (the body is buffered here). Downstream, `c.req.json()` and `c.req.raw` both still work.
 * See: https://hl7.org/fhir/R4/http.html#mime-type
 */
export function jsonSafety(options: JsonSafetyOptions = {}): MiddlewareHandler {
  const maxDepth = options.maxDepth ?? 64;
  const maxEntries = options.maxBundleEntries ?? 10_000;
  const allowed = new Set((options.allowedTypes ?? DEFAULT_ALLOWED).map((t) => t.toLowerCase()));
  const decoder = new TextDecoder('utf-8', { fatal: true });

  return async function jsonSafetyMiddleware(c, next) {
    if (!BODY_METHODS.has(c.req.method) || !c.req.raw.body) return next();
    const type = mediaType(c.req.header('content-type'));
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    c.req.raw = new Request(c.req.raw, { body: bytes });
    if (bytes.byteLength === 0) return next();
    if (!type || !allowed.has(type)) {
      throw unsupportedMediaType(`Content-Type must be one of: ${[...allowed].join(', ')}`);
    }
    if (!JSON_TYPES.has(type)) return next();

    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw badRequest('The request body is not valid UTF-8');
    }
    if (jsonNestingDepth(text, maxDepth) > maxDepth) throw badRequest('The JSON body is nested too deeply');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw badRequest('The request body is not valid JSON');
    }
    if (isBundle(body) && Array.isArray(body.entry) && body.entry.length > maxEntries) {
      throw payloadTooLarge('The Bundle has too many entries');
    }
    return next();
  };
}

function isBundle(body: unknown): body is { resourceType: 'Bundle'; entry?: unknown } {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { resourceType?: unknown }).resourceType === 'Bundle'
  );
}
