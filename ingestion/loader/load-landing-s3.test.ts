import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../src/object-store';
import { createDuckDbWarehouse } from '../../src/warehouse';
import { openS3rverStore } from '../../test/support/s3rver-harness';
import { landingKey } from '../landing/landing-keys';
import { loadLanding } from './load-landing';

let s3: Awaited<ReturnType<typeof openS3rverStore>>;
let store: ObjectStore;
beforeAll(async () => {
  s3 = await openS3rverStore();
  store = s3.store;
});
afterAll(() => s3?.close());

describe('loadLanding over S3', () => {
  it('loads landing objects from a bucket once and writes quarantine back to it', async () => {
    const key = landingKey({ org: 'org-a', type: 'Condition', batchId: 'b1', part: 0 });
    await store.put(
      key,
      `${JSON.stringify({ resourceType: 'Condition', id: 'c1' })}\n{"resourceType":"Condition"}\n`,
    );
    const warehouse = await createDuckDbWarehouse({ path: ':memory:' });
    try {
      expect(await loadLanding(store, warehouse)).toMatchObject({
        files: 1,
        lines: 2,
        loaded: 1,
        quarantined: 1,
      });
      expect(await loadLanding(store, warehouse)).toMatchObject({ files: 0 });
      expect(
        await warehouse.query('select resource_id, source_file, source_row from raw.fhir_condition'),
      ).toEqual([{ resource_id: 'c1', source_file: key, source_row: 1 }]);
      const quarantined = await store.get(
        'quarantine/fhir/org=org-a/type=Condition/batch=b1/part-00000.ndjson',
      );
      expect(JSON.parse(quarantined.toString())).toEqual({
        source_key: key,
        source_row: 2,
        reason: 'missing-id: the resource has no id',
        line: '{"resourceType":"Condition"}',
      });
    } finally {
      await warehouse.close();
    }
  });
});
