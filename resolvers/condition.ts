/** Condition: reads, searches and the batched edges from its parents. See https://hl7.org/fhir/R4/condition.html#search */
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

export const readCondition = (ctx: RequestContext, id: string): Promise<ResourceRow> =>
  readResource(ctx, 'Condition', id);

export const loadCondition = (ctx: RequestContext, id: string): Promise<ResourceRow | null> =>
  loadResource(ctx, 'Condition', id);

export const searchConditions = (
  ctx: RequestContext,
  params: SearchParams,
  options?: ParseOptions,
): Promise<SearchResult> => searchResources(ctx, 'Condition', params, options);

/** The patient's conditions (one query for every patient resolved in the same tick). */
export const conditionsOfPatient = (ctx: RequestContext, patientId: string, params: SearchParams = []) =>
  searchChildren(ctx, 'Condition', 'Patient', patientId, params);

export const countConditionsOfPatient = (ctx: RequestContext, patientId: string, params: SearchParams = []) =>
  countChildren(ctx, 'Condition', 'Patient', patientId, params);

/** The encounter's conditions (batched across encounters). */
export const conditionsOfEncounter = (ctx: RequestContext, encounterId: string, params: SearchParams = []) =>
  searchChildren(ctx, 'Condition', 'Encounter', encounterId, params);

export const countConditionsOfEncounter = (
  ctx: RequestContext,
  encounterId: string,
  params: SearchParams = [],
) => countChildren(ctx, 'Condition', 'Encounter', encounterId, params);
