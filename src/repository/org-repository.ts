/**
 * The org-scoped repository: built per request from the verified organization, it is the
 * only way resolvers reach data. Every statement reads one `api.*` mart and binds
 * `organization_id = ?` first; the organization is fixed at construction and is not a
 * parameter of any method. Reads and searches go through the build-keyed cache.
 */
import { type CursorCodec, type CursorPosition, type CursorValue, createCursorCodec } from '../fhir/cursor';
import { RESOURCE_DEFS, type ResourceType } from '../fhir/search-parameters';
import type { SearchRequest } from '../fhir/search-request';
import type { SqlValue, Warehouse } from '../warehouse';
import type { BuildCache } from './build-cache';
import {
  compileClauses,
  compileKeyset,
  compileOrder,
  type Fragment,
  placeholders,
  sortColumns,
} from './search-sql';

/** A served resource: its id, the FHIR JSON text exactly as stored, and its parent references. */
export interface ResourceRow {
  id: string;
  resource: string;
  /** `meta.lastUpdated` as an ISO-8601 instant (the mart's `last_updated`). */
  lastUpdated: string | null;
  patientId: string | null;
  encounterId: string | null;
  /** The row's sort-key values under the search that produced it (for cursors). */
  sortValues: CursorValue[];
}

export interface SearchPage {
  rows: ResourceRow[];
  /** The position after the last row when another page exists. */
  next?: CursorPosition;
}

export type ParentType = 'Patient' | 'Encounter';

export interface OrgRepository {
  readonly organizationId: string;
  /** One query for all `ids`; missing ids (and other organizations' ids) are absent from the map. */
  readByIds(type: ResourceType, ids: readonly string[]): Promise<Map<string, ResourceRow>>;
  /** One page of a search, after `request.cursor` when given. */
  search(request: SearchRequest): Promise<SearchPage>;
  /** The number of matches of a search (its cursor ignored). */
  count(request: SearchRequest): Promise<number>;
  /** One page per parent, in one query (`row_number()` per parent), for nested edges. */
  searchByParents(
    request: SearchRequest,
    parent: ParentType,
    parentIds: readonly string[],
  ): Promise<Map<string, SearchPage>>;
  /** Match counts per parent, in one query. */
  countByParents(
    request: SearchRequest,
    parent: ParentType,
    parentIds: readonly string[],
  ): Promise<Map<string, number>>;
  /** Encodes a cursor bound to this organization and to the request's query. */
  encodeCursor(request: SearchRequest, position: CursorPosition): string;
  /** The ids of `type` resources deleted (latest version a tombstone) in `[since, until]`, by id. */
  listDeleted(type: ResourceType, since: string, until: string): Promise<{ id: string; deletedAt: string }[]>;
}

export interface OrgRepositoryOptions {
  warehouse: Warehouse;
  organizationId: string;
  /** The tokenization key: identifier searches are tokenized with it; cursors are signed with it. */
  salt: string;
  /** Omit to read through to the warehouse every time. */
  cache?: BuildCache;
}

const MAX_IN = 1000;

