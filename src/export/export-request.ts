/**
 * Parses a Bulk Data `$export` kick-off — query parameters (GET) or a `Parameters` body (POST) —
 * into what to export for the caller: the resource types its scopes allow (or the `_type` it
 * asked for, each of which must be allowed), `_since` / `_until` as `_lastUpdated` bounds, and
 * `_typeFilter` queries parsed by the same search parser as REST (so an unknown or invalid
 * parameter is a 400 here exactly as it is there).
 * See: https://hl7.org/fhir/uv/bulkdata/export.html#query-parameters
 */
import { RESOLVERS } from '../../resolvers';
import { allows } from '../auth/scopes';
import { badRequest, forbidden } from '../fhir/operation-outcome';
import { isResourceType, RESOURCE_TYPES, type ResourceType } from '../fhir/search-parameters';
import { parseSearchRequest } from '../fhir/search-request';

export type ExportLevel = 'system' | 'Patient';
export type SearchParams = [string, string][];

export interface ExportRequest {
  level: ExportLevel;
  types: ResourceType[];
  since?: string;
  until?: string;
  /** Per type, the ORed `_typeFilter` queries (none: the whole type). */
  typeFilters: Partial<Record<ResourceType, SearchParams[]>>;
}

const OUTPUT_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const KNOWN = new Set(['_outputFormat', '_type', '_since', '_until', '_typeFilter']);

/** The kick-off parameters of a POST `Parameters` body, as name/value pairs. */
export function parametersOf(body: unknown): SearchParams {
  const resource = body as { resourceType?: unknown; parameter?: unknown } | null;
  if (resource?.resourceType !== 'Parameters' || !Array.isArray(resource.parameter)) {
    throw badRequest('A POST kick-off body must be a FHIR Parameters resource');
  }
  return resource.parameter.map((p: Record<string, unknown>) => {
    const name = typeof p?.name === 'string' ? p.name : '';
    const key = Object.keys(p ?? {}).find((k) => k.startsWith('value'));
    const value = key ? p[key] : undefined;
    if (!name || typeof value !== 'string')
      throw badRequest('Each kick-off parameter needs a name and a string value');
    return [name, value] as [string, string];
  });
}

/** Parses kick-off parameters for a caller holding `scopes`; 400 / 403 on what cannot be served. */
export function parseExportRequest(
  level: ExportLevel,
  params: SearchParams,
  scopes: readonly string[],
): ExportRequest {
  const exportable = (t: ResourceType) => allows(scopes, t, 'r') && allows(scopes, t, 's');
  const values = (name: string) =>
    params.filter(([n]) => n === name).flatMap(([, v]) => (name === '_typeFilter' ? [v] : v.split(',')));
  for (const [name] of params) {
    if (!KNOWN.has(name))
      throw badRequest(`${name.slice(0, 64)} is not a supported $export parameter`, [name.slice(0, 64)]);
  }
  for (const format of values('_outputFormat')) {
    if (!OUTPUT_FORMATS.has(format.trim()))
      throw badRequest('_outputFormat must be application/fhir+ndjson', ['_outputFormat']);
  }
  const asked = values('_type')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of asked) {
    if (!isResourceType(t))
      throw badRequest(`_type ${t.slice(0, 64)} is not a type this server exports`, ['_type']);
    if (!exportable(t)) throw forbidden(`The token does not grant read and search on ${t}`);
  }
  const types = asked.length > 0 ? [...new Set(asked as ResourceType[])] : RESOURCE_TYPES.filter(exportable);
  if (types.length === 0) throw forbidden('The token grants no resource type to export');
  const instant = (name: '_since' | '_until') => {
    const all = values(name);
    if (all.length > 1) throw badRequest(`${name} may be given once`, [name]);
    const v = all[0]?.trim();
    if (v !== undefined && (!INSTANT.test(v) || Number.isNaN(Date.parse(v)))) {
      throw badRequest(`${name} must be a FHIR instant (e.g. 2026-01-01T00:00:00Z)`, [name]);
    }
    return v;
  };
  const typeFilters: ExportRequest['typeFilters'] = {};
  for (const filter of values('_typeFilter')) {
    const q = filter.indexOf('?');
    const type = q < 0 ? filter : filter.slice(0, q);
    if (!isResourceType(type) || !types.includes(type)) {
      throw badRequest('Each _typeFilter must be Type?query for an exported type', ['_typeFilter']);
    }
    const query = [...new URLSearchParams(q < 0 ? '' : filter.slice(q + 1))] as SearchParams;
    if (query.some(([n]) => n.startsWith('_') && n !== '_id' && n !== '_lastUpdated')) {
      throw badRequest('_typeFilter queries take search parameters only (no _count, _sort, ...)', [
        '_typeFilter',
      ]);
    }
    parseSearchRequest(RESOLVERS[type].definition, query, { strict: true });
    typeFilters[type] = [...(typeFilters[type] ?? []), query];
  }
  return { level, types, since: instant('_since'), until: instant('_until'), typeFilters };
}
