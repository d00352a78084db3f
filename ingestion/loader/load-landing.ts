/**
 * The local stand-in for Snowpipe: loads every landing file not loaded before into its raw
 * table, exactly once per object key. A file loads atomically — its rows and its history row
 * commit in one transaction — and lines that fail validation go to quarantine with a reason.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../src/logger';
import type { ObjectStore } from '../../src/object-store';
import type { Warehouse } from '../../src/warehouse';
import { LANDING_PREFIX, parseLandingKey } from '../landing/landing-keys';
import { createCommitter } from './committer';
import { type FileLoaded, type FileToLoad, loadStreamed, stageFile } from './load-file';
import { quarantineOutsideLayout } from './outside-layout';
import { ensureRawSchema, LOAD_HISTORY } from './raw-schema';

export type { FileLoaded } from './load-file';

export interface LoadSummary {
  /** Files loaded by this run. */
  files: number;
  /**
   * Objects under the prefix whose key is outside the landing layout: never loaded, but every line
   * quarantined with the reason and the file counted in the load history (batch `outside-layout`).
   */
  skipped: number;
  lines: number;
  loaded: number;
  quarantined: number;
  bytes: number;
  seconds: number;
}

export interface LoadOptions {
  /** Where to look (default `landing/fhir/`). */
  prefix?: string;
  log?: Logger;
  /** Called once a file has committed. */
  onFile?: (f: FileLoaded) => void;
  /** The clock for `loaded_at`. */
  now?: () => Date;
  /** Files read and validated at the same time (default 2). */
  concurrency?: number;
  /** Longest NDJSON line accepted, in bytes (default 16 MiB). */
  maxLineBytes?: number;
  /** Most landing bytes committed in one transaction (default 64 MB; each file stays whole). */
  batchBytes?: number;
  /**
   * Where accepted lines are staged for the warehouse's bulk copy (default: a fresh folder under the
   * OS temp dir). A given folder belongs to this loader alone: it is emptied before the run (a run
   * killed mid-way leaves staged files) and after it.
   */
  stagingDir?: string;
}

export async function loadLanding(
  store: ObjectStore,
  warehouse: Warehouse,
  options: LoadOptions = {},
): Promise<LoadSummary> {
  const started = performance.now();
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
  if (options.stagingDir) {
    await rm(options.stagingDir, { recursive: true, force: true });
    await mkdir(options.stagingDir, { recursive: true });
  }
  const stagingDir = options.stagingDir ?? (await mkdtemp(join(tmpdir(), 'fhir-gateway-load-')));
  const run: Run = { done, summary, stagingDir, outsideLayout: [] };
  try {
    await loadNew(store, warehouse, options, run);
    const now = options.now ?? (() => new Date());
    for (const object of run.outsideLayout ?? []) {
      const f = await quarantineOutsideLayout(store, warehouse, {
        ...object,
        loadedAt: now(),
        maxLineBytes: options.maxLineBytes,
      });
      summary.skipped += 1;
      summary.lines += f.lines;
      summary.quarantined += f.quarantined;
      summary.bytes += f.bytes;
      options.log?.warn({ key: f.key, lines: f.lines }, 'not a landing key: quarantined whole');
    }
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

type Run = {
  done: Set<string>;
  summary: LoadSummary;
  stagingDir: string;
  /** Keys outside the layout met while listing, quarantined once the loads are committed. */
  outsideLayout?: { key: string; bytes: number }[];
};

/**
 * Loads the files under the prefix that `done` does not hold. Up to `concurrency` files are read
 * and validated at once. With a warehouse that copies staged files, one committer takes every
 * file staged so far into a single transaction (each file whole: rows and history row), so
 * commits get fewer and larger while validation goes on; staged bytes waiting are bounded.
 */
async function loadNew(
  store: ObjectStore,
  warehouse: Warehouse,
  options: LoadOptions,
  run: Run,
): Promise<void> {
  const { summary } = run;
  let failure: unknown = null;
  const report = (f: FileLoaded) => {
    summary.files += 1;
    summary.lines += f.lines;
    summary.loaded += f.loaded;
    summary.quarantined += f.quarantined;
    summary.bytes += f.bytes;
    options.log?.debug({ ...f }, 'file loaded');
    options.onFile?.(f);
  };
  const fail = (error: unknown) => {
    failure ??= error;
  };
  if (!warehouse.appendJsonLines) {
    await forEachNewFile(
      store,
      options,
      run,
      () => failure !== null,
      (file) => loadStreamed(store, warehouse, file).then(report, fail),
    );
    if (failure) throw failure;
    return;
  }
  const committer = createCommitter(warehouse, report, fail, { maxBatchBytes: options.batchBytes });
  await forEachNewFile(
    store,
    options,
    run,
    () => failure !== null,
    async (file) => {
      try {
        const staged = await stageFile(store, file, run.stagingDir);
        await committer.push(staged);
      } catch (error) {
        fail(error);
      }
    },
  );
  await committer.drain();
  if (failure) throw failure;
}

/** Calls `work` for each landing key under the prefix not loaded before, `concurrency` at a time. */
async function forEachNewFile(
  store: ObjectStore,
  options: LoadOptions,
  run: Run,
  stopped: () => boolean,
  work: (file: FileToLoad) => Promise<void>,
): Promise<void> {
  const now = options.now ?? (() => new Date());
  const running = new Set<Promise<void>>();
  for await (const object of store.list(options.prefix ?? LANDING_PREFIX)) {
    if (stopped()) break;
    if (run.done.has(object.key)) continue;
    const landing = parseLandingKey(object.key);
    if (!landing) {
      run.outsideLayout?.push({ key: object.key, bytes: object.size });
      continue;
    }
    const file = {
      key: object.key,
      bytes: object.size,
      landing,
      loadedAt: now(),
      maxLineBytes: options.maxLineBytes,
    };
    const task: Promise<void> = work(file).finally(() => running.delete(task));
    running.add(task);
    if (running.size >= Math.max(1, options.concurrency ?? 2)) await Promise.race(running);
  }
  await Promise.all(running);
}
