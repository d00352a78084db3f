/**
 * The Bulk Data $export client's protocol steps: kick-off, status polling (manifest pages merged)
 * and cancel. Each step is one request (or one manifest walk) so a Lambda can run it.
 * See: https://hl7.org/fhir/uv/bulkdata/export.html
 */
import type { BulkDeps } from './bulk-deps';
import { BulkPermanentError, BulkTransientError } from './bulk-errors';
import type { BulkJob, BulkJobRequest, ManifestFile, StoredManifest } from './bulk-job-store';
import { fhirRequest } from './fhir-request';
import { outcomeDiagnostics } from './operation-outcome';
import type { SafeResponse } from './safe-http';
import { parseRetryAfter } from './wait-hint';

const FHIR_JSON = 'application/fhir+json';

/** The kick-off URL for a level. */
export function kickoffUrl(source: string, level: BulkJobRequest['level']): string {
  const base = source.endsWith('/') ? source : `${source}/`;
  if (level === 'system') return new URL('$export', base).href;
  if (level === 'patient') return new URL('Patient/$export', base).href;
  const id = level.slice('group:'.length);
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id))
    throw new BulkPermanentError(`invalid group id ${JSON.stringify(id)}`);
  return new URL(`Group/${id}/$export`, base).href;
}

/**
 * Fails a step for a non-success answer: transient for 429 and 503, and for other 5xx without an
 * OperationOutcome; permanent otherwise (an outcome says the server decided).
 */
async function refuse(step: string, res: SafeResponse): Promise<never> {
  const diagnostics = outcomeDiagnostics(await res.text().catch(() => ''));
  const what = `${step}: HTTP ${res.status}${diagnostics ? ` (${diagnostics})` : ''}`;
  if (res.status === 429 || res.status === 503 || (res.status >= 500 && !diagnostics)) {
    throw new BulkTransientError(what);
  }
  throw new BulkPermanentError(what);
}

/** Sends the kick-off request; returns the status URL and the server's wait hint (seconds). */
export async function kickOff(
  deps: BulkDeps,
  request: BulkJobRequest & { since?: string },
): Promise<{ kickoffUrl: string; statusUrl: string; hint: number | null }> {
  const url = new URL(kickoffUrl(request.source, request.level));
  const post = request.method === 'POST' || (request.patients?.length ?? 0) > 0;
  const params: [string, string][] = [];
  if (request.outputFormat) params.push(['_outputFormat', request.outputFormat]);
  if (request.types?.length) params.push(['_type', request.types.join(',')]);
  if (request.since) params.push(['_since', request.since]);
  if (request.until) params.push(['_until', request.until]);
  for (const filter of request.typeFilter ?? []) params.push(['_typeFilter', filter]);
  const headers: Record<string, string> = { accept: FHIR_JSON, prefer: 'respond-async' };
  let body: string | undefined;
  if (post) {
    headers['content-type'] = FHIR_JSON;
    body = JSON.stringify({
      resourceType: 'Parameters',
      parameter: [
        ...params.map(([name, value]) => ({ name, valueString: value })),
        ...(request.patients ?? []).map((reference) => ({ name: 'patient', valueReference: { reference } })),
      ],
    });
  } else {
    for (const [name, value] of params) url.searchParams.append(name, value);
  }
  const res = await fhirRequest(deps, request.source, url.href, {
    method: post ? 'POST' : 'GET',
    headers,
    body,
  });
  if (res.status !== 202) return refuse('kick-off', res);
  res.discard();
  const location = res.headers['content-location'];
  if (typeof location !== 'string') throw new BulkPermanentError('kick-off: 202 without Content-Location');
  const statusUrl = new URL(location, url).href;
  deps.httpFor(request.source).check(new URL(statusUrl));
  return { kickoffUrl: url.href, statusUrl, hint: parseRetryAfter(res.headers['retry-after'], deps.now()) };
}

