import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalObjectStore, type ObjectStore } from '../../src/object-store';
import { createDuckDbWarehouse, type Warehouse } from '../../src/warehouse';
import { landingKey } from '../landing/landing-keys';
import { loadLanding } from './load-landing';

const ndjson = (...values: unknown[]) =>
  values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
const patient = (id: string, org = 'org-a') => ({
  resourceType: 'Patient',
  id,
  managingOrganization: { reference: `Organization/${org}` },
});
const key = (type: string, part = 0, batchId = 'b1', org = 'org-a') =>
  landingKey({ org, type, batchId, part });
const clock = () => new Date('2024-05-06T07:08:09.000Z');

let dir: string;
let store: ObjectStore;
let warehouse: Warehouse;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loader-'));
  store = createLocalObjectStore({ root: dir });
  warehouse = await createDuckDbWarehouse({ path: ':memory:' });
});
afterEach(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

const quarantineRecords = async (k: string) =>
  (await store.get(k))
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('loadLanding', () => {
  it('loads each line of each landing file into its raw table with the key, row and load time', async () => {
    await store.put(key('Patient'), `${ndjson(patient('p1'), patient('p2'))}\n`);
    await store.put(key('Organization'), ndjson({ resourceType: 'Organization', id: 'org-a' }));

    const summary = await loadLanding(store, warehouse, { now: clock });

    expect(summary).toMatchObject({ files: 2, skipped: 0, lines: 3, loaded: 3, quarantined: 0 });
    expect(summary.bytes).toBe(
      Buffer.byteLength(`${ndjson(patient('p1'), patient('p2'))}\n`) +
        Buffer.byteLength(ndjson({ resourceType: 'Organization', id: 'org-a' })),
    );
    expect(await warehouse.query('select * from raw.fhir_patient order by source_row')).toEqual([
      {
        organization_id: 'org-a',
        resource_type: 'Patient',
        resource_id: 'p1',
        raw: JSON.stringify(patient('p1')),
        source_file: key('Patient'),
        source_row: 1,
        loaded_at: '2024-05-06T07:08:09.000Z',
      },
      {
        organization_id: 'org-a',
        resource_type: 'Patient',
        resource_id: 'p2',
        raw: JSON.stringify(patient('p2')),
        source_file: key('Patient'),
        source_row: 2,
        loaded_at: '2024-05-06T07:08:09.000Z',
      },
    ]);
    expect(await warehouse.query('select resource_id, source_file from raw.fhir_organization')).toEqual([
      { resource_id: 'org-a', source_file: key('Organization') },
    ]);
  });

  it('loads a file exactly once: a second run loads nothing and the history keeps one row per key', async () => {
    await store.put(key('Patient'), ndjson(patient('p1'), '{oops'));
    const first = await loadLanding(store, warehouse, { now: clock });
    const second = await loadLanding(store, warehouse, { now: clock });

    expect(first).toMatchObject({ files: 1, lines: 2, loaded: 1, quarantined: 1 });
    expect(second).toMatchObject({ files: 0, skipped: 0, lines: 0, loaded: 0, quarantined: 0, bytes: 0 });
    expect(await warehouse.query('select count(*) as n from raw.fhir_patient')).toEqual([{ n: 1 }]);
    expect(await warehouse.query('select * from raw.load_history')).toEqual([
      {
        object_key: key('Patient'),
        batch_id: 'b1',
        organization_id: 'org-a',
        resource_type: 'Patient',
        bytes: Buffer.byteLength(ndjson(patient('p1'), '{oops')),
        lines_seen: 2,
        lines_loaded: 1,
        lines_quarantined: 1,
        quarantine_key: 'quarantine/fhir/org=org-a/type=Patient/batch=b1/part-00000.ndjson',
        loaded_at: '2024-05-06T07:08:09.000Z',
      },
    ]);
  });

  it('loads a file delivered again under a new key as new rows', async () => {
    await store.put(key('Patient', 0, 'b1'), ndjson(patient('p1')));
    await loadLanding(store, warehouse);
    await store.put(key('Patient', 0, 'b2'), ndjson(patient('p1')));
    expect(await loadLanding(store, warehouse)).toMatchObject({ files: 1, loaded: 1 });
    expect(await warehouse.query('select resource_id, source_file from raw.fhir_patient order by 2')).toEqual(
      [
        { resource_id: 'p1', source_file: key('Patient', 0, 'b1') },
        { resource_id: 'p1', source_file: key('Patient', 0, 'b2') },
      ],
    );
  });

  it('quarantines every refused line with its key, row, reason and text, and the ledger balances', async () => {
    const long = `{"resourceType":"Patient","id":"long","text":"${'z'.repeat(300)}"}`;
    const lines = [
      patient('ok1'),
      '{"resourceType":"Patient","id":"p9"',
      '[]',
      { id: 'no-type' },
      { resourceType: 'Patient' },
      { resourceType: 'Patient', id: 'bad id!' },
      { resourceType: 'Encounter', id: 'e1' },
      patient('p-other', 'org-b'),
      { resourceType: 'Basic', id: 'x1' },
      long,
      patient('ok2'),
    ];
    await store.put(key('Patient'), ndjson(...lines));

    const summary = await loadLanding(store, warehouse, { maxLineBytes: 200 });

    expect(summary).toMatchObject({ files: 1, lines: 11, loaded: 2, quarantined: 9 });
    const records = await quarantineRecords(
      'quarantine/fhir/org=org-a/type=Patient/batch=b1/part-00000.ndjson',
    );
    expect(records.map((r) => [r.source_row, r.reason.split(':')[0]])).toEqual([
      [2, 'not-json'],
      [3, 'not-an-object'],
      [4, 'missing-resource-type'],
      [5, 'missing-id'],
      [6, 'invalid-id'],
      [7, 'type-mismatch'],
      [8, 'organization-mismatch'],
      [9, 'unsupported-type'],
      [10, 'line-too-long'],
    ]);
    expect(records[0]).toEqual({
      source_key: key('Patient'),
      source_row: 2,
      reason: 'not-json: the line is not valid JSON',
      line: '{"resourceType":"Patient","id":"p9"',
    });
    expect(records[8]).toEqual({
      source_key: key('Patient'),
      source_row: 10,
      reason: `line-too-long: line longer than the 200-byte limit (${long.length} bytes)`,
      line: long.slice(0, 200),
    });
    expect(await warehouse.query('select resource_id from raw.fhir_patient order by source_row')).toEqual([
      { resource_id: 'ok1' },
      { resource_id: 'ok2' },
    ]);
    expect(
      await warehouse.query('select * exclude (first_loaded_at, last_loaded_at) from raw.load_ledger'),
    ).toEqual([
      {
        batch_id: 'b1',
        files: 1,
        bytes: Buffer.byteLength(ndjson(...lines)),
        lines_seen: 11,
        lines_loaded: 2,
        rows_in_raw: 2,
        lines_quarantined: 9,
      },
    ]);
  });

  it('keeps a ledger per batch in which lines seen = loaded + quarantined', async () => {
    await store.put(key('Patient', 0, 'b1'), ndjson(patient('p1'), 'x'));
    await store.put(key('Patient', 1, 'b1'), ndjson(patient('p2'), patient('p3')));
    await store.put(key('Observation', 0, 'b2'), ndjson({ resourceType: 'Observation', id: 'o1' }, 'y', 'z'));
    await loadLanding(store, warehouse);
    const ledger = await warehouse.query(
      'select batch_id, files, lines_seen, lines_loaded, rows_in_raw, lines_quarantined from raw.load_ledger order by 1',
    );
    expect(ledger).toEqual([
      { batch_id: 'b1', files: 2, lines_seen: 4, lines_loaded: 3, rows_in_raw: 3, lines_quarantined: 1 },
      { batch_id: 'b2', files: 1, lines_seen: 3, lines_loaded: 1, rows_in_raw: 1, lines_quarantined: 2 },
    ]);
  });

  it('never loads a key outside the layout but quarantines it whole with the reason and counts it once in the ledger', async () => {
    const badPart = 'landing/fhir/org=org-a/type=Patient/batch=b1/part-1.ndjson';
    await store.put('landing/fhir/org=org-a/type=Patient/readme.txt', 'hello');
    await store.put(badPart, ndjson(patient('p1'), patient('p2')));
    const warnings: unknown[] = [];
    const log = { warn: (o: unknown) => warnings.push(o), info: () => undefined } as never;
    expect(await loadLanding(store, warehouse, { log })).toMatchObject({
      files: 0,
      skipped: 2,
      lines: 3,
      loaded: 0,
      quarantined: 3,
    });
    expect(warnings).toEqual([
      { key: badPart, lines: 2 },
      { key: 'landing/fhir/org=org-a/type=Patient/readme.txt', lines: 1 },
    ]);
    const records = await quarantineRecords(
      'quarantine/fhir/outside-layout/org=org-a/type=Patient/batch=b1/part-1.ndjson',
    );
    expect(
      records.map((r) => [r.source_key, r.source_row, r.reason.split(':')[0], JSON.parse(r.line).id]),
    ).toEqual([
      [badPart, 1, 'key-outside-layout', 'p1'],
      [badPart, 2, 'key-outside-layout', 'p2'],
    ]);
    expect(
      await quarantineRecords('quarantine/fhir/outside-layout/org=org-a/type=Patient/readme.txt.ndjson'),
    ).toMatchObject([{ source_row: 1, line: 'hello' }]);
    expect(await warehouse.query('select count(*)::int as n from raw.fhir_patient')).toEqual([{ n: 0 }]);
    expect(
      await warehouse.query(
        'select batch_id, files, lines_seen, lines_loaded, lines_quarantined from raw.load_ledger',
      ),
    ).toEqual([
      { batch_id: 'outside-layout', files: 2, lines_seen: 3, lines_loaded: 0, lines_quarantined: 3 },
    ]);
    expect(await loadLanding(store, warehouse)).toMatchObject({ files: 0, skipped: 0, quarantined: 0 });
  });

  it('quarantines every line of a file whose key names a type without a raw table', async () => {
    await store.put(key('Medication'), ndjson({ resourceType: 'Medication', id: 'm1' }));
    expect(await loadLanding(store, warehouse)).toMatchObject({
      files: 1,
      lines: 1,
      loaded: 0,
      quarantined: 1,
    });
    const [record] = await quarantineRecords(
      'quarantine/fhir/org=org-a/type=Medication/batch=b1/part-00000.ndjson',
    );
    expect(record.reason).toMatch(/^unsupported-type: Medication has no raw table/);
  });

  it('loads the same rows through batched INSERTs when the warehouse has no appender', async () => {
    const { append: _, appendJsonLines: __, ...withoutAppender } = warehouse;
    await store.put(key('Patient'), ndjson(...Array.from({ length: 1203 }, (_, i) => patient(`p${i}`))));
    expect(await loadLanding(store, withoutAppender, { now: clock })).toMatchObject({ loaded: 1203 });
    expect(
      await warehouse.query(
        `select count(*) as n, count(distinct resource_id) as ids, max(source_row) as last, min(loaded_at) as at from raw.fhir_patient`,
      ),
    ).toEqual([{ n: 1203, ids: 1203, last: 1203, at: '2024-05-06T07:08:09.000Z' }]);
  });

  it('calls onFile once per committed file', async () => {
    await store.put(key('Patient', 0), ndjson(patient('p1')));
    await store.put(key('Patient', 1), ndjson(patient('p2'), '!'));
    const seen: unknown[] = [];
    await loadLanding(store, warehouse, { onFile: (f) => seen.push(f) });
    expect(seen.sort((a, b) => ((a as { key: string }).key < (b as { key: string }).key ? -1 : 1))).toEqual([
      {
        key: key('Patient', 0),
        bytes: Buffer.byteLength(ndjson(patient('p1'))),
        lines: 1,
        loaded: 1,
        quarantined: 0,
      },
      {
        key: key('Patient', 1),
        bytes: Buffer.byteLength(ndjson(patient('p2'), '!')),
        lines: 2,
        loaded: 1,
        quarantined: 1,
      },
    ]);
  });
});
