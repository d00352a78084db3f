/**
 * The `/v1/export` door: the Bulk Data Access IG's server side, thin over `src/export`.
 * Kick-off `GET|POST [/Patient]/$export` (`Prefer: respond-async`) → 202 + `Content-Location`;
 * `GET jobs/{id}` → 202 with `X-Progress` and `Retry-After`, then 200 with the manifest;
 * `GET jobs/{id}/files/{name}` streams an output file (bearer token required: the manifest says
 * `requiresAccessToken: true`); `DELETE jobs/{id}` cancels and removes the files.
 * See: https://hl7.org/fhir/uv/bulkdata/export.html
 */
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import {
  type ExportLevel,
  parametersOf,
  parseExportRequest,
  type SearchParams,
} from '../../export/export-request';
import type { ExportJob, ExportService } from '../../export/export-service';
import { badRequest, methodNotAllowed, OperationOutcomeError, outcome } from '../../fhir/operation-outcome';

export interface ExportRoutesOptions {
  service: ExportService;
  baseUrl: string;
}

const exportNotFound = () => new OperationOutcomeError(404, outcome('not-found', 'No such export'));

/** Creates the routes to mount at `/v1/export`; every route expects `c.get('ctx')`. */
export function createExportRoutes({ service, baseUrl }: ExportRoutesOptions): Hono<AppEnv> {
  const base = `${baseUrl.replace(/\/+$/, '')}/v1/export`;
  const app = new Hono<AppEnv>();

  const kickOff = (level: ExportLevel) => async (c: Context<AppEnv>) => {
    if (!/(^|[;,\s])respond-async\b/i.test(c.req.header('prefer') ?? '')) {
      throw badRequest('A $export kick-off needs the header Prefer: respond-async', ['Prefer']);
    }
    const params: SearchParams = [...new URL(c.req.url).searchParams] as SearchParams;
    if (c.req.method === 'POST') params.push(...parametersOf(await c.req.json().catch(() => null)));
    const principal = c.get('ctx').principal;
    const request = parseExportRequest(level, params, principal.scopes);
    const requestUrl = `${base}${level === 'Patient' ? '/Patient' : ''}/$export${search(params)}`;
    const job = await service.kickOff(principal, request, requestUrl);
    return c.body(null, 202, { 'Content-Location': `${base}/jobs/${job.id}` });
  };
  app.on(['GET', 'POST'], '/$export', kickOff('system'));
  app.on(['GET', 'POST'], '/Patient/$export', kickOff('Patient'));
  app.all('/$export', () => {
    throw methodNotAllowed(['GET', 'POST']);
  });

  app.get('/jobs/:id', async (c) => {
    const id = c.req.param('id');
    const status = await service.status(c.get('ctx').principal.organizationId, id);
    if (!status) throw exportNotFound();
    if (status.state === 'in-progress') {
      return c.body(null, 202, {
        'X-Progress': `${status.percent}%`,
        'Retry-After': String(status.retryAfterSeconds),
        'Cache-Control': 'no-store',
      });
    }
    if (status.state === 'failed') {
      throw new OperationOutcomeError(500, outcome('exception', `The export failed (export ${id})`));
    }
    return c.json(manifest(status.job, `${base}/jobs/${id}`), 200, {
      'Cache-Control': 'no-store',
      ...(status.job.expiresAt && { Expires: new Date(status.job.expiresAt).toUTCString() }),
    });
  });

  app.delete('/jobs/:id', async (c) => {
    if (!(await service.cancel(c.get('ctx').principal.organizationId, c.req.param('id'))))
      throw exportNotFound();
    return c.body(null, 202);
  });

  app.get('/jobs/:id/files/:name', async (c) => {
    const file = await service.file(
      c.get('ctx').principal.organizationId,
      c.req.param('id'),
      c.req.param('name'),
    );
    if (!file) throw exportNotFound();
    return new Response(file as unknown as ReadableStream, {
      status: 200,
      headers: { 'Content-Type': 'application/fhir+ndjson', 'Cache-Control': 'no-store' },
    });
  });
  return app;
}

/** The completion manifest. See: https://hl7.org/fhir/uv/bulkdata/export.html#response---complete-status */
function manifest(job: ExportJob, href: string) {
  return {
    transactionTime: job.transactionTime,
    request: job.requestUrl,
    requiresAccessToken: true,
    output: job.output.map((f) => ({ type: f.type, url: `${href}/files/${f.name}`, count: f.count })),
    ...(job.request.since !== undefined && {
      deleted: (job.deleted ?? []).map((f) => ({
        type: 'Bundle',
        url: `${href}/files/${f.name}`,
        count: f.count,
      })),
    }),
    error: job.errors > 0 ? [{ type: 'OperationOutcome', url: `${href}/files/error-1.ndjson` }] : [],
  };
}

function search(params: SearchParams): string {
  return params.length > 0 ? `?${new URLSearchParams(params)}` : '';
}
