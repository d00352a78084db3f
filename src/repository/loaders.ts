/**
 * Per-request DataLoaders over the org repository: every lookup in one tick of GraphQL
 * execution becomes one warehouse query per resource type (and per edge arguments), whatever
 * the number of parents. A missing id resolves to `null` for that key only.
 */
import DataLoader from 'dataloader';
import type { ResourceType } from '../fhir/search-parameters';
import type { SearchRequest } from '../fhir/search-request';
import type { OrgRepository, ParentType, ResourceRow, SearchPage } from './org-repository';

export interface Loaders {
  byId(type: ResourceType): DataLoader<string, ResourceRow | null>;
  /** Pages of children per parent id, for one set of edge arguments (`request`). */
  children(request: SearchRequest, parent: ParentType): DataLoader<string, SearchPage>;
  /** Child counts per parent id, for one set of edge filters. */
  childCounts(request: SearchRequest, parent: ParentType): DataLoader<string, number>;
}

export interface LoaderOptions {
  /** `false` turns batching and per-request memoization off: one query per key (for comparison benches). */
  batch?: boolean;
}

export function createLoaders(repository: OrgRepository, options: LoaderOptions = {}): Loaders {
  const batch = options.batch ?? true;
  const dl = { batch, cache: batch, maxBatchSize: 1000 };
  const loaders = new Map<string, DataLoader<string, unknown>>();
  const get = <V>(key: string, load: (keys: readonly string[]) => Promise<ArrayLike<V | Error>>) => {
    let loader = loaders.get(key) as DataLoader<string, V> | undefined;
    if (!loader) {
      loader = new DataLoader<string, V>(load, dl);
      loaders.set(key, loader as DataLoader<string, unknown>);
    }
    return loader;
  };
  return {
    byId: (type) =>
      get(`id|${type}`, async (ids) => {
        const found = await repository.readByIds(type, ids);
        return ids.map((id) => found.get(id) ?? null);
      }),
    children: (request, parent) =>
      get(
        `children|${request.type}|${parent}|${request.queryKey}|${request.count}|${request.cursor ?? ''}`,
        async (ids) => {
          const pages = await repository.searchByParents(request, parent, ids);
          return ids.map((id) => pages.get(id) ?? { rows: [] });
        },
      ),
    childCounts: (request, parent) =>
      get(`counts|${request.type}|${parent}|${request.queryKey}`, async (ids) => {
        const counts = await repository.countByParents(request, parent, ids);
        return ids.map((id) => counts.get(id) ?? 0);
      }),
  };
}