export type PollResult =
  | { state: 'in-progress'; hint: number | null; progress?: string; transient: boolean }
  | { state: 'complete'; manifest: StoredManifest };

/** Polls the status URL once; on completion, walks every manifest page and merges them. */
export async function pollStatus(deps: BulkDeps, job: BulkJob): Promise<PollResult> {
  const res = await fhirRequest(deps, job.source, job.statusUrl, { headers: { accept: 'application/json' } });
  const hint = parseRetryAfter(res.headers['retry-after'], deps.now());
  if (res.status === 202) {
    res.discard();
    const progress = res.headers['x-progress'];
    return {
      state: 'in-progress',
      hint,
      progress: typeof progress === 'string' ? progress.slice(0, 100) : undefined,
      transient: false,
    };
  }
  if (res.status === 429 || res.status === 503) {
    res.discard();
    return { state: 'in-progress', hint, transient: true };
  }
  if (res.status !== 200) return refuse('status', res);
  const manifest: StoredManifest = {
    transactionTime: '',
    request: '',
    requiresAccessToken: false,
    files: [],
  };
  let page = parseManifest(await res.text());
  for (let pages = 1; ; pages++) {
    manifest.transactionTime ||= page.transactionTime;
    manifest.request ||= page.request;
    manifest.requiresAccessToken ||= page.requiresAccessToken;
    manifest.files.push(...page.files);
    if (!page.next) break;
    if (pages >= 1000) throw new BulkPermanentError('manifest: more than 1000 pages');
    const next = await fhirRequest(deps, job.source, new URL(page.next, job.statusUrl).href, {
      headers: { accept: 'application/json' },
    });
    if (next.status !== 200) return refuse('manifest page', next);
    page = parseManifest(await next.text());
  }
  return { state: 'complete', manifest };
}

/** Asks the server to cancel the export, or to delete its files once downloaded (best effort). */
export async function deleteExport(deps: BulkDeps, job: BulkJob): Promise<number | null> {
  try {
    const res = await fhirRequest(deps, job.source, job.statusUrl, { method: 'DELETE' });
    res.discard();
    return res.status;
  } catch {
    return null;
  }
}

const TYPE = /^[A-Z][A-Za-z]{0,63}$/;

/** Reads one manifest page (STU2 `error`, STU4 ballot `outcome`), checking every file entry. */
export function parseManifest(
  text: string,
): Omit<StoredManifest, 'files'> & { files: ManifestFile[]; next?: string } {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new BulkPermanentError('manifest: not JSON');
  }
  if (typeof body.transactionTime !== 'string' || !Array.isArray(body.output)) {
    throw new BulkPermanentError('manifest: transactionTime and output are required');
  }
  const files: ManifestFile[] = [];
  const take = (kind: ManifestFile['kind'], list: unknown) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) throw new BulkPermanentError(`manifest: ${kind} is not an array`);
    for (const entry of list as { type?: unknown; url?: unknown; count?: unknown }[]) {
      if (typeof entry?.url !== 'string' || typeof entry.type !== 'string' || !TYPE.test(entry.type)) {
        throw new BulkPermanentError(`manifest: a ${kind} entry lacks a valid type and url`);
      }
      files.push({
        kind,
        type: entry.type,
        url: entry.url,
        ...(typeof entry.count === 'number' ? { count: entry.count } : {}),
      });
    }
  };
  take('output', body.output);
  take('deleted', body.deleted);
  take('error', body.error ?? body.outcome);
  const links = Array.isArray(body.link) ? (body.link as { relation?: unknown; url?: unknown }[]) : [];
  const next = links.find((l) => l?.relation === 'next' && typeof l.url === 'string')?.url as
    | string
    | undefined;
  return {
    transactionTime: body.transactionTime,
    request: typeof body.request === 'string' ? body.request : '',
    requiresAccessToken: body.requiresAccessToken === true,
    files,
    ...(next ? { next } : {}),
  };
}
