/** Patient: reads and searches. See https://hl7.org/fhir/R4/patient.html#search */
import type { RequestContext } from '../src/context';
import type { ParseOptions } from '../src/fhir/search-request';
import type { ResourceRow } from '../src/repository';
import {
  loadResource,
  readResource,
  type SearchParams,
  type SearchResult,
  searchResources,
} from './resource';

export const readPatient = (ctx: RequestContext, id: string): Promise<ResourceRow> =>
  readResource(ctx, 'Patient', id);

export const loadPatient = (ctx: RequestContext, id: string): Promise<ResourceRow | null> =>
  loadResource(ctx, 'Patient', id);

export const searchPatients = (
  ctx: RequestContext,
  params: SearchParams,
  options?: ParseOptions,
): Promise<SearchResult> => searchResources(ctx, 'Patient', params, options);
