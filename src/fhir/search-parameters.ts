/**
 * What a FHIR search parameter is, and the ones every resource type shares. Each resource type
 * declares its own parameters and sorts beside its resolvers (`resolvers/<type>.ts`); parsing
 * (`search-request.ts`), the CapabilityStatement and the GraphQL filter inputs are derived from
 * those declarations, and the repository maps them onto the marts, so what the server advertises
 * is what it does. Nothing here knows about the warehouse.
 * See: https://hl7.org/fhir/R4/search.html and https://hl7.org/fhir/R4/searchparameter-registry.html
 */
export const RESOURCE_TYPES = [
  'Patient',
  'Encounter',
  'Observation',
  'Condition',
  'MedicationRequest',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export type SearchParamType = 'token' | 'string' | 'date' | 'reference' | 'quantity';

export interface SearchParamDef {
  name: string;
  type: SearchParamType;
  /** The FHIRPath the R4 registry gives this parameter. */
  expression: string;
  description: string;
  /** Modifiers accepted beyond none. */
  modifiers?: readonly string[];
  /** A reference parameter's one target type (`Patient/<id>` or `<id>`). */
  targetType?: ResourceType;
}

/** A resource type's search, as FHIR sees it: its parameters and its `_sort` keys. */
export interface ResourceSearchDef {
  type: ResourceType;
  params: readonly SearchParamDef[];
  /** `_sort` keys beyond `_id` and `_lastUpdated`; every sort ends with `_id` as the tie-break. */
  sorts: readonly string[];
}

export const STRING_MODIFIERS = ['exact', 'contains'] as const;

/** `_id` and `_lastUpdated`, which every type has. See https://hl7.org/fhir/R4/search.html#all */
export const COMMON_PARAMS: readonly SearchParamDef[] = [
  { name: '_id', type: 'token', expression: 'Resource.id', description: 'Logical id of this artifact' },
  {
    name: '_lastUpdated',
    type: 'date',
    expression: 'Resource.meta.lastUpdated',
    description: 'When the resource version last changed',
  },
];
export const COMMON_SORTS = ['_id', '_lastUpdated'] as const;

/** `patient` / `subject`: the patient the resource is about. */
export const patientParam = (name: 'patient' | 'subject', expression: string): SearchParamDef => ({
  name,
  type: 'reference',
  expression,
  description: 'The patient the resource is about',
  targetType: 'Patient',
});

/** `encounter`: the encounter the resource was recorded in. */
export const encounterParam = (expression: string): SearchParamDef => ({
  name: 'encounter',
  type: 'reference',
  expression,
  description: 'The encounter the resource was recorded in',
  targetType: 'Encounter',
});

/** A type's search definition with the common parameters and sorts added. */
export function defineSearch(def: ResourceSearchDef): ResourceSearchDef {
  return {
    type: def.type,
    params: [...COMMON_PARAMS, ...def.params],
    sorts: [...COMMON_SORTS, ...def.sorts],
  };
}

/** Result parameters every type accepts; see https://hl7.org/fhir/R4/search.html#return */
export const CONTROL_PARAMS = ['_count', '_sort', '_total', '_summary', '_cursor', '_format'] as const;

export function isResourceType(value: string): value is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(value);
}
