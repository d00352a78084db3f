/** Observation: reads, searches and the batched edges from its parents. See https://hl7.org/fhir/R4/observation.html#search */
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

export const readObservation = (ctx: RequestContext, id: string): Promise<ResourceRow> =>
  readResource(ctx, 'Observation', id);

export const loadObservation = (ctx: RequestContext, id: string): Promise<ResourceRow | null> =>
  loadResource(ctx, 'Observation', id);

export const searchObservations = (
  ctx: RequestContext,
  params: SearchParams,
  options?: ParseOptions,
): Promise<SearchResult> => searchResources(ctx, 'Observation', params, options);

/** The patient's observations (one query for every patient resolved in the same tick). */
export const observationsOfPatient = (ctx: RequestContext, patientId: string, params: SearchParams = []) =>
  searchChildren(ctx, 'Observation', 'Patient', patientId, params);

export const countObservationsOfPatient = (
  ctx: RequestContext,
  patientId: string,
  params: SearchParams = [],
) => countChildren(ctx, 'Observation', 'Patient', patientId, params);

/** The encounter's observations (batched across encounters). */
export const observationsOfEncounter = (
  ctx: RequestContext,
  encounterId: string,
  params: SearchParams = [],
) => searchChildren(ctx, 'Observation', 'Encounter', encounterId, params);

export const countObservationsOfEncounter = (
  ctx: RequestContext,
  encounterId: string,
  params: SearchParams = [],
) => countChildren(ctx, 'Observation', 'Encounter', encounterId, params);
