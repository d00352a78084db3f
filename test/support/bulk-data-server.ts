/**
 * A protocol-faithful FHIR Bulk Data server on loopback (real `node:http`, 127.0.0.1, port 0) for
 * the $export client's conformance suite, and for anything else that needs an EHR to export from.
 * It serves NDJSON it is given (e.g. the generator's, `cohortLines`): system, Patient and Group
 * kick-off (GET, or POST with Parameters), `_type` and `_since`, 202 + Retry-After + X-Progress,
 * transient 429 / 503 on demand, gzip when asked, `deleted` and `error` files, output links that
 * expire, `requiresAccessToken` either way, byte-range requests, DELETE, paged manifests, and a
 * SMART Backend Services token endpoint (`.well-known/smart-configuration`; the client assertion
 * verified with jose against the client's JWKS, unique jti, short exp).
 * See: https://hl7.org/fhir/uv/bulkdata/export.html
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';
import { asOfMillis, generatePatientLines } from '../../ingestion/synthetic';
import { buildOrganization } from '../../ingestion/synthetic/organizations';
import { type BulkAuthOptions, createBulkDataAuth } from './bulk-data-auth';
import { buildExportFiles, type ExportFile } from './bulk-data-files';

export interface BulkDataServerOptions {
  /** NDJSON lines by resource type: what the server holds. */
  resources: Map<string, string[]>;
  /** Lines per output file (default 1000). */
  linesPerFile?: number;
  /** Extra (e.g. corrupt) lines appended to the first file of a type. */
  extraLines?: Record<string, string[]>;
  /** Resources deleted (reported in `deleted` files, one Bundle per line). */
  deleted?: { type: string; id: string }[];
  /** OperationOutcomes reported in an `error` file. */
  errors?: object[];
  /** 202 answers before the manifest (default 1). */
  progressPolls?: number;
  retryAfterSeconds?: number;
  /** Statuses answered, in order, before the real answer: per kick-off, status poll, or file download. */
  faults?: { kickoff?: number[]; status?: number[]; download?: number[] };
  /** A permanent error answered to the kick-off or to a status poll (with an OperationOutcome). */
  fail?: { at: 'kickoff' | 'status'; status: number; diagnostics: string };
  requiresAccessToken?: boolean;
  /** Require SMART Backend Services tokens from this client. */
  auth?: BulkAuthOptions;
  /** Output links stop working this long after the manifest was first served. */
  linkLifetimeSeconds?: number;
  /** Files per manifest page (default: one page). */
  manifestPageSize?: number;
  /** Ignore Range headers (answer 200 with the whole file). */
  noRanges?: boolean;
  /** Never gzip, whatever the client accepts. */
  noGzip?: boolean;
  /** List every output file this many times (the same bytes: large exports for benchmarks). */
  repeatFiles?: number;
  /** Stop sending file `file` after `afterBytes` bytes and hang (kill tests); `onStall` is told. */
  stall?: { file: number; afterBytes: number; onStall: () => void };
}

export interface ServedRequest {
  method: string;
  path: string;
  bearer: boolean;
  range?: string;
  gzip?: boolean;
}

const FHIR_JSON = 'application/fhir+json';

/** The generator's resources for one organization (`org-1`), by type: an EHR's worth of NDJSON. */
export function cohortLines(options: { patients: number; seed: number }): Map<string, string[]> {
  const out = new Map<string, string[]>([
    ['Organization', [JSON.stringify(buildOrganization(options.seed, 1, asOfMillis(undefined)))]],
  ]);
  for (let i = 0; i < options.patients; i++) {
    for (const line of generatePatientLines({ patients: options.patients, orgs: 1, seed: options.seed }, i)
      .lines) {
      const list = out.get(line.type) ?? [];
      list.push(line.json);
      out.set(line.type, list);
    }
  }
  return out;
}

