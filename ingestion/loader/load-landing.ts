/**
 * The local stand-in for Snowpipe: loads every landing file not loaded before into its raw
 * table, exactly once per object key. A file loads atomically — its rows and its history row
 * commit in one transaction — and lines that fail validation go to quarantine with a reason.
 */
import type { Logger } from '../../src/logger';
import type { ObjectStore } from '../../src/object-store';
import { appendRows, type SqlValue, type Warehouse } from '../../src/warehouse';
import { LANDING_PREFIX, type LandingKey, parseLandingKey } from '../landing/landing-keys';
import { isSupportedType, readLines, validateLine } from '../ndjson';
import { createQuarantineSink, quarantineKey } from './quarantine';
import { ensureRawSchema, LOAD_HISTORY, RAW_COLUMNS, rawTable } from './raw-schema';

export interface LoadSummary {
  /** Files loaded by this run. */
  files: number;
  /** Objects under the prefix that are not landing keys (reported, never loaded). */
  skipped: number;
  lines: number;
  loaded: number;
  quarantined: number;
  bytes: number;
  seconds: number;
}

export interface FileLoaded {
  key: string;
  bytes: number;
  lines: number;
  loaded: number;
  quarantined: number;
}

export interface LoadOptions {
  /** Where to look (default `landing/fhir/`). */
  prefix?: string;
  log?: Logger;
  /** Called once a file has committed. */
  onFile?: (f: FileLoaded) => void;
  /** The clock for `loaded_at`. */
  now?: () => Date;
  /** Files loaded at the same time (default 2: one parses while another commits). */
  concurrency?: number;
  /** Longest NDJSON line accepted, in bytes (default 16 MiB). */
  maxLineBytes?: number;
}

export async function loadLanding(
  store: ObjectStore,
  warehouse: Warehouse,
  options: LoadOptions = {},
): Promise<LoadSummary> {
  const started = performance.now();
  const prefix = options.prefix ?? LANDING_PREFIX;
  const now = options.now ?? (() => new Date());
  await ensureRawSchema(warehouse);
  const done = new Set(
    (await warehouse.query<{ object_key: string }>(`select object_key from ${LOAD_HISTORY}`)).map(
      (r) => r.object_key,
    ),
  );
  const summary: LoadSummary = {
    files: 0,
    skipped: 0,
    lines: 0,
    loaded: 0,
    quarantined: 0,
    bytes: 0,
    seconds: 0,
  };
  const running = new Set<Promise<void>>();
  let failure: unknown = null;

  for await (const object of store.list(prefix)) {
    if (failure) break;
    if (done.has(object.key)) continue;
    const landing = parseLandingKey(object.key);
    if (!landing) {
      summary.skipped += 1;
      options.log?.warn({ key: object.key }, 'not a landing key: skipped');
      continue;
    }
    const task = loadFile(store, warehouse, object.key, object.size, landing, now(), options.maxLineBytes)
      .then((f) => {
        summary.files += 1;
        summary.lines += f.lines;
        summary.loaded += f.loaded;
        summary.quarantined += f.quarantined;
        summary.bytes += f.bytes;
        options.log?.debug({ ...f }, 'file loaded');
        options.onFile?.(f);
      })
      .catch((error) => {
        failure ??= error;
      })
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= Math.max(1, options.concurrency ?? 2)) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

async function loadFile(
  store: ObjectStore,
  warehouse: Warehouse,
  key: string,
  bytes: number,
  landing: LandingKey,
  loadedAt: Date,
  maxLineBytes: number | undefined,
): Promise<FileLoaded> {
  const { org, type } = landing;
  const loadedAtIso = loadedAt.toISOString();
  const counts = { lines: 0, loaded: 0, quarantined: 0 };
  const quarantine = createQuarantineSink(store, quarantineKey(landing));

  async function* rows(): AsyncGenerator<readonly SqlValue[]> {
    for await (const line of readLines(await store.stream(key), { maxLineBytes })) {
      counts.lines += 1;
      const verdict = line.error
        ? ({ ok: false, reason: `line-too-long: ${line.error} (${line.bytes} bytes)` } as const)
        : validateLine(line.text, { org, type });
      if (!verdict.ok) {
        counts.quarantined += 1;
        await quarantine.write({
          source_key: key,
          source_row: line.row,
          reason: verdict.reason,
          line: line.text,
        });
        continue;
      }
      counts.loaded += 1;
      yield [org, type, verdict.id, line.text, key, line.row, loadedAtIso];
    }
  }

  try {
    return await warehouse.transaction(async (tx) => {
      if (isSupportedType(type)) {
        await appendRows(tx, rawTable(type), RAW_COLUMNS.length, rows());
      } else {
        for await (const _ of rows()) throw new Error(`a ${type} line passed validation`);
      }
      const quarantinedTo = await quarantine.close();
      await tx.query(`insert into ${LOAD_HISTORY} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        key,
        landing.batchId,
        org,
        type,
        bytes,
        counts.lines,
        counts.loaded,
        counts.quarantined,
        quarantinedTo,
        loadedAtIso,
      ]);
      return { key, bytes, ...counts };
    });
  } catch (error) {
    quarantine.abort();
    throw error;
  }
}
