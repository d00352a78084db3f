/**
 * The `/v1/ingestion` door: thin routes over the ingestion job logic (`ingestion/jobs`). The
 * organization is the verified token's; job ids of other organizations answer exactly as
 * unknown ones. Errors are `OperationOutcomeError`s, mapped once by the app.
 * See: README "Partner doors: ingestion and export"
 */
import { Hono } from 'hono';
import type { IngestionService } from '../../../ingestion/jobs/ingestion-service';
import type { IngestionJob } from '../../../ingestion/jobs/job-store';
import { NDJSON_TYPE } from '../../../ingestion/jobs/uploads';
import { isSupportedType, SUPPORTED_TYPES } from '../../../ingestion/ndjson';
import type { AppEnv } from '../../app-env';
import { allows } from '../../auth/scopes';
import type { RequestContext } from '../../context';
import {
  badRequest,
  forbidden,
  type OperationOutcome,
  OperationOutcomeError,
  outcome,
  unsupportedMediaType,
} from '../../fhir/operation-outcome';
import { FHIR_JSON } from '../../http';

export interface IngestionRoutesOptions {
  service: IngestionService;
  /** The gateway's public base URL (job locations are absolute). */
  baseUrl: string;
}

const FHIR_JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json+fhir']);
/** Printable ASCII, as the IETF Idempotency-Key draft's examples; bounded. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** One answer for a missing job and another organization's: it names nothing. */
const jobNotFound = () => new OperationOutcomeError(404, outcome('not-found', 'No such ingestion job'));

/** Creates the routes to mount at `/v1/ingestion`; every route expects `c.get('ctx')`. */
export function createIngestionRoutes({ service, baseUrl }: IngestionRoutesOptions): Hono<AppEnv> {
  const base = `${baseUrl.replace(/\/+$/, '')}/v1/ingestion`;
  const location = (job: IngestionJob) => `${base}/jobs/${job.id}`;
  const app = new Hono<AppEnv>();

  app.post('/fhir/Bundle', async (c) => {
    const ctx = c.get('ctx');
    if (!FHIR_JSON_TYPES.has(mediaType(c.req.header('content-type')))) {
      throw unsupportedMediaType('A Bundle must be sent as application/fhir+json');
    }
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (raw.byteLength === 0) throw badRequest('The body must be a FHIR Bundle');
    const body: unknown = JSON.parse(new TextDecoder().decode(raw));
    const types = typesIn(body);
    requireInteraction(ctx, types.create, 'c');
    requireInteraction(ctx, types.delete, 'd');
    const key = c.req.header('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw badRequest('Idempotency-Key must be 1-255 printable ASCII characters', ['Idempotency-Key']);
    }
    const accepted = await service.acceptBundle(ctx.principal.organizationId, raw, body, key);
    const view = {
      ...jobView(accepted.job, location(accepted.job)),
      ...(accepted.rejected.length > 0 && { outcome: rejectedOutcome(accepted) }),
      ...(accepted.resources.length > 0 && { resources: accepted.resources }),
    };
    return c.body(JSON.stringify(view), 202, {
      'Content-Type': FHIR_JSON,
      'Content-Location': location(accepted.job),
      ...(accepted.replayed && { 'Idempotent-Replayed': 'true' }),
    });
  });

  app.post('/upload-url', async (c) => {
    const ctx = c.get('ctx');
    // The file's types are unknown until it is read: the ticket carries the types this token may
    // create, and a line of any other type is refused with a reason when the file lands.
    const creatable = SUPPORTED_TYPES.filter((t) => allows(ctx.principal.scopes, t, 'c'));
    if (creatable.length === 0) throw forbidden('The token does not grant c on any resource type');
    const body = (await c.req.json().catch(() => null)) as { contentType?: unknown; size?: unknown } | null;
    if (body?.contentType !== undefined && body.contentType !== NDJSON_TYPE) {
      throw unsupportedMediaType(`Uploads must be ${NDJSON_TYPE}`);
    }
    const size = body?.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
      throw badRequest('size (the file size in bytes, a positive integer) is required', ['size']);
    }
    const ticket = await service.createUpload(ctx.principal.organizationId, size, creatable);
    return c.json(
      {
        ...(ticket.url && { url: ticket.url }),
        method: ticket.method,
        headers: ticket.headers,
        expiresAt: ticket.expiresAt,
        maxBytes: ticket.maxBytes,
        ...(ticket.multipart && {
          multipart: { ...ticket.multipart, complete: `${location(ticket.job)}/complete` },
        }),
        job: jobView(ticket.job, location(ticket.job)),
      },
      201,
      { 'Content-Location': location(ticket.job) },
    );
  });

  app.get('/jobs/:jobId', async (c) => {
    const id = c.req.param('jobId');
    const job = await service.getJob(c.get('ctx').principal.organizationId, id);
    if (!job) throw jobNotFound();
    return c.body(JSON.stringify(jobView(job, location(job))), 200, {
      'Content-Type': FHIR_JSON,
      'Cache-Control': 'no-store',
    });
  });

  app.post('/jobs/:jobId/complete', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { parts?: unknown } | null;
    const job = await service.completeUpload(
      c.get('ctx').principal.organizationId,
      c.req.param('jobId'),
      body?.parts,
    );
    if (!job) throw jobNotFound();
    return c.body(JSON.stringify(jobView(job, location(job))), 202, {
      'Content-Type': FHIR_JSON,
      'Content-Location': location(job),
    });
  });

  app.get('/jobs/:jobId/errors', async (c) => {
    const id = c.req.param('jobId');
    const file = await service.errorFile(c.get('ctx').principal.organizationId, id);
    if (!file) throw jobNotFound();
    return new Response(file as unknown as ReadableStream, {
      status: 200,
      headers: { 'Content-Type': NDJSON_TYPE, 'Cache-Control': 'no-store' },
    });
  });
  return app;
}

