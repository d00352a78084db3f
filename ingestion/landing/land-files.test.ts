import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalObjectStore, type ObjectStore } from '../../src/object-store';
import { createDuckDbWarehouse, type Warehouse } from '../../src/warehouse';
import { loadLanding } from '../loader';
import { landFiles, newBatchId } from './land-files';

let dir: string;
let store: ObjectStore;
let warehouse: Warehouse;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-'));
  store = createLocalObjectStore({ root: join(dir, 'store') });
  warehouse = await createDuckDbWarehouse({ path: ':memory:' });
});
afterEach(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

const patient = (id: string, org = 'org-7') => ({
  resourceType: 'Patient',
  id,
  managingOrganization: { reference: `Organization/${org}` },
});

describe('landFiles', () => {
  it('lands NDJSON lines and Bundle entries under their declared types, and the loader accounts for every line', async () => {
    const ndjsonPath = join(dir, 'patients.ndjson');
    await writeFile(
      ndjsonPath,
      [JSON.stringify(patient('p1')), 'not json at all', JSON.stringify(patient('p2', 'org-8')), ''].join(
        '\n',
      ),
    );
    const bundlePath = join(dir, 'bundle.json');
    await writeFile(
      bundlePath,
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' } } },
          { resource: { resourceType: 'Medication', id: 'm1' } },
        ],
      }),
    );

    const landed = await landFiles(store, { org: 'org-7', paths: [ndjsonPath, bundlePath], batchId: 'b-1' });
    expect(landed.lines).toBe(5);
    expect(landed.files.map((f) => f.key)).toEqual([
      'landing/fhir/org=org-7/type=Condition/batch=b-1/part-00000.ndjson',
      'landing/fhir/org=org-7/type=Medication/batch=b-1/part-00000.ndjson',
      'landing/fhir/org=org-7/type=Patient/batch=b-1/part-00000.ndjson',
      'landing/fhir/org=org-7/type=Unparsed/batch=b-1/part-00000.ndjson',
    ]);

    const loaded = await loadLanding(store, warehouse);
    expect(loaded).toMatchObject({ lines: 5, loaded: 2, quarantined: 3 });
    const reasons: string[] = [];
    for await (const object of store.list('quarantine/')) {
      for (const line of (await store.get(object.key)).toString('utf8').trim().split('\n')) {
        reasons.push((JSON.parse(line) as { reason: string }).reason.split(':')[0]!);
      }
    }
    expect(reasons.sort()).toEqual(['not-json', 'organization-mismatch', 'unsupported-type']);
  });

  it('lands a JSON document that does not parse as one unparsed line instead of dropping it', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{"resourceType": "Patient", ');
    const landed = await landFiles(store, { org: 'org-7', paths: [path], batchId: 'b-2' });
    expect(landed.files).toEqual([
      expect.objectContaining({
        key: 'landing/fhir/org=org-7/type=Unparsed/batch=b-2/part-00000.ndjson',
        lines: 1,
      }),
    ]);
  });

  it('makes a new, time-ordered batch id on every call', () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const a = newBatchId('ingest', at);
    const b = newBatchId('ingest', at);
    expect(a).toMatch(/^ingest-20260304T050607-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });
});
