import { afterAll, beforeAll, expect, it } from 'vitest';
import { cohortLines } from '../support/bulk-data-server';
import { type BulkHarness, openBulkHarness } from '../support/bulk-harness';

let h: BulkHarness;
beforeAll(async () => {
  h = await openBulkHarness({ server: { resources: cohortLines({ patients: 5, seed: 1 }), auth: true } });
});
afterAll(() => h.close());

it('smoke', async () => {
  const r = await h.run({ types: ['Patient', 'Encounter', 'Observation', 'Condition'] });
  console.log(JSON.stringify(r, null, 1).slice(0, 3000));
  expect(r.ledger?.status).toBe('completed');
});
