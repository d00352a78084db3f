/**
 * The org-scoped repository: built per request from the verified organization, it is the
 * only way resolvers reach data. Every statement reads one `api.*` mart (`marts.ts`) and binds
 * `organization_id = ?` first; the organization is fixed at construction and is not a
 * parameter of any method. `cached-repository.ts` puts the build-keyed cache in front of it.
 */
import type { ResourceType } from '../fhir/search-parameters';
import type { SearchRequest } from '../fhir/search-request';
import type { SqlValue, Warehouse } from '../warehouse';
import { type CursorCodec, type CursorPosition, type CursorValue, createCursorCodec } from './cursor';
import { MARTS, type ParentType } from './marts';
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

export type { ParentType };

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
}

const MAX_IN = 1000;

export function createOrgRepository(options: OrgRepositoryOptions): OrgRepository {
  const { warehouse, organizationId: org, salt } = options;
  if (!org) throw new Error('An org-scoped repository needs an organization');
  const codec: CursorCodec = createCursorCodec(`cursor|${salt}`, org);
  const scope = { organizationId: org, salt };

  const where = (request: SearchRequest, extra: Fragment[] = []) => {
    const c = compileClauses(request.type, request.clauses, scope);
    return {
      sql: ['organization_id = ?', c.sql, ...extra.map((e) => e.sql)].join(' and '),
      params: [org, ...c.params, ...extra.flatMap((e) => e.params)] as SqlValue[],
    };
  };
  const keyset = (request: SearchRequest): Fragment[] =>
    request.cursor
      ? [compileKeyset(request.type, request.sort, codec.decode(request.queryKey, request.cursor))]
      : [];
  const selected = (request: SearchRequest) =>
    `${columns(request.type)}, ${sortColumns(request.type, request.sort, warehouse.dialect)}`;

  /** Runs `load` over `keys` in chunks of at most MAX_IN (bind lists stay bounded). */
  async function chunked<T>(keys: readonly string[], load: (chunk: string[]) => Promise<Map<string, T>>) {
    const out = new Map<string, T>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += MAX_IN) {
      for (const [k, v] of await load(unique.slice(i, i + MAX_IN))) out.set(k, v);
    }
    return out;
  }

  return {
    organizationId: org,

    readByIds: (type, ids) =>
      chunked(ids, async (chunk) => {
        const rows = await warehouse.query(
          `select ${columns(type)} from ${MARTS[type].table} where organization_id = ? and id in (${placeholders(chunk.length)})`,
          [org, ...chunk],
        );
        return new Map(rows.map((r) => [r.id as string, toRow(r)]));
      }),

    async search(request) {
      const w = where(request, keyset(request));
      const rows = await warehouse.query(
        `select ${selected(request)} from ${MARTS[request.type].table} where ${w.sql} ` +
          `order by ${compileOrder(request.type, request.sort)} limit ${request.count + 1}`,
        w.params,
      );
      return toPage(
        rows.map((r) => toRow(r, request.sort.length)),
        request.count,
      );
    },

    async count(request) {
      const w = where(request);
      const rows = await warehouse.query<{ n: number }>(
        `select count(*) as n from ${MARTS[request.type].table} where ${w.sql}`,
        w.params,
      );
      return Number(rows[0]?.n ?? 0);
    },

    searchByParents: (request, parent, parentIds) =>
      chunked(parentIds, async (chunk) => {
        const col = parentColumn(request.type, parent);
        const w = where(request, [
          { sql: `${col} in (${placeholders(chunk.length)})`, params: chunk },
          ...keyset(request),
        ]);
        const rows = await warehouse.query(
          `select * from (select ${selected(request)}, ${col} as parent_id_, ` +
            `row_number() over (partition by ${col} order by ${compileOrder(request.type, request.sort)}) as rn_ ` +
            `from ${MARTS[request.type].table} where ${w.sql}) ranked where rn_ <= ${request.count + 1} order by parent_id_, rn_`,
          w.params,
        );
        const grouped = new Map<string, ResourceRow[]>();
        for (const r of rows) {
          const key = r.parent_id_ as string;
          const list = grouped.get(key) ?? [];
          list.push(toRow(r, request.sort.length));
          grouped.set(key, list);
        }
        return new Map(chunk.map((id) => [id, toPage(grouped.get(id) ?? [], request.count)]));
      }),

    countByParents: (request, parent, parentIds) =>
      chunked(parentIds, async (chunk) => {
        const col = parentColumn(request.type, parent);
        const w = where(request, [{ sql: `${col} in (${placeholders(chunk.length)})`, params: chunk }]);
        const rows = await warehouse.query(
          `select ${col} as parent_id_, count(*) as n from ${MARTS[request.type].table} where ${w.sql} group by ${col}`,
          w.params,
        );
        const counts = new Map(rows.map((r) => [r.parent_id_ as string, Number(r.n)]));
        return new Map(chunk.map((id) => [id, counts.get(id) ?? 0]));
      }),

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

/** The columns every read selects: the row itself and its parent references. */
function columns(type: ResourceType): string {
  const parents = MARTS[type].parents;
  return `id, resource, last_updated, ${parents.Patient ?? 'null'} as patient_id, ${parents.Encounter ?? 'null'} as encounter_id`;
}

/** A mart row as a `ResourceRow`; `s0…` are the sort keys' values (for cursors). */
function toRow(r: Record<string, unknown>, sortCount = 0): ResourceRow {
  return {
    id: r.id as string,
    resource: r.resource as string,
    lastUpdated: (r.last_updated as string | null) ?? null,
    patientId: (r.patient_id as string | null) ?? null,
    encounterId: (r.encounter_id as string | null) ?? null,
    sortValues: Array.from({ length: sortCount }, (_, i) => (r[`s${i}`] as CursorValue) ?? null),
  };
}

function parentColumn(type: ResourceType, parent: ParentType): string {
  const col = MARTS[type].parents[parent];
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
