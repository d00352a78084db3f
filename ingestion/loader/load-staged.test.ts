import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalObjectStore, type ObjectStore } from '../../src/object-store';
import { createDuckDbWarehouse, type Warehouse } from '../../src/warehouse';
import { landingKey } from '../landing/landing-keys';
import { loadLanding } from './load-landing';

const key = (part: number) => landingKey({ org: 'org-a', type: 'Observation', batchId: 'b1', part });
const clock = () => new Date('2024-05-06T07:08:09.000Z');
/** Physical line n: blank every 97th, not JSON every 89th, else an Observation whose id names n. */
const lineAt = (n: number, pad: string) =>
  n % 97 === 0
    ? ''
    : n % 89 === 0
      ? `{"broken": ${n}`
      : `{"resourceType": "Observation", "id": "o-${n}", "pad": "${pad}"}`;
const acceptedOf = (lines: number) =>
  Array.from({ length: lines }, (_, i) => i + 1).filter((n) => n % 97 && n % 89).length;
const fileOf = (lines: number, pad = '') =>
  Array.from({ length: lines }, (_, i) => lineAt(i + 1, pad)).join('\n');

let dir: string;
let store: ObjectStore;
let warehouse: Warehouse;
let staging: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loader-staged-'));
  store = createLocalObjectStore({ root: join(dir, 'lake') });
  staging = join(dir, 'staging');
  warehouse = await createDuckDbWarehouse({ path: join(dir, 'w.duckdb') });
});
afterEach(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

const rowsByFile = () =>
  warehouse.query(
    `select source_file, count(*) as n,
       count(*) filter (where source_row <> cast(split_part(resource_id, '-', 2) as integer)) as misnumbered,
       count(*) filter (where raw <> '{"resourceType": "Observation", "id": "' || resource_id || '", "pad": "' || (raw ->> 'pad') || '"}') as altered
     from raw.fhir_observation group by 1 order by 1`,
  );

describe('loadLanding through staged files', () => {
  it('numbers each row by its physical line and keeps its text, across a file DuckDB reads in parallel', async () => {
    const lines = 36_000;
    await store.put(key(0), fileOf(lines, 'x'.repeat(1000)));
    const accepted = acceptedOf(lines);

    const summary = await loadLanding(store, warehouse, { now: clock, stagingDir: staging });

    expect(summary).toMatchObject({
      files: 1,
      loaded: accepted,
      quarantined: lines - accepted - Math.floor(lines / 97),
    });
    expect(await rowsByFile()).toEqual([{ source_file: key(0), n: accepted, misnumbered: 0, altered: 0 }]);
    expect(existsSync(staging)).toBe(false);
  });

  it('loads the same rows through the appender when the warehouse copies no staged files', async () => {
    await store.put(key(0), fileOf(500));
    await store.put(key(1), fileOf(300));
    const { appendJsonLines: _, ...appenderOnly } = warehouse;
    expect(await loadLanding(store, appenderOnly, { concurrency: 1 })).toMatchObject({ files: 2 });
    expect(await rowsByFile()).toEqual([
      { source_file: key(0), n: acceptedOf(500), misnumbered: 0, altered: 0 },
      { source_file: key(1), n: acceptedOf(300), misnumbered: 0, altered: 0 },
    ]);
  });

  it('commits the other files of a batch when one fails, reports the failure, and loads it on the next run', async () => {
    for (let part = 0; part < 6; part++) await store.put(key(part), fileOf(200));
    let failing = true;
    const flaky: Warehouse = {
      ...warehouse,
      transaction: (fn) =>
        warehouse.transaction((tx) =>
          fn({
            ...tx,
            appendJsonLines: (table, staged) => {
              if (failing && staged.columns[4] === key(3)) throw new Error('copy failed');
              return tx.appendJsonLines!(table, staged);
            },
          }),
        ),
    };

    await expect(loadLanding(store, flaky, { concurrency: 6, stagingDir: staging })).rejects.toThrow(
      'copy failed',
    );
    const loaded = await warehouse.query<{ object_key: string }>(
      'select object_key from raw.load_history order by 1',
    );
    expect(loaded.map((r) => r.object_key)).not.toContain(key(3));
    expect(existsSync(staging)).toBe(false);

    failing = false;
    await loadLanding(store, flaky);
    expect(await rowsByFile()).toEqual(
      Array.from({ length: 6 }, (_, part) => ({
        source_file: key(part),
        n: 196,
        misnumbered: 0,
        altered: 0,
      })),
    );
  });
});
