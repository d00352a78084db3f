/**
 * Loading one landing file: every line validated, refused lines quarantined with a reason, and
 * the accepted lines committed together with the file's history row, so a file loads wholly or
 * not at all.
 *
 * Fast path (a warehouse that copies staged NDJSON, e.g. DuckDB): `stageFile` streams the
 * accepted lines, as they are, to a local staging file outside any transaction; `commitStaged`
 * then has the warehouse parse and insert that file on its own threads, inside the caller's
 * transaction. Otherwise `loadStreamed` streams the accepted lines through `appendRows`.
 */
import { join } from 'node:path';
import type { ObjectStore } from '../../src/object-store';
import { appendRows, type SqlValue, type Warehouse } from '../../src/warehouse';
import type { LandingKey } from '../landing/landing-keys';
import { isSupportedType, type NdjsonLine, readLines, validateLine } from '../ndjson';
import { createQuarantineSink, type QuarantineSink, quarantineKey } from './quarantine';
import { LOAD_HISTORY, RAW_COLUMNS, rawTable } from './raw-schema';
import { createStagingFile } from './staging-file';

export interface FileLoaded {
  key: string;
  bytes: number;
  lines: number;
  loaded: number;
  quarantined: number;
}

export interface FileToLoad {
  key: string;
  bytes: number;
  landing: LandingKey;
  loadedAt: Date;
  maxLineBytes?: number;
}

/** A validated file whose accepted lines wait in a staging file; its quarantine object is written. */
export interface StagedFile extends FileLoaded {
  file: FileToLoad;
  stagingPath: string;
  quarantineKey: string | null;
  /** Deletes the staging file. */
  remove(): Promise<void>;
}

type Counts = Pick<FileLoaded, 'lines' | 'loaded' | 'quarantined'>;

let staged = 0;

/** Validates each line, quarantines the refused ones, and yields the accepted ones with their id. */
async function* acceptedLines(
  store: ObjectStore,
  file: FileToLoad,
  quarantine: QuarantineSink,
  counts: Counts,
): AsyncGenerator<{ line: NdjsonLine; id: string }> {
  const { org, type } = file.landing;
  for await (const line of readLines(await store.stream(file.key), { maxLineBytes: file.maxLineBytes })) {
    counts.lines += 1;
    const verdict = line.error
      ? ({ ok: false, reason: `line-too-long: ${line.error} (${line.bytes} bytes)` } as const)
      : validateLine(line.text, { org, type });
    if (verdict.ok) {
      counts.loaded += 1;
      yield { line, id: verdict.id };
      continue;
    }
    counts.quarantined += 1;
    await quarantine.write({
      source_key: file.key,
      source_row: line.row,
      reason: verdict.reason,
      line: line.text,
    });
  }
}

/** Validates a file into a staging file under `stagingDir` (no transaction is open meanwhile). */
export async function stageFile(
  store: ObjectStore,
  file: FileToLoad,
  stagingDir: string,
): Promise<StagedFile> {
  const counts: Counts = { lines: 0, loaded: 0, quarantined: 0 };
  const quarantine = createQuarantineSink(store, quarantineKey(file.landing));
  staged += 1;
  const staging = createStagingFile(join(stagingDir, `${process.pid}-${staged}.ndjson`));
  try {
    for await (const { line } of acceptedLines(store, file, quarantine, counts)) {
      await staging.accept(line.row, line.text);
    }
    await staging.close();
    const quarantinedTo = await quarantine.close();
    return {
      key: file.key,
      bytes: file.bytes,
      ...counts,
      file,
      stagingPath: staging.path,
      quarantineKey: quarantinedTo,
      remove: () => staging.remove(),
    };
  } catch (error) {
    quarantine.abort();
    await staging.remove();
    throw error;
  }
}

/** Inserts a staged file's rows and its history row inside the transaction `tx`. */
export async function commitStaged(tx: Warehouse, staged: StagedFile): Promise<FileLoaded> {
  const { file } = staged;
  const { org, type } = file.landing;
  if (staged.loaded > 0) {
    const copied = await tx.appendJsonLines!(rawTable(type as never), {
      file: staged.stagingPath,
      columns: [
        org,
        type,
        { line: 'field', name: 'id' },
        { line: 'text' },
        file.key,
        { line: 'row' },
        file.loadedAt.toISOString(),
      ],
      maxLineBytes: file.maxLineBytes,
    });
    if (copied !== staged.loaded) {
      throw new Error(`${file.key}: ${staged.loaded} lines accepted but ${copied} rows copied`);
    }
  }
  const { lines, loaded, quarantined } = staged;
  await recordHistory(tx, file, { lines, loaded, quarantined }, staged.quarantineKey);
  return { key: file.key, bytes: file.bytes, lines, loaded, quarantined };
}

/** Loads a file in one transaction, its accepted lines streamed through `appendRows`. */
export async function loadStreamed(
  store: ObjectStore,
  warehouse: Warehouse,
  file: FileToLoad,
): Promise<FileLoaded> {
  const { org, type } = file.landing;
  const loadedAt = file.loadedAt.toISOString();
  const counts: Counts = { lines: 0, loaded: 0, quarantined: 0 };
  const quarantine = createQuarantineSink(store, quarantineKey(file.landing));
  async function* rows(): AsyncGenerator<readonly SqlValue[]> {
    for await (const { line, id } of acceptedLines(store, file, quarantine, counts)) {
      yield [org, type, id, line.text, file.key, line.row, loadedAt];
    }
  }
  try {
    return await warehouse.transaction(async (tx) => {
      if (isSupportedType(type)) {
        await appendRows(tx, rawTable(type), RAW_COLUMNS.length, rows());
      } else {
        for await (const _ of rows()) throw new Error(`a ${type} line passed validation`);
      }
      await recordHistory(tx, file, counts, await quarantine.close());
      return { key: file.key, bytes: file.bytes, ...counts };
    });
  } catch (error) {
    quarantine.abort();
    throw error;
  }
}

async function recordHistory(
  tx: Warehouse,
  file: FileToLoad,
  counts: Counts,
  quarantinedTo: string | null,
): Promise<void> {
  await tx.query(`insert into ${LOAD_HISTORY} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    file.key,
    file.landing.batchId,
    file.landing.org,
    file.landing.type,
    file.bytes,
    counts.lines,
    counts.loaded,
    counts.quarantined,
    quarantinedTo,
    file.loadedAt.toISOString(),
  ]);
}
