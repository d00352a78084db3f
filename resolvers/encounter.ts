/** Encounter: reads, searches and the batched edges from its parents. See https://hl7.org/fhir/R4/encounter.html#search */
import type { RequestContext } from '../src/context';
import type { ParseOptions } from '../src/fhir/search-request';
import type { ResourceRow } from '../src/repository';
import {
  countChildren,
  loadResource,
  readResource,
  type SearchParams,
  type SearchResult,
  searchChildren,
  searchResources,
} from './resource';

export const readEncounter = (ctx: RequestContext, id: string): Promise<ResourceRow> =>
  readResource(ctx, 'Encounter', id);

export const loadEncounter = (ctx: RequestContext, id: string): Promise<ResourceRow | null> =>
  loadResource(ctx, 'Encounter', id);

export const searchEncounters = (
  ctx: RequestContext,
  params: SearchParams,
  options?: ParseOptions,
): Promise<SearchResult> => searchResources(ctx, 'Encounter', params, options);

/** The patient's encounters (one query for every patient resolved in the same tick). */
export const encountersOfPatient = (ctx: RequestContext, patientId: string, params: SearchParams = []) =>
  searchChildren(ctx, 'Encounter', 'Patient', patientId, params);

export const countEncountersOfPatient = (ctx: RequestContext, patientId: string, params: SearchParams = []) =>
  countChildren(ctx, 'Encounter', 'Patient', patientId, params);