/** The job as the API shows it. */
function jobView(job: IngestionJob, href: string) {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.bundleType && { bundleType: job.bundleType }),
    counts: job.counts,
    reasons: job.reasons,
    ...(job.failure && { failure: job.failure }),
    ...(job.upload && {
      upload: {
        expiresAt: job.upload.expiresAt,
        maxBytes: job.upload.maxBytes,
        ...(job.upload.bytes !== undefined && { bytes: job.upload.bytes }),
        ...(job.upload.multipart && {
          parts: job.upload.multipart.parts,
          partSize: job.upload.multipart.partSize,
        }),
      },
    }),
    history: job.history,
    errorFile: `${href}/errors`,
  };
}

/** One OperationOutcome with an issue per refused entry, naming its index and fullUrl. */
function rejectedOutcome(accepted: {
  rejected: { index: number; fullUrl?: string; outcome: OperationOutcome }[];
}) {
  return {
    resourceType: 'OperationOutcome',
    issue: accepted.rejected.flatMap((r) =>
      r.outcome.issue.map((issue) => ({
        ...issue,
        diagnostics: `entry ${r.index}${r.fullUrl ? ` (${r.fullUrl})` : ''}: ${issue.diagnostics ?? issue.code}`,
      })),
    ),
  };
}

/** The supported types the Bundle's entries create or update, and those its DELETE entries name. */
function typesIn(body: unknown): { create: string[]; delete: string[] } {
  const entries = (body as { entry?: unknown } | null)?.entry;
  const create = new Set<string>();
  const remove = new Set<string>();
  for (const e of Array.isArray(entries) ? entries : []) {
    const entry = e as {
      resource?: { resourceType?: unknown };
      request?: { method?: unknown; url?: unknown };
    } | null;
    const deleted = entry?.request?.method === 'DELETE' && typeof entry.request.url === 'string';
    const t = deleted ? String(entry.request?.url).split('/')[0] : entry?.resource?.resourceType;
    if (typeof t === 'string' && isSupportedType(t)) (deleted ? remove : create).add(t);
  }
  return { create: [...create], delete: [...remove] };
}

/** 403 unless the token grants `interaction` (SMART `c` create, `d` delete) on every one of `types`. */
function requireInteraction(ctx: RequestContext, types: readonly string[], interaction: 'c' | 'd'): void {
  const refused = types.filter((t) => !allows(ctx.principal.scopes, t, interaction));
  if (refused.length > 0) throw forbidden(`The token does not grant ${interaction} on ${refused.join(', ')}`);
}

function mediaType(header: string | undefined): string {
  return header?.split(';')[0]?.trim().toLowerCase() ?? '';
}
