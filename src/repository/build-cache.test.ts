import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDuckDbWarehouse, observeWarehouse, type Warehouse } from '../warehouse';
import { createBuildCache } from './build-cache';

let warehouse: Warehouse;
beforeEach(async () => {
  warehouse = await createDuckDbWarehouse({ path: ':memory:' });
  await warehouse.execute(`create schema api; create table api.build_info (build_id varchar, built_at timestamp);
    insert into api.build_info values ('build-1', now())`);
});
afterEach(() => warehouse.close());

describe('the build-keyed cache', () => {
  it('keeps answers while the build is unchanged and drops them once a new build is seen', async () => {
    let now = 0;
    let checks = 0;
    const cache = createBuildCache(
      observeWarehouse(warehouse, () => checks++),
      { checkIntervalMs: 1000, now: () => now },
    );
    cache.set('k', 'from build 1', await cache.fresh());
    await warehouse.execute("update api.build_info set build_id = 'build-2'");
    now = 500;
    await cache.fresh();
    expect([cache.get('k'), checks]).toEqual(['from build 1', 1]);
    now = 1500;
    await cache.fresh();
    expect([cache.get('k'), checks]).toEqual([undefined, 2]);
  });

  it('never stores an answer started under an older build, and invalidate() drops everything at once', async () => {
    const cache = createBuildCache(warehouse);
    const generation = await cache.fresh();
    cache.invalidate();
    cache.set('late', 'stale', generation);
    expect(cache.has('late')).toBe(false);
    cache.set('k', 'v', await cache.fresh());
    cache.invalidate();
    expect(cache.get('k')).toBeUndefined();
  });
});
