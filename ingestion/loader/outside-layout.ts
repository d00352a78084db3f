/**
 * An object under `landing/` whose key is outside the layout cannot be loaded (its organization and
 * type are unknown), but its data must not vanish: every line is quarantined with the reason, under
 * `quarantine/fhir/outside-layout/<the key below landing/fhir/>`, and the file is recorded in the
 * load history (batch `outside-layout`) so the ledger counts it, once.
 */
import type { ObjectStore } from '../../src/object-store';
import type { Warehouse } from '../../src/warehouse';
import { LANDING_PREFIX } from '../landing/landing-keys';
import { readLines } from '../ndjson';
import type { FileLoaded } from './load-file';
import { createQuarantineSink, QUARANTINE_PREFIX } from './quarantine';
import { LOAD_HISTORY } from './raw-schema';

/** The load-history batch of files quarantined for their key. */
export const OUTSIDE_LAYOUT_BATCH = 'outside-layout';

const REASON =
  'key-outside-layout: the key is not landing/fhir/org=<org>/type=<Type>/batch=<id>/part-<nnnnn>.ndjson, ' +
  'so its organization and type are unknown';

/** Where the lines of an object outside the layout are quarantined. */
export function outsideLayoutQuarantineKey(key: string): string {
  const rest = key.startsWith(LANDING_PREFIX) ? key.slice(LANDING_PREFIX.length) : key;
  return `${QUARANTINE_PREFIX}${OUTSIDE_LAYOUT_BATCH}/${rest}${rest.endsWith('.ndjson') ? '' : '.ndjson'}`;
}

/** Quarantines every line of `key` with the reason and records the file in the load history. */
export async function quarantineOutsideLayout(
  store: ObjectStore,
  warehouse: Warehouse,
  file: { key: string; bytes: number; loadedAt: Date; maxLineBytes?: number },
): Promise<FileLoaded> {
  const quarantineKey = outsideLayoutQuarantineKey(file.key);
  const sink = createQuarantineSink(store, quarantineKey);
  let lines = 0;
  try {
    for await (const line of readLines(await store.stream(file.key), { maxLineBytes: file.maxLineBytes })) {
      lines += 1;
      await sink.write({ source_key: file.key, source_row: line.row, reason: REASON, line: line.text });
    }
  } catch (error) {
    sink.abort();
    throw error;
  }
  const written = await sink.close();
  const org = /\/org=([^/]+)\//.exec(file.key)?.[1] ?? '';
  const type = /\/type=([^/]+)\//.exec(file.key)?.[1] ?? '';
  await warehouse.transaction((tx) =>
    tx.query(`insert into ${LOAD_HISTORY} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      file.key,
      OUTSIDE_LAYOUT_BATCH,
      org.slice(0, 64),
      type.slice(0, 64),
      file.bytes,
      lines,
      0,
      lines,
      written,
      file.loadedAt.toISOString(),
    ]),
  );
  return { key: file.key, bytes: file.bytes, lines, loaded: 0, quarantined: lines };
}
