/**
 * The `/v1/fhir` REST adapter: thin routes mapping FHIR's RESTful API onto the resolvers.
 * Errors are thrown as `OperationOutcomeError`s and mapped to responses by the app once.
 * See: https://hl7.org/fhir/R4/http.html
 */
import { type Context, Hono } from 'hono';
import { RESOLVERS } from '../../resolvers';
import type { AppEnv } from '../app-env';
import { buildSearchBundle } from '../fhir/bundle';
import { buildCapabilityStatement } from '../fhir/capability-statement';
import {
  methodNotAllowed,
  notAcceptable,
  routeNotFound,
  unsupportedMediaType,
} from '../fhir/operation-outcome';
import { isResourceType, type ResourceType } from '../fhir/search-parameters';
import { FHIR_JSON } from '../http';

export interface FhirRoutesOptions {
  /**
   * The public base URL: the FHIR base (`https://host/v1/fhir`) or the server's root
   * (`https://host`, to which `/v1/fhir` is appended). Bundle links and `fullUrl`s derive from it.
   */
  baseUrl: string;
}

const FORM = 'application/x-www-form-urlencoded';
/** Hono answers HEAD with the GET route minus its body. */
const READ_METHODS = ['GET', 'HEAD'];

/** Creates the routes to mount at `/v1/fhir`; every route but `GET /metadata` expects `c.get('ctx')`. */
export function createFhirRoutes(options: FhirRoutesOptions): Hono<AppEnv> {
  const base = fhirBase(options.baseUrl);
  const served = Object.values(RESOLVERS).map((r) => r.definition);
  const capability = JSON.stringify(buildCapabilityStatement(base, served));
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const format = c.req.query('_format');
    if (!(format !== undefined ? formatIsJson(format) : acceptsJson(c.req.header('accept')))) {
      throw notAcceptable();
    }
    await next();
  });

  app.get('/metadata', (c) => c.body(capability, 200, { 'Content-Type': FHIR_JSON }));
  app.all('/metadata', () => {
    throw methodNotAllowed(READ_METHODS);
  });

  app.post('/:type/_search', async (c) => {
    const type = resourceType(c.req.param('type'));
    const contentType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== FORM) throw unsupportedMediaType(`POST _search needs a ${FORM} body`);
    const body = new URLSearchParams(await c.req.text());
    return search(c, type, [...queryParams(c.req.url), ...body]);
  });
  app.all('/:type/_search', (c) => {
    resourceType(c.req.param('type'));
    throw methodNotAllowed(['POST']);
  });

  app.get('/:type/:id', async (c) => {
    const row = await RESOLVERS[resourceType(c.req.param('type'))].read(c.get('ctx'), c.req.param('id'));
    // `Last-Modified` from `meta.lastUpdated` (the mart's last_updated), and `If-Modified-Since` → 304.
    // No `ETag`: the marts keep no `meta.versionId` (the CapabilityStatement says `no-version`), and
    // FHIR's ETag is the version. See: https://hl7.org/fhir/R4/http.html#read and #cread
    const modified = row.lastUpdated ? new Date(row.lastUpdated) : undefined;
    const headers = {
      'Content-Type': FHIR_JSON,
      ...(modified && { 'Last-Modified': modified.toUTCString() }),
    };
    const since = Date.parse(c.req.header('if-modified-since') ?? '');
    if (modified && Math.floor(modified.getTime() / 1000) * 1000 <= since) return c.body(null, 304, headers);
    return c.body(row.resource, 200, headers);
  });
  app.all('/:type/:id', (c) => {
    resourceType(c.req.param('type'));
    throw methodNotAllowed(READ_METHODS);
  });

  app.get('/:type', (c) => search(c, resourceType(c.req.param('type')), queryParams(c.req.url)));
  app.all('/:type', (c) => {
    resourceType(c.req.param('type'));
    throw methodNotAllowed(READ_METHODS);
  });

  async function search(c: Context<AppEnv>, type: ResourceType, params: [string, string][]) {
    const strict = /(^|[;,\s])handling\s*=\s*strict\b/i.test(c.req.header('prefer') ?? '');
    const result = await RESOLVERS[type].search(c.get('ctx'), params, { strict });
    const bundle = buildSearchBundle({
      baseUrl: base,
      request: result.request,
      entries: result.rows,
      nextCursor: result.nextCursor,
      total: result.total,
      cursor: result.request.cursor,
    });
    return c.body(bundle, 200, { 'Content-Type': FHIR_JSON });
  }

  return app;
}

function resourceType(type: string): ResourceType {
  if (!isResourceType(type)) throw routeNotFound();
  return type;
}

function queryParams(url: string): [string, string][] {
  const q = url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))];
}

function fhirBase(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/v1/fhir') ? trimmed : `${trimmed}/v1/fhir`;
}

/**
 * Whether a `_format` value asks for JSON; it overrides `Accept`. A `+` left unencoded in the
 * query arrives as a space (`application/fhir json`), as clients commonly send it.
 * See: https://hl7.org/fhir/R4/http.html#mime-type
 */
function formatIsJson(format: string): boolean {
  const type = format.split(';')[0]!.trim().toLowerCase().replace(' ', '+');
  return ['json', 'application/json', 'application/fhir+json', 'application/json+fhir'].includes(type);
}

/** Whether an `Accept` header admits a JSON answer (absent, `*\/*`, `application/*`, JSON or FHIR JSON). */
function acceptsJson(accept: string | undefined): boolean {
  if (!accept?.trim()) return true;
  return accept.split(',').some((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) return false;
    return (
      type === '*/*' ||
      type === 'application/*' ||
      type === 'application/json' ||
      type === 'application/fhir+json' ||
      type === 'application/json+fhir'
    );
  });
}