export async function startBulkDataServer(options: BulkDataServerOptions) {
  const requests: ServedRequest[] = [];
  const kickoffs: { level: string; params: Record<string, string | string[]> }[] = [];
  const exports = new Map<
    string,
    { polls: number; files: ExportFile[]; firstServed?: number; deleted: boolean }
  >();
  const faults = {
    kickoff: [...(options.faults?.kickoff ?? [])],
    status: [...(options.faults?.status ?? [])],
    download: [...(options.faults?.download ?? [])],
  };
  let stalled = false;
  let origin = '';
  const fhir = () => `${origin}/fhir`;
  const auth = createBulkDataAuth(options.auth, () => `${origin}/auth/token`);
  const authorized = (req: IncomingMessage) => auth.authorized(req);

  const send = (
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { ...(body !== undefined ? { 'content-type': FHIR_JSON } : {}), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const outcome = (
    res: ServerResponse,
    status: number,
    diagnostics: string,
    headers?: Record<string, string>,
  ) =>
    send(
      res,
      status,
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics }] },
      headers,
    );

  async function kickOff(req: IncomingMessage, res: ServerResponse, level: string, url: URL) {
    if (req.headers.prefer !== 'respond-async') return outcome(res, 400, 'Prefer: respond-async is required');
    const params: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams)
      params[k] = k === '_typeFilter' ? [...((params[k] as string[]) ?? []), v] : v;
    if (req.method === 'POST') {
      const body = JSON.parse(await readBody(req)) as {
        parameter?: { name: string; valueString?: string; valueReference?: { reference: string } }[];
      };
      for (const p of body.parameter ?? []) {
        const value = p.valueString ?? p.valueReference?.reference ?? '';
        params[p.name] =
          p.name === 'patient' || p.name === '_typeFilter'
            ? [...((params[p.name] as string[]) ?? []), value]
            : value;
      }
    }
    kickoffs.push({ level, params });
    const fault = faults.kickoff.shift();
    if (fault) return outcome(res, fault, 'try again later', { 'retry-after': '1' });
    if (options.fail?.at === 'kickoff') return outcome(res, options.fail.status, options.fail.diagnostics);
    const id = randomUUID();
    const types = typeof params._type === 'string' ? params._type.split(',') : null;
    const since = typeof params._since === 'string' ? Date.parse(params._since) : null;
    exports.set(id, { polls: 0, deleted: false, files: buildExportFiles(options, { types, since }) });
    send(res, 202, undefined, {
      'content-location': `${fhir()}/_status/${id}`,
      'retry-after': String(options.retryAfterSeconds ?? 1),
    });
  }

  function status(req: IncomingMessage, res: ServerResponse, id: string, url: URL) {
    const job = exports.get(id);
    if (!job || job.deleted) return outcome(res, 404, 'no such export');
    if (req.method === 'DELETE') {
      job.deleted = true;
      return send(res, 202, undefined);
    }
    const fault = faults.status.shift();
    if (fault) return outcome(res, fault, 'slow down', fault === 429 ? {} : { 'retry-after': '1' });
    if (options.fail?.at === 'status') return outcome(res, options.fail.status, options.fail.diagnostics);
    if (job.polls < (options.progressPolls ?? 1)) {
      job.polls += 1;
      return send(res, 202, undefined, {
        'x-progress': `${Math.round((100 * job.polls) / ((options.progressPolls ?? 1) + 1))}% done`,
        'retry-after': String(options.retryAfterSeconds ?? 1),
      });
    }
    job.firstServed ??= Date.now();
    const size = options.manifestPageSize ?? job.files.length;
    const page = Number(url.searchParams.get('page') ?? '0');
    const files = job.files.slice(page * size, (page + 1) * size);
    const entry = (f: ExportFile) => ({
      type: f.type,
      url: `${origin}/files/${id}/${f.index}`,
      ...(f.kind === 'output' ? { count: f.lines } : {}),
    });
    send(res, 200, {
      transactionTime: new Date(job.firstServed).toISOString(),
      request: `${fhir()}/$export`,
      requiresAccessToken: options.requiresAccessToken === true,
      output: files.filter((f) => f.kind === 'output').map(entry),
      deleted: files.filter((f) => f.kind === 'deleted').map(entry),
      error: files.filter((f) => f.kind === 'error').map(entry),
      ...((page + 1) * size < job.files.length
        ? { link: [{ relation: 'next', url: `${fhir()}/_status/${id}?page=${page + 1}` }] }
        : {}),
    });
  }

  function file(req: IncomingMessage, res: ServerResponse, id: string, index: number) {
    const job = exports.get(id);
    const f = job?.files[index];
    if (!job || !f || job.deleted) return outcome(res, 404, 'no such file');
    if (
      options.linkLifetimeSeconds !== undefined &&
      Date.now() - (job.firstServed ?? 0) > options.linkLifetimeSeconds * 1000
    ) {
      return outcome(res, 410, 'this link has expired');
    }
    if (options.requiresAccessToken && !authorized(req)) return outcome(res, 401, 'a token is required');
    const fault = faults.download.shift();
    if (fault) return outcome(res, fault, 'busy', { 'retry-after': '1' });
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range && !options.noRanges ? Number(range[1]) : 0;
    if (start > f.body.length)
      return send(res, 416, undefined, { 'content-range': `bytes */${f.body.length}` });
    const stall = options.stall && !stalled && options.stall.file === index ? options.stall : undefined;
    const gzip =
      !range && !stall && !options.noGzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    requests[requests.length - 1]!.gzip = gzip;
    const bytes = f.body.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, {
      'content-type': 'application/fhir+ndjson',
      ...(options.noRanges ? {} : { 'accept-ranges': 'bytes' }),
      ...(start > 0 ? { 'content-range': `bytes ${start}-${f.body.length - 1}/${f.body.length}` } : {}),
      ...(gzip ? { 'content-encoding': 'gzip' } : { 'content-length': String(bytes.length) }),
    });
    if (stall) {
      stalled = true;
      res.write(bytes.subarray(0, stall.afterBytes), () => stall.onStall());
      return; // hang: the client is killed mid-file
    }
    if (!gzip) return void res.end(bytes);
    const zip = createGzip();
    zip.pipe(res);
    zip.end(bytes);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    requests.push({
      method: req.method ?? 'GET',
      path,
      bearer: !!req.headers.authorization,
      range: req.headers.range,
    });
    const route = async () => {
      if (path === '/fhir/.well-known/smart-configuration') return send(res, 200, auth.smartConfiguration());
      if (path === '/auth/token' && req.method === 'POST') {
        const [status, body] = await auth.issue(await readBody(req));
        return send(res, status, body);
      }
      const files = /^\/files\/([0-9a-f-]+)\/(\d+)$/.exec(path);
      if (files) return file(req, res, files[1]!, Number(files[2]));
      if (!authorized(req)) return outcome(res, 401, 'a valid bearer token is required');
      const group = /^\/fhir\/Group\/([^/]+)\/\$export$/.exec(path)?.[1];
      const level =
        path === '/fhir/$export'
          ? 'system'
          : path === '/fhir/Patient/$export'
            ? 'patient'
            : group
              ? `group:${group}`
              : null;
      if (level && (req.method === 'GET' || req.method === 'POST')) return kickOff(req, res, level, url);
      const statusId = /^\/fhir\/_status\/([0-9a-f-]+)$/.exec(path)?.[1];
      if (statusId) return status(req, res, statusId, url);
      return outcome(res, 404, 'not found');
    };
    route().catch((error) => outcome(res, 500, String(error)));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    /** The FHIR base URL (what a client is given as its source). */
    url: fhir(),
    origin,
    requests,
    kickoffs,
    /** Access tokens issued so far. */
    tokensIssued: () => auth.issued(),
    /** Exports the client deleted (DELETE on the status URL). */
    deletedExports: () => [...exports.values()].filter((e) => e.deleted).length,
    /** Deletes a resource: later exports leave it out and report it in their `deleted` file. */
    remove(type: string, id: string) {
      const lines = options.resources.get(type) ?? [];
      options.resources.set(
        type,
        lines.filter((line) => (JSON.parse(line) as { id: string }).id !== id),
      );
      options.deleted = [...(options.deleted ?? []), { type, id }];
    },
    /** Lets a stalled file be served again (after the killed client is gone). */
    unstall() {
      options.stall = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type BulkDataServer = Awaited<ReturnType<typeof startBulkDataServer>>;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1024 * 1024) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
