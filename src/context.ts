/**
 * The request context: built once per request from the verified principal. It carries the
 * org-bound repository and the per-request loaders; resolvers never see the warehouse.
 */
import type { Principal } from './auth/principal';
import type { Logger } from './logger';
import {
  createBuildCache,
  createLoaders,
  createOrgRepository,
  type Loaders,
  type OrgRepository,
  withBuildCache,
} from './repository';
import type { Warehouse } from './warehouse';

export interface RequestContext {
  requestId: string;
  principal: Principal;
  repository: OrgRepository;
  loaders: Loaders;
  log: Logger;
}

export interface ContextDeps {
  warehouse: Warehouse;
  tokenSalt: string;
  log: Logger;
  /** `false` disables the build-keyed cache (benchmarks, tests that count queries). Default on. */
  cache?: boolean;
  /** `false` disables DataLoader batching: one query per parent (the comparison path in benches). */
  batching?: boolean;
}

export type ContextFactory = ((principal: Principal, requestId: string) => RequestContext) & {
  /** Drops every cached answer (call after an in-process transform). */
  invalidate(): void;
};

export function createContextFactory(deps: ContextDeps): ContextFactory {
  const cache = deps.cache === false ? undefined : createBuildCache(deps.warehouse);
  const factory = (principal: Principal, requestId: string): RequestContext => {
    const uncached = createOrgRepository({
      warehouse: deps.warehouse.withQueryTag?.(`fhir-gateway:${requestId}`) ?? deps.warehouse,
      organizationId: principal.organizationId,
      salt: deps.tokenSalt,
    });
    const repository = cache ? withBuildCache(uncached, cache) : uncached;
    return {
      requestId,
      principal,
      repository,
      loaders: createLoaders(repository, { batch: deps.batching !== false }),
      log: deps.log.child({ requestId }),
    };
  };
  return Object.assign(factory, { invalidate: () => cache?.invalidate() });
}
