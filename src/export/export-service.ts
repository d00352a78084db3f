/**
 * Bulk Data `$export` jobs for the caller's organization: kick-off (a per-organization limit on
 * exports running at once), status with real progress, the manifest, file downloads, cancel
 * (which removes the files) and expiry. Job records and files live in the object store under
 * `jobs/export/org=<org>/<id>/`, so another organization's job is simply not found.
 * See: https://hl7.org/fhir/uv/bulkdata/export.html
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Principal } from '../auth/principal';
import type { ContextFactory } from '../context';
import { OperationOutcomeError, outcome } from '../fhir/operation-outcome';
import type { Logger } from '../logger';
import { ObjectNotFoundError, type ObjectStore } from '../object-store';
import type { ExportRequest } from './export-request';
import { type ExportFile, runExport } from './export-runner';

export interface ExportJob {
  id: string;
  organizationId: string;
  subject: string;
  scopes: readonly string[];
  state: 'in-progress' | 'completed' | 'failed';
  /** The kick-off request URL, echoed in the manifest. */
  requestUrl: string;
  request: ExportRequest;
  transactionTime: string;
  done: number;
  total: number;
  output: ExportFile[];
  /** `_since` exports: files of DELETE Bundles. */
  deleted: ExportFile[];
  errors: number;
  completedAt?: string;
  expiresAt?: string;
}

export type ExportStatus =
  | { state: 'in-progress'; percent: number; retryAfterSeconds: number }
  | { state: 'completed'; job: ExportJob }
  | { state: 'failed'; job: ExportJob };

