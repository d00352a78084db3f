import type { RequestContext } from '../src/context';
import type { ResourceType } from '../src/fhir/search-parameters';
import type { ParseOptions } from '../src/fhir/search-request';
import type { ResourceRow } from '../src/repository';
import * as condition from './condition';
import * as encounter from './encounter';
import * as observation from './observation';
import * as patient from './patient';
import type { SearchParams, SearchResult } from './resource';

export * from './condition';
export * from './encounter';
export * from './observation';
export * from './patient';
export { requireScope, type SearchParams, type SearchResult } from './resource';

interface TypeResolvers {
  read(ctx: RequestContext, id: string): Promise<ResourceRow>;
  search(ctx: RequestContext, params: SearchParams, options?: ParseOptions): Promise<SearchResult>;
}

/** Read and search per resource type, for adapters that route by type (REST). */
export const RESOLVERS: Readonly<Record<ResourceType, TypeResolvers>> = {
  Patient: { read: patient.readPatient, search: patient.searchPatients },
  Encounter: { read: encounter.readEncounter, search: encounter.searchEncounters },
  Observation: { read: observation.readObservation, search: observation.searchObservations },
  Condition: { read: condition.readCondition, search: condition.searchConditions },
};
