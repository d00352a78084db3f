/**
 * GraphQL filter inputs generated from the same search-parameter definitions as REST: each
 * field takes FHIR search values (`ge2020-01-01`, `http://loinc.org|4548-4`, …); a list is
 * ANDed and commas inside a value OR, exactly as repeated and comma-separated REST parameters.
 */

import { RESOLVERS, type SearchParams, type SearchResult } from '../../resolvers';
import { badRequest } from '../fhir/operation-outcome';
import { RESOURCE_TYPES, type ResourceType } from '../fhir/search-parameters';
import { builder } from './builder';

const camel = (name: string) =>
  name.replace(/^_/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

type Filter = Record<string, readonly string[] | null | undefined>;

const fieldList = (type: ResourceType) =>
  RESOLVERS[type].definition.params.flatMap((p) => [
    {
      field: camel(p.name),
      param: p.name,
      description: `${p.description} (FHIR ${p.type} search: ${p.name})`,
    },
    ...(p.modifiers ?? []).map((m) => ({
      field: `${camel(p.name)}${m[0]!.toUpperCase()}${m.slice(1)}`,
      param: `${p.name}:${m}`,
      description: `${p.description} (${p.name}:${m})`,
    })),
  ]);

const FIELDS = Object.fromEntries(
  RESOURCE_TYPES.map((type) => [type, new Map(fieldList(type).map((f) => [f.field, f]))]),
) as Record<ResourceType, Map<string, ReturnType<typeof fieldList>[number]>>;

/** The `<Type>Filter` input of one resource type. */
export const filterInputs = Object.fromEntries(
  RESOURCE_TYPES.map((type) => [
    type,
    builder.inputRef<Filter>(`${type}Filter`).implement({
      description: `Search parameters of ${type}: values use FHIR search syntax; list entries are ANDed, commas OR.`,
      fields: (t) =>
        Object.fromEntries(
          [...FIELDS[type].values()].map((f) => [
            f.field,
            t.stringList({ required: false, description: f.description }),
          ]),
        ),
    }),
  ]),
) as Record<ResourceType, ReturnType<typeof builder.inputRef<Filter>>>;

export interface ConnectionArgs {
  filter?: Filter | null;
  sort?: string | null;
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Turns connection arguments into the FHIR search parameters the resolvers take. */
export function toSearchParams(type: ResourceType, args: ConnectionArgs): SearchParams {
  if (args.last != null || args.before != null)
    throw badRequest('Only forward paging (first/after) is supported');
  const params: [string, string][] = [];
  for (const [key, values] of Object.entries(args.filter ?? {})) {
    const f = FIELDS[type].get(key);
    if (f) for (const v of values ?? []) params.push([f.param, v]);
  }
  if (args.sort) params.push(['_sort', args.sort]);
  if (args.first != null) {
    if (args.first < 0) throw badRequest('first must not be negative');
    params.push(['_count', String(args.first)]);
  }
  if (args.after) params.push(['_cursor', args.after]);
  return params;
}

/** A relay connection over one page of search results; cursors are signed only when asked for. */
export function toConnection(result: SearchResult, totalCount: () => Promise<number>, after?: string | null) {
  const cursorOf = result.cursorAt;
  const edges = result.rows.map((row) => ({
    node: row,
    get cursor() {
      return cursorOf(row);
    },
  }));
  const first = result.rows[0];
  const last = result.rows[result.rows.length - 1];
  return {
    edges,
    pageInfo: {
      hasNextPage: result.hasNext,
      hasPreviousPage: !!after,
      get startCursor() {
        return first ? cursorOf(first) : null;
      },
      get endCursor() {
        return last ? cursorOf(last) : null;
      },
    },
    totalCount,
  };
}
