import type { ResourceType } from '../src/fhir/search-parameters';
import { conditionResolvers } from './condition';
import { encounterResolvers } from './encounter';
import { medicationRequestResolvers } from './medication-request';
import { observationResolvers } from './observation';
import { patientResolvers } from './patient';
import type { TypeResolvers } from './resource';

export type { ResourceRow } from '../src/repository';
export * from './condition';
export * from './encounter';
export * from './medication-request';
export * from './observation';
export * from './patient';
export {
  countResources,
  type EdgeResolvers,
  listDeletedResources,
  type SearchParams,
  type SearchResult,
  type TypeResolvers,
} from './resource';

/** Read, load and search per resource type (and its search definition), for adapters that route by type (REST, GraphQL roots, export, the CapabilityStatement). */
export const RESOLVERS: Readonly<Record<ResourceType, TypeResolvers>> = {
  Patient: patientResolvers,
  Encounter: encounterResolvers,
  Observation: observationResolvers,
  Condition: conditionResolvers,
  MedicationRequest: medicationRequestResolvers,
};