export interface ExportServiceOptions {
  store: ObjectStore;
  /** Builds the org-scoped context the runner reads through (uncached: an export reads each row once). */
  createContext: ContextFactory;
  log: Logger;
  fileMaxBytes: number;
  fileTtlSeconds: number;
  maxConcurrentPerOrg: number;
  now?: () => Date;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FILE = /^(?:[A-Z][A-Za-z]+|error|deleted)-\d{1,5}\.ndjson$/;
export const exportPrefix = (org: string, id: string) => `jobs/export/org=${org}/${id}/`;
const jobKey = (org: string, id: string) => `${exportPrefix(org, id)}job.json`;

export type ExportService = ReturnType<typeof createExportService>;

export function createExportService(options: ExportServiceOptions) {
  const { store, log } = options;
  const now = options.now ?? (() => new Date());
  /** Exports running in this process: cancel handles, start times and per-org counts. */
  const running = new Map<
    string,
    { org: string; abort: AbortController; startedAt: number; task: Promise<void> }
  >();

  const save = (job: ExportJob) => store.put(jobKey(job.organizationId, job.id), JSON.stringify(job));
  async function load(org: string, id: string): Promise<ExportJob | null> {
    if (!ID.test(id)) return null;
    try {
      return JSON.parse((await store.get(jobKey(org, id))).toString('utf8')) as ExportJob;
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return null;
      throw error;
    }
  }
  async function remove(org: string, id: string): Promise<void> {
    const keys: string[] = [];
    for await (const o of store.list(exportPrefix(org, id))) keys.push(o.key);
    // The record last: a half-removed job still answers 404 only once its files are gone.
    for (const key of keys.sort((a, b) => Number(a.endsWith('job.json')) - Number(b.endsWith('job.json')))) {
      await store.delete(key);
    }
  }
  /** The job, or null when missing, foreign or expired (an expired job's files are removed). */
  async function live(org: string, id: string): Promise<ExportJob | null> {
    const job = await load(org, id);
    if (job?.expiresAt && Date.parse(job.expiresAt) <= now().getTime()) {
      await remove(org, id);
      return null;
    }
    return job;
  }

  async function execute(job: ExportJob, abort: AbortController): Promise<void> {
    const principal: Principal = {
      organizationId: job.organizationId,
      subject: job.subject,
      scopes: job.scopes,
    };
    const ctx = options.createContext(principal, `export-${job.id}`);
    let lastSaved = 0;
    try {
      const result = await runExport({
        ctx,
        store,
        prefix: exportPrefix(job.organizationId, job.id),
        request: job.request,
        transactionTime: job.transactionTime,
        fileMaxBytes: options.fileMaxBytes,
        signal: abort.signal,
        onProgress: async (done, total) => {
          job.done = done;
          job.total = total;
          if (Date.now() - lastSaved > 500) {
            lastSaved = Date.now();
            await save(job);
          }
        },
      });
      if (result.errors.length > 0) {
        await store.put(
          `${exportPrefix(job.organizationId, job.id)}error-1.ndjson`,
          `${result.errors.join('\n')}\n`,
        );
      }
      Object.assign(job, {
        state: 'completed',
        output: result.output,
        deleted: result.deleted,
        errors: result.errors.length,
      });
    } catch (error) {
      if (abort.signal.aborted) return;
      log.error({ err: error, exportId: job.id }, 'export failed');
      job.state = 'failed';
    }
    const completed = now();
    job.completedAt = completed.toISOString();
    job.expiresAt = new Date(completed.getTime() + options.fileTtlSeconds * 1000).toISOString();
    if (!abort.signal.aborted) await save(job);
  }

  return {
    /** Starts an export for `principal`; 429 with Retry-After when its organization runs too many. */
    async kickOff(principal: Principal, request: ExportRequest, requestUrl: string): Promise<ExportJob> {
      const org = principal.organizationId;
      const mine = [...running.values()].filter((r) => r.org === org);
      if (mine.length >= options.maxConcurrentPerOrg) {
        throw new OperationOutcomeError(
          429,
          outcome(
            'throttled',
            `At most ${options.maxConcurrentPerOrg} exports may run at once per organization`,
          ),
          { 'Retry-After': '10' },
        );
      }
      const job: ExportJob = {
        id: randomUUID(),
        organizationId: org,
        subject: principal.subject,
        scopes: principal.scopes,
        state: 'in-progress',
        requestUrl,
        request,
        transactionTime: now().toISOString(),
        done: 0,
        total: 0,
        output: [],
        deleted: [],
        errors: 0,
      };
      await save(job);
      const abort = new AbortController();
      const task = execute(job, abort)
        .catch((error) => log.error({ err: error, exportId: job.id }, 'export bookkeeping failed'))
        .finally(() => running.delete(job.id));
      running.set(job.id, { org, abort, startedAt: performance.now(), task });
      return job;
    },

    /** The status of the caller's export; null when it is not (or no longer) there. */
    async status(org: string, id: string): Promise<ExportStatus | null> {
      // Looked up before the record: a run saves its final state before it leaves `running`, so a
      // record still in progress without a run seen first is one whose process is gone.
      const run = running.get(id);
      const job = await live(org, id);
      if (!job) return null;
      if (job.state !== 'in-progress') return { state: job.state, job };
      if (!run) return { state: 'failed', job: { ...job, state: 'failed' } };
      const percent = job.total > 0 ? Math.floor((100 * job.done) / job.total) : 0;
      // Adaptive: half the time the rest should take at the rate so far, between 1 and 30 s.
      const elapsed = (performance.now() - run.startedAt) / 1000;
      const rate = job.done / Math.max(elapsed, 0.001);
      const eta = rate > 0 ? (job.total - job.done) / rate : 2;
      return {
        state: 'in-progress',
        percent,
        retryAfterSeconds: Math.min(30, Math.max(1, Math.ceil(eta / 2))),
      };
    },

    /** Streams one of the caller's completed export's files; null when it is not there. */
    async file(org: string, id: string, name: string): Promise<Readable | null> {
      if (!FILE.test(name)) return null;
      const job = await live(org, id);
      if (job?.state !== 'completed') return null;
      const listed = [...job.output, ...(job.deleted ?? [])].some((f) => f.name === name);
      if (!listed && !(name === 'error-1.ndjson' && job.errors > 0)) return null;
      try {
        return await store.stream(`${exportPrefix(org, id)}${name}`);
      } catch (error) {
        if (error instanceof ObjectNotFoundError) return null;
        throw error;
      }
    },

    /** Cancels a running export or deletes a finished one, removing its files; false when not there. */
    async cancel(org: string, id: string): Promise<boolean> {
      const job = await load(org, id);
      if (!job) return false;
      const run = running.get(id);
      if (run) {
        run.abort.abort(new Error('cancelled'));
        await run.task;
      }
      await remove(org, id);
      return true;
    },

    /** Resolves when no export runs (tests, shutdown). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all([...running.values()].map((r) => r.task));
    },
  };
}
