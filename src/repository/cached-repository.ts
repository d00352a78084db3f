/**
 * The build-keyed cache in front of an org repository: whole answers for searches and counts,
 * per key for the batched reads (only the misses go to the warehouse, in one statement).
 * Entries belong to one marts build (`build-cache.ts`) and to one organization (every key
 * starts with it).
 */
import type { BuildCache } from './build-cache';
import type { OrgRepository, ResourceRow, SearchPage } from './org-repository';

export function withBuildCache(repository: OrgRepository, cache: BuildCache): OrgRepository {
  const org = repository.organizationId;

  async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const generation = await cache.fresh();
    const hit = cache.get<T>(key);
    if (hit !== undefined) return hit;
    const value = await load();
    cache.set(key, value, generation);
    return value;
  }

  /** Per-key caching around a batched load; `absent` is cached too (a miss stays a miss). */
  async function cachedMany<T>(
    keys: readonly string[],
    keyOf: (k: string) => string,
    load: (missing: string[]) => Promise<Map<string, T>>,
    absent: T,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const generation = await cache.fresh();
    const missing = [...new Set(keys)].filter((k) => {
      const hit = cache.get<{ v: T }>(keyOf(k));
      if (hit && hit.v !== absent) out.set(k, hit.v);
      return !hit;
    });
    if (missing.length === 0) return out;
    const loaded = await load(missing);
    for (const k of missing) {
      const v = loaded.get(k) ?? absent;
      if (v !== absent) out.set(k, v);
      cache.set(keyOf(k), { v }, generation);
    }
    return out;
  }
  const pageKey = (r: { queryKey: string; count: number; cursor?: string }) =>
    `${r.queryKey}|${r.count}|${r.cursor ?? ''}`;

  return {
    ...repository,
    readByIds: (type, ids) =>
      cachedMany<ResourceRow | null>(
        ids,
        (id) => `${org}|${type}|id|${id}`,
        (missing) => repository.readByIds(type, missing),
        null,
      ) as Promise<Map<string, ResourceRow>>,
    search: (request) =>
      cached(`${org}|${request.type}|search|${pageKey(request)}`, () => repository.search(request)),
    count: (request) =>
      cached(`${org}|${request.type}|count|${request.queryKey}`, () => repository.count(request)),
    searchByParents: (request, parent, parentIds) =>
      cachedMany<SearchPage>(
        parentIds,
        (id) => `${org}|${request.type}|by${parent}|${pageKey(request)}|${id}`,
        (missing) => repository.searchByParents(request, parent, missing),
        { rows: [] },
      ),
    countByParents: (request, parent, parentIds) =>
      cachedMany<number>(
        parentIds,
        (id) => `${org}|${request.type}|countBy${parent}|${request.queryKey}|${id}`,
        (missing) => repository.countByParents(request, parent, missing),
        -1,
      ),
  };
}
