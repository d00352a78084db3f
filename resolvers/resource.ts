/**
 * What reading and searching a resource type means, shared by the resource modules (each
 * passes its own search definition):
 * scope checks, the not-found answer (the same for another organization's id), search
 * pages with their cursors and totals. REST routes and GraphQL fields both end up here.
 */
import { allows, type Interaction } from '../src/auth/scopes';
import type { RequestContext } from '../src/context';
import { forbidden, notFound } from '../src/fhir/operation-outcome';
import type { ResourceSearchDef, ResourceType } from '../src/fhir/search-parameters';
import { type ParseOptions, parseSearchRequest, type SearchRequest } from '../src/fhir/search-request';
import type { ParentType, ResourceRow, SearchPage } from '../src/repository';

export type SearchParams = readonly (readonly [string, string])[];

export interface SearchResult {
  request: SearchRequest;
  rows: ResourceRow[];
  hasNext: boolean;
  /** The opaque cursor of the next page, when there is one (signed on first read). */
  readonly nextCursor: string | undefined;
  /** The opaque cursor just after `row` (a row of this result), for connection edges. */
  cursorAt(row: ResourceRow): string;
  /** Present when `_total=accurate` (or `estimate`) or `_summary=count` was asked. */
  total?: number;
}

/** Throws 403 unless the token grants `interaction` on `type`. */
export function requireScope(ctx: RequestContext, type: ResourceType, interaction: Interaction): void {
  if (!allows(ctx.principal.scopes, type, interaction)) throw forbidden();
}

/** Reads one resource; 404 when it is missing or belongs to another organization. */
export async function readResource(
  ctx: RequestContext,
  type: ResourceType,
  id: string,
): Promise<ResourceRow> {
  const row = await loadResource(ctx, type, id);
  if (!row) throw notFound(type, id);
  return row;
}

/** Reads one resource through the request's loader (batched with its siblings); null when missing. */
export function loadResource(
  ctx: RequestContext,
  type: ResourceType,
  id: string,
): Promise<ResourceRow | null> {
  requireScope(ctx, type, 'r');
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) return Promise.resolve(null);
  return ctx.loaders.byId(type).load(id);
}

/** Parses and runs a top-level search. */
export function searchResources(
  ctx: RequestContext,
  def: ResourceSearchDef,
  params: SearchParams,
  options: ParseOptions = {},
): Promise<SearchResult> {
  requireScope(ctx, def.type, 's');
  return runSearch(ctx, parseSearchRequest(def, params, options));
}

async function runSearch(ctx: RequestContext, request: SearchRequest): Promise<SearchResult> {
  const wantTotal = request.summaryCount || request.total === 'accurate';
  const [page, total] = await Promise.all([
    request.summaryCount ? ({ rows: [] } satisfies SearchPage) : ctx.repository.search(request),
    wantTotal ? ctx.repository.count(request) : undefined,
  ]);
  const result = pageResult(ctx, request, page);
  if (total !== undefined) result.total = total;
  return result;
}

/** A page as a result; its next cursor is signed only when someone reads it (edges rarely do). */
function pageResult(ctx: RequestContext, request: SearchRequest, page: SearchPage): SearchResult {
  const { next } = page;
  return {
    request,
    rows: page.rows,
    hasNext: next !== undefined,
    get nextCursor() {
      return next && ctx.repository.encodeCursor(request, next);
    },
    cursorAt: (row) => ctx.repository.encodeCursor(request, { values: row.sortValues, id: row.id }),
  };
}

const parsedEdgeRequests = new WeakMap<RequestContext, Map<string, SearchRequest>>();

/** Parses edge arguments once per request: every sibling parent of an edge shares them. */
function parseEdgeRequest(ctx: RequestContext, def: ResourceSearchDef, params: SearchParams): SearchRequest {
  let parsed = parsedEdgeRequests.get(ctx);
  if (!parsed) {
    parsed = new Map();
    parsedEdgeRequests.set(ctx, parsed);
  }
  const key = `${def.type}${JSON.stringify(params)}`;
  let request = parsed.get(key);
  if (!request) {
    request = parseSearchRequest(def, params);
    parsed.set(key, request);
  }
  return request;
}

/** The ids of `type` resources deleted in `[since, until]` (Bulk Data `deleted`); needs search on `type`. */
export function listDeletedResources(
  ctx: RequestContext,
  type: ResourceType,
  since: string,
  until: string,
): Promise<{ id: string; deletedAt: string }[]> {
  requireScope(ctx, type, 's');
  return ctx.repository.listDeleted(type, since, until);
}

/** Counts the matches of a top-level search. */
export function countResources(ctx: RequestContext, request: SearchRequest): Promise<number> {
  requireScope(ctx, request.type, 's');
  return ctx.repository.count(request);
}

/** A page of `type` resources under one parent; batched with every sibling parent in the request. */
export async function searchChildren(
  ctx: RequestContext,
  def: ResourceSearchDef,
  parent: ParentType,
  parentId: string,
  params: SearchParams,
): Promise<SearchResult> {
  requireScope(ctx, def.type, 's');
  const request = parseEdgeRequest(ctx, def, params);
  return pageResult(ctx, request, await ctx.loaders.children(request, parent).load(parentId));
}

/** The number of `type` resources under one parent matching `params`; batched like `searchChildren`. */
export function countChildren(
  ctx: RequestContext,
  def: ResourceSearchDef,
  parent: ParentType,
  parentId: string,
  params: SearchParams,
): Promise<number> {
  requireScope(ctx, def.type, 's');
  return ctx.loaders.childCounts(parseEdgeRequest(ctx, def, params), parent).load(parentId);
}

/** What a resource type offers every adapter: its search definition, read (404 when missing), load (null) and search. */
export interface TypeResolvers {
  readonly definition: ResourceSearchDef;
  read(ctx: RequestContext, id: string): Promise<ResourceRow>;
  load(ctx: RequestContext, id: string): Promise<ResourceRow | null>;
  search(ctx: RequestContext, params: SearchParams, options?: ParseOptions): Promise<SearchResult>;
}

export function typeResolvers(definition: ResourceSearchDef): TypeResolvers {
  const { type } = definition;
  return {
    definition,
    read: (ctx, id) => readResource(ctx, type, id),
    load: (ctx, id) => loadResource(ctx, type, id),
    search: (ctx, params, options) => searchResources(ctx, definition, params, options),
  };
}

/** A batched edge from a parent to its `type` children: one page and the count per parent. */
export interface EdgeResolvers {
  type: ResourceType;
  page(ctx: RequestContext, parentId: string, params?: SearchParams): Promise<SearchResult>;
  count(ctx: RequestContext, parentId: string, params?: SearchParams): Promise<number>;
}

export function edgeResolvers(definition: ResourceSearchDef, parent: ParentType): EdgeResolvers {
  return {
    type: definition.type,
    page: (ctx, parentId, params = []) => searchChildren(ctx, definition, parent, parentId, params),
    count: (ctx, parentId, params = []) => countChildren(ctx, definition, parent, parentId, params),
  };
}
