/**
 * Runs one export: for each type, pages through the same resolver searches REST serves (keyset
 * cursors, `_sort=_id`, 1,000 rows a page) and streams each resource's JSON — exactly as REST
 * returns it — into NDJSON files in the object store, a new file whenever one reaches the size
 * limit. Memory holds one page at a time, whatever the export's size.
 * See: https://hl7.org/fhir/uv/bulkdata/export.html#file-request
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { listDeletedResources, RESOLVERS } from '../../resolvers';
import type { RequestContext } from '../context';
import { OperationOutcomeError } from '../fhir/operation-outcome';
import type { ResourceType } from '../fhir/search-parameters';
import type { ObjectStore } from '../object-store';
import type { ExportRequest, SearchParams } from './export-request';

export interface ExportFile {
  type: string;
  /** The file's name inside the job's folder. */
  name: string;
  count: number;
  bytes: number;
}

export interface RunExportOptions {
  ctx: RequestContext;
  store: ObjectStore;
  /** The job's folder: `jobs/export/org=<org>/<id>/`. */
  prefix: string;
  request: ExportRequest;
  /** Upper `_lastUpdated` bound when `_until` is absent: the kick-off's transaction time. */
  transactionTime: string;
  fileMaxBytes: number;
  signal: AbortSignal;
  /** Called with the resources written so far and the expected total (about every page). */
  onProgress(done: number, total: number): Promise<void>;
}

const PAGE = '1000';

/** Streams lines into numbered files `<Type>-<n>.ndjson`, starting a new one at `maxBytes`. */
function createFileWriter(store: ObjectStore, prefix: string, type: string, maxBytes: number, stem = type) {
  const files: ExportFile[] = [];
  let out: PassThrough | null = null;
  let upload: Promise<void> | null = null;
  let current: ExportFile | null = null;
  const finish = async () => {
    if (!out) return;
    out.end();
    await upload;
    files.push(current!);
    out = null;
  };
  return {
    async write(line: string): Promise<void> {
      if (current && out && current.bytes >= maxBytes) await finish();
      if (!out) {
        current = { type, name: `${stem}-${files.length + 1}.ndjson`, count: 0, bytes: 0 };
        out = new PassThrough({ highWaterMark: 1 << 20 });
        upload = store.put(`${prefix}${current.name}`, out, { contentType: 'application/fhir+ndjson' });
        upload.catch(() => undefined);
      }
      const text = `${line}\n`;
      current!.count += 1;
      current!.bytes += Buffer.byteLength(text);
      if (!out.write(text)) await Promise.race([once(out, 'drain'), upload]);
    },
    async close(): Promise<ExportFile[]> {
      await finish();
      return files;
    },
    abort(): void {
      out?.destroy(new Error('export cancelled'));
    },
  };
}

/** Runs the export; per-type failures become OperationOutcomes in `errors`, other types go on. */
export async function runExport(
  options: RunExportOptions,
): Promise<{ output: ExportFile[]; deleted: ExportFile[]; errors: string[] }> {
  const { ctx, request, signal } = options;
  const bounds: SearchParams = [];
  if (request.since) bounds.push(['_lastUpdated', `ge${request.since}`]);
  bounds.push(['_lastUpdated', `le${request.until ?? options.transactionTime}`]);
  const queriesOf = (type: ResourceType): SearchParams[] =>
    (request.typeFilters[type] ?? [[]]).map((q) => [...q, ...bounds]);

  let total = 0;
  for (const type of request.types) {
    for (const q of queriesOf(type)) {
      total += (await RESOLVERS[type].search(ctx, [...q, ['_summary', 'count']])).total ?? 0;
    }
  }
  await options.onProgress(0, total);
  let done = 0;
  const output: ExportFile[] = [];
  const errors: string[] = [];
  for (const type of request.types) {
    const writer = createFileWriter(options.store, options.prefix, type, options.fileMaxBytes);
    const queries = queriesOf(type);
    const seen = queries.length > 1 ? new Set<string>() : undefined;
    try {
      for (const q of queries) {
        let cursor: string | undefined;
        do {
          if (signal.aborted) throw signal.reason;
          const params: SearchParams = [...q, ['_count', PAGE], ['_sort', '_id']];
          if (cursor) params.push(['_cursor', cursor]);
          const page = await RESOLVERS[type].search(ctx, params);
          for (const row of page.rows) {
            if (seen?.has(row.id)) continue;
            seen?.add(row.id);
            await writer.write(row.resource);
          }
          done += page.rows.length;
          await options.onProgress(Math.min(done, total), total);
          cursor = page.nextCursor;
        } while (cursor);
      }
      output.push(...(await writer.close()));
    } catch (error) {
      writer.abort();
      if (signal.aborted) throw error;
      ctx.log.error({ err: error, type }, 'export of a type failed');
      const diagnostics =
        error instanceof OperationOutcomeError
          ? (error.outcome.issue[0]?.diagnostics ?? 'error')
          : `The export of ${type} failed (request id ${ctx.requestId})`;
      errors.push(
        JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'exception', diagnostics, expression: [type] }],
        }),
      );
    }
  }
  const deleted = request.since ? await writeDeleted(options) : [];
  return { output, deleted, errors };
}

/** DELETE entries per line, as the IG's `deleted` files carry them. */
const DELETES_PER_BUNDLE = 1000;

/**
 * The resources deleted since `_since`: NDJSON of transaction Bundles whose entries are
 * `DELETE <Type>/<id>` (the served ids). See: https://hl7.org/fhir/uv/bulkdata/export.html#response---complete-status
 */
async function writeDeleted(options: RunExportOptions): Promise<ExportFile[]> {
  const { request } = options;
  const writer = createFileWriter(options.store, options.prefix, 'Bundle', options.fileMaxBytes, 'deleted');
  const until = request.until ?? options.transactionTime;
  for (const type of request.types) {
    const ids = await listDeletedResources(options.ctx, type, request.since!, until);
    for (let i = 0; i < ids.length; i += DELETES_PER_BUNDLE) {
      const entry = ids
        .slice(i, i + DELETES_PER_BUNDLE)
        .map((d) => ({ request: { method: 'DELETE', url: `${type}/${d.id}` } }));
      await writer.write(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));
    }
  }
  return writer.close();
}