export function createOrgRepository(options: OrgRepositoryOptions): OrgRepository {
  const { warehouse, organizationId: org, salt, cache } = options;
  if (!org) throw new Error('An org-scoped repository needs an organization');
  const codec: CursorCodec = createCursorCodec(`cursor|${salt}`, org);
  const scope = { organizationId: org, salt };

  const columns = (type: ResourceType) => {
    const parents = RESOURCE_DEFS[type].parents;
    return `id, resource, last_updated, ${parents.Patient ?? 'null'} as patient_id, ${parents.Encounter ?? 'null'} as encounter_id`;
  };
  const toRow = (r: Record<string, unknown>, sortCount = 0): ResourceRow => ({
    id: r.id as string,
    resource: r.resource as string,
    lastUpdated: (r.last_updated as string | null) ?? null,
    patientId: (r.patient_id as string | null) ?? null,
    encounterId: (r.encounter_id as string | null) ?? null,
    sortValues: Array.from({ length: sortCount }, (_, i) => (r[`s${i}`] as CursorValue) ?? null),
  });
  const where = (request: SearchRequest, extra: Fragment[] = []) => {
    const c = compileClauses(request.clauses, scope);
    return {
      sql: ['organization_id = ?', c.sql, ...extra.map((e) => e.sql)].join(' and '),
      params: [org, ...c.params, ...extra.flatMap((e) => e.params)] as SqlValue[],
    };
  };
  const keyset = (request: SearchRequest): Fragment[] =>
    request.cursor ? [compileKeyset(request.sort, codec.decode(request.queryKey, request.cursor))] : [];

  async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!cache) return load();
    const generation = await cache.fresh();
    const hit = cache.get<T>(key);
    if (hit !== undefined) return hit;
    const value = await load();
    cache.set(key, value, generation);
    return value;
  }
  const pageKey = (r: SearchRequest) => `${r.queryKey}|${r.count}|${r.cursor ?? ''}`;

  /** Per-key caching around a batched load: only the misses are queried, in one statement. */
  async function cachedMany<T>(
    keys: readonly string[],
    keyOf: (k: string) => string,
    load: (missing: string[]) => Promise<Map<string, T>>,
    absent: T,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const generation = cache ? await cache.fresh() : 0;
    const missing = [...new Set(keys)].filter((k) => {
      const hit = cache?.get<{ v: T }>(keyOf(k));
      if (hit && hit.v !== absent) out.set(k, hit.v);
      return !hit;
    });
    for (let i = 0; i < missing.length; i += MAX_IN) {
      const chunk = missing.slice(i, i + MAX_IN);
      const loaded = await load(chunk);
      for (const k of chunk) {
        const v = loaded.get(k) ?? absent;
        if (v !== absent) out.set(k, v);
        cache?.set(keyOf(k), { v }, generation);
      }
    }
    return out;
  }

  return {
    organizationId: org,

    readByIds(type, ids) {
      const def = RESOURCE_DEFS[type];
      return cachedMany<ResourceRow | null>(
        ids,
        (id) => `${org}|${type}|id|${id}`,
        async (missing) => {
          const rows = await warehouse.query(
            `select ${columns(type)} from ${def.table} where organization_id = ? and id in (${placeholders(missing.length)})`,
            [org, ...missing],
          );
          return new Map(rows.map((r) => [r.id as string, toRow(r)]));
        },
        null,
      ) as Promise<Map<string, ResourceRow>>;
    },

    search(request) {
      const def = RESOURCE_DEFS[request.type];
      return cached(`${org}|${request.type}|search|${pageKey(request)}`, async () => {
        const w = where(request, keyset(request));
        const rows = await warehouse.query(
          `select ${columns(request.type)}, ${sortColumns(request.sort, warehouse.dialect)} from ${def.table} where ${w.sql} ` +
            `order by ${compileOrder(request.sort)} limit ${request.count + 1}`,
          w.params,
        );
        return toPage(
          rows.map((r) => toRow(r, request.sort.length)),
          request.count,
        );
      });
    },

    count(request) {
      const def = RESOURCE_DEFS[request.type];
      return cached(`${org}|${request.type}|count|${request.queryKey}`, async () => {
        const w = where(request);
        const rows = await warehouse.query<{ n: number }>(
          `select count(*) as n from ${def.table} where ${w.sql}`,
          w.params,
        );
        return Number(rows[0]?.n ?? 0);
      });
    },

    searchByParents(request, parent, parentIds) {
      const def = RESOURCE_DEFS[request.type];
      const col = parentColumn(request.type, parent);
      return cachedMany<SearchPage>(
        parentIds,
        (id) => `${org}|${request.type}|by${parent}|${pageKey(request)}|${id}`,
        async (missing) => {
          const w = where(request, [
            { sql: `${col} in (${placeholders(missing.length)})`, params: missing },
            ...keyset(request),
          ]);
          const rows = await warehouse.query(
            `select * from (select ${columns(request.type)}, ${sortColumns(request.sort, warehouse.dialect)}, ${col} as parent_id_, ` +
              `row_number() over (partition by ${col} order by ${compileOrder(request.sort)}) as rn_ ` +
              `from ${def.table} where ${w.sql}) ranked where rn_ <= ${request.count + 1} order by parent_id_, rn_`,
            w.params,
          );
          const grouped = new Map<string, ResourceRow[]>();
          for (const r of rows) {
            const key = r.parent_id_ as string;
            const list = grouped.get(key) ?? [];
            list.push(toRow(r, request.sort.length));
            grouped.set(key, list);
          }
          return new Map(missing.map((id) => [id, toPage(grouped.get(id) ?? [], request.count)]));
        },
        { rows: [] },
      );
    },

    async countByParents(request, parent, parentIds) {
      const def = RESOURCE_DEFS[request.type];
      const col = parentColumn(request.type, parent);
      return cachedMany<number>(
        parentIds,
        (id) => `${org}|${request.type}|countBy${parent}|${request.queryKey}|${id}`,
        async (missing) => {
          const w = where(request, [{ sql: `${col} in (${placeholders(missing.length)})`, params: missing }]);
          const rows = await warehouse.query(
            `select ${col} as parent_id_, count(*) as n from ${def.table} where ${w.sql} group by ${col}`,
            w.params,
          );
          const counts = new Map(rows.map((r) => [r.parent_id_ as string, Number(r.n)]));
          return new Map(missing.map((id) => [id, counts.get(id) ?? 0]));
        },
        -1,
      );
    },

    encodeCursor: (request, position) => codec.encode(request.queryKey, position),

    async listDeleted(type, since, until) {
      const iso = (t: string) => new Date(t).toISOString().replace('T', ' ').replace('Z', '');
      const rows = await warehouse.query<{ id: string; deleted_at: string }>(
        'select id, deleted_at from api.fct_deleted_api where organization_id = ? and resource_type = ? ' +
          'and deleted_at >= cast(? as timestamp) and deleted_at <= cast(? as timestamp) order by id',
        [org, type, iso(since), iso(until)],
      );
      return rows.map((r) => ({ id: r.id, deletedAt: r.deleted_at }));
    },
  };
}

function parentColumn(type: ResourceType, parent: ParentType): string {
  const col = RESOURCE_DEFS[type].parents[parent];
  if (!col) throw new Error(`${type} has no ${parent} parent`);
  return col;
}

function toPage(rows: ResourceRow[], count: number): SearchPage {
  if (rows.length <= count) return { rows };
  const page = rows.slice(0, count);
  const last = page[page.length - 1];
  return last
    ? { rows: page, next: { values: last.sortValues, id: last.id } }
    : { rows: page, next: undefined };
}
